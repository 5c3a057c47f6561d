/**
 * Argon2id (RFC 9106) on the Workers runtime.
 *
 * The memory-hard core and BLAKE2b come from hash-wasm's WebAssembly builds (MIT,
 * https://github.com/Daninet/hash-wasm), extracted to `./wasm/*.wasm` by `./wasm/extract-hash-wasm.mjs`.
 * hash-wasm itself cannot run here: it embeds its binaries as base64 and calls
 * `WebAssembly.compile(bytes)`, which workerd refuses ("Wasm code generation disallowed by embedder",
 * https://developers.cloudflare.com/workers/runtime-apis/webassembly/). A `.wasm` file imported as a
 * module is compiled when the Worker is uploaded, and instantiating a compiled module is allowed, so
 * this file drives the same binaries through their exports, following hash-wasm's `lib/argon2.ts`.
 */
import argon2Module from "./wasm/argon2.wasm";
import blake2bModule from "./wasm/blake2b.wasm";

/** Argon2id cost parameters, as in the PHC string (`m=19456,t=2,p=1`). */
export interface Argon2Params {
  /** Memory in KiB; a multiple of 4 × parallelism, at least 8 × parallelism. */
  memoryKiB: number;
  /** Passes over memory. */
  iterations: number;
  /** Lanes (computed one after the other here: WebAssembly in a Worker has one thread). */
  parallelism: number;
}

/** Inputs besides the password: the salt and the tag length, optional secret (pepper) and associated data. */
export interface Argon2Inputs {
  salt: Uint8Array;
  hashLength: number;
  secret?: Uint8Array;
  associatedData?: Uint8Array;
}

interface Blake2bExports {
  memory: WebAssembly.Memory;
  Hash_GetBuffer(): number;
  Hash_Init(bits: number): void;
  Hash_Update(length: number): void;
  Hash_Final(): void;
}

interface Argon2Exports {
  memory: WebAssembly.Memory;
  Hash_GetBuffer(): number;
  Hash_SetMemorySize(totalBytes: number): number;
  Hash_Calculate(length: number, memoryKiB: number): void;
}

const VERSION = 0x13;
const TYPE_ARGON2ID = 2;
const BLOCK = 1024;
/** hash-wasm's BLAKE2b input buffer (`MAIN_BUFFER_SIZE`). */
const BLAKE_BUFFER = 16 * 1024;
/** What hash-wasm's Argon2 core reserves on its first `Hash_GetBuffer()`. */
const PREALLOCATED = 512 * 1024;

let blakeInstance: Blake2bExports | null = null;

/** The BLAKE2b instance, created once per isolate (it keeps no state between digests). */
function blake(): Blake2bExports {
  blakeInstance ??= new WebAssembly.Instance(blake2bModule, {}).exports as unknown as Blake2bExports;
  return blakeInstance;
}

/** BLAKE2b with an output of `outLength` bytes (1..64) over the concatenation of `parts`. */
function blake2b(outLength: number, ...parts: Uint8Array[]): Uint8Array {
  const b = blake();
  const offset = b.Hash_GetBuffer();
  b.Hash_Init(outLength * 8);
  for (const part of parts) {
    for (let read = 0; read < part.length; read += BLAKE_BUFFER) {
      const chunk = part.subarray(read, read + BLAKE_BUFFER);
      new Uint8Array(b.memory.buffer, offset, chunk.length).set(chunk);
      b.Hash_Update(chunk.length);
    }
  }
  b.Hash_Final();
  return new Uint8Array(b.memory.buffer, offset, outLength).slice();
}

function le32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

/** H' of RFC 9106 section 3.3: BLAKE2b stretched to `length` bytes. */
function hashLong(length: number, ...input: Uint8Array[]): Uint8Array {
  if (length <= 64) return blake2b(length, le32(length), ...input);
  const out = new Uint8Array(length);
  const r = Math.ceil(length / 32) - 2;
  let v = blake2b(64, le32(length), ...input);
  out.set(v.subarray(0, 32), 0);
  for (let i = 1; i < r; i++) {
    v = blake2b(64, v);
    out.set(v.subarray(0, 32), i * 32);
  }
  const last = length - 32 * r;
  out.set(blake2b(last, v), r * 32);
  return out;
}

/** Rejects parameters the core would silently mangle (it rounds memory down to whole segments). */
export function validateArgon2Params(p: Argon2Params): void {
  const ok =
    Number.isInteger(p.parallelism) &&
    p.parallelism >= 1 &&
    p.parallelism <= 16 &&
    Number.isInteger(p.iterations) &&
    p.iterations >= 1 &&
    p.iterations <= 64 &&
    Number.isInteger(p.memoryKiB) &&
    p.memoryKiB >= 8 * p.parallelism &&
    p.memoryKiB <= 64 * 1024 &&
    p.memoryKiB % (4 * p.parallelism) === 0;
  if (!ok) throw new RangeError(`Unsupported Argon2 parameters ${JSON.stringify(p)}`);
}

/**
 * Computes an Argon2id tag. Synchronous: it blocks the isolate for the whole computation, which is
 * what a password hash is for. A fresh WebAssembly instance per call starts from zeroed memory (the
 * core relies on that) and is released with it, so a 19 MiB hash does not stay resident.
 */
export function argon2id(password: Uint8Array, inputs: Argon2Inputs, params: Argon2Params): Uint8Array {
  validateArgon2Params(params);
  const { memoryKiB, iterations, parallelism } = params;
  const secret = inputs.secret ?? new Uint8Array(0);
  const ad = inputs.associatedData ?? new Uint8Array(0);
  if (inputs.salt.length < 8) throw new RangeError("The salt must be at least 8 bytes");
  if (inputs.hashLength < 4 || inputs.hashLength > 1024) throw new RangeError("Unsupported tag length");

  const core = new WebAssembly.Instance(argon2Module, {}).exports as unknown as Argon2Exports;
  // The first Hash_GetBuffer() reserves PREALLOCATED bytes; growing to a smaller total would underflow.
  const base = core.Hash_GetBuffer();
  const total = memoryKiB * BLOCK + BLOCK;
  if (base === 0 || (total > PREALLOCATED && core.Hash_SetMemorySize(total) === -1)) {
    throw new RangeError("Argon2: could not allocate memory");
  }
  const memory = new Uint8Array(core.memory.buffer, base, total);

  // The core reads its parameters from the block after the working memory.
  const initVector = new Uint8Array(24);
  const iv = new DataView(initVector.buffer);
  [parallelism, inputs.hashLength, memoryKiB, iterations, VERSION, TYPE_ARGON2ID].forEach((v, i) => {
    iv.setUint32(i * 4, v, true);
  });
  memory.set(initVector, memoryKiB * BLOCK);

  const h0 = blake2b(
    64,
    initVector,
    le32(password.length),
    password,
    le32(inputs.salt.length),
    inputs.salt,
    le32(secret.length),
    secret,
    le32(ad.length),
    ad,
  );

  const laneLength = memoryKiB / parallelism;
  for (let lane = 0; lane < parallelism; lane++) {
    memory.set(hashLong(BLOCK, h0, le32(0), le32(lane)), lane * laneLength * BLOCK);
    memory.set(hashLong(BLOCK, h0, le32(1), le32(lane)), (lane * laneLength + 1) * BLOCK);
  }

  core.Hash_Calculate(0, memoryKiB);
  // The final block (XOR of each lane's last block) is left at the start of the buffer.
  const final = new Uint8Array(core.memory.buffer, base, BLOCK).slice();
  return hashLong(inputs.hashLength, final);
}
