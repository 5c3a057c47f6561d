import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { argon2id } from "../../workers/auth/argon2id";
import { toBase64NoPad } from "../../workers/auth/base64";
import {
  ARGON2_POLICY,
  hashPassword,
  hashPasswordPbkdf2,
  UNMATCHABLE_HASH,
  verifyPassword,
} from "../../workers/auth/passwords";
import { createUser } from "../../workers/auth/users";
import { database } from "../../workers/db/client";
import { signIn, strongPassword, uniqueEmail } from "./support/auth";

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const utf8 = (s: string) => new TextEncoder().encode(s);

describe("Argon2id in workerd", () => {
  it("matches the RFC 9106 test vector (section 5.3)", () => {
    const tag = argon2id(
      new Uint8Array(32).fill(1),
      {
        salt: new Uint8Array(16).fill(2),
        secret: new Uint8Array(8).fill(3),
        associatedData: new Uint8Array(12).fill(4),
        hashLength: 32,
      },
      { memoryKiB: 32, iterations: 3, parallelism: 4 },
    );
    expect(hex(tag)).toBe("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  });

  // Expected values from the reference implementation's CLI (Debian `argon2`):
  //   echo -n "correct horse battery staple" | argon2 kimchi-edge-salt -id -t 2 -k 19456 -p 1 -l 32 -e
  //   printf '%s' 비밀번호 | argon2 saltsaltsaltsalt -id -t 3 -k 1024 -p 2 -l 16 -r
  it("matches the reference implementation at the production parameters", () => {
    const tag = argon2id(
      utf8("correct horse battery staple"),
      { salt: utf8("kimchi-edge-salt"), hashLength: 32 },
      ARGON2_POLICY,
    );
    expect(toBase64NoPad(tag)).toBe("bmk7uMJBa8FQ1GjgxSx7Xa3S3NLfYg8Xj9p5tR7N3WA");
  });

  it("matches the reference implementation with two lanes and a UTF-8 password", () => {
    const tag = argon2id(
      utf8("비밀번호"),
      { salt: utf8("saltsaltsaltsalt"), hashLength: 16 },
      { memoryKiB: 1024, iterations: 3, parallelism: 2 },
    );
    expect(hex(tag)).toBe("6927a6bd3d32e3bae92f0ccee164585e");
  });

  it("refuses parameters it would silently round", () => {
    expect(() =>
      argon2id(
        utf8("x"),
        { salt: utf8("saltsalt"), hashLength: 32 },
        { memoryKiB: 1023, iterations: 1, parallelism: 2 },
      ),
    ).toThrow(RangeError);
  });
});

describe("stored password hashes", () => {
  it("stores a PHC string with the policy's parameters and a random salt", async () => {
    const a = await hashPassword("the same password");
    const b = await hashPassword("the same password");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("the same password", a)).toEqual({ ok: true, needsRehash: false });
    expect((await verifyPassword("the same passwore", a)).ok).toBe(false);
  });

  it("compares passwords in NFKC, so compatibility forms of one password match", async () => {
    const stored = await hashPassword("ｐａｓｓｗｏｒｄ ｋｉｍｃｈｉ");
    expect((await verifyPassword("password kimchi", stored)).ok).toBe(true);
  });

  it("verifies PBKDF2 hashes and asks for a rehash", async () => {
    const stored = await hashPasswordPbkdf2("legacy password", 100_000);
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=100000\$/);
    expect(await verifyPassword("legacy password", stored)).toEqual({ ok: true, needsRehash: true });
    expect((await verifyPassword("legacy passw0rd", stored)).ok).toBe(false);
  });

  it("never matches the hash used for unknown emails, nor a malformed stored hash", async () => {
    expect((await verifyPassword("", UNMATCHABLE_HASH)).ok).toBe(false);
    for (const junk of [
      "",
      "plaintext",
      "$argon2id$v=16$m=1,t=1,p=1$AAAA$AAAA",
      "$pbkdf2-sha256$i=999999999$AAAAAAAAAAAAAAAA$AAAAAAAA",
    ]) {
      expect((await verifyPassword("plaintext", junk)).ok).toBe(false);
    }
  });
});

describe("raising the cost on the next sign-in", () => {
  async function storedHash(email: string): Promise<string> {
    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE email_normalized = ?1")
      .bind(email.toLowerCase())
      .first<{ password_hash: string }>();
    return row?.password_hash ?? "";
  }

  it.each([
    ["PBKDF2", (pw: string) => hashPasswordPbkdf2(pw)],
    ["weaker Argon2id", (pw: string) => hashPassword(pw, { memoryKiB: 4096, iterations: 1, parallelism: 1 })],
  ])("replaces a %s hash with one under the current policy", async (_, makeHash) => {
    const email = uniqueEmail("upgrade");
    const password = strongPassword();
    await createUser(database(env), { email, username: "upgrade", passwordHash: await makeHash(password) });
    expect((await signIn(email, password)).status).toBe(200);
    const after = await storedHash(email);
    expect(after).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await verifyPassword(password, after)).ok).toBe(true);
    expect((await signIn(email, password)).status).toBe(200);
  });

  it("keeps the hash when the password is wrong", async () => {
    const email = uniqueEmail("noupgrade");
    const legacy = await hashPasswordPbkdf2("the real password");
    await createUser(database(env), { email, username: "noupgrade", passwordHash: legacy });
    expect((await signIn(email, "not the real password")).status).toBe(401);
    expect(await storedHash(email)).toBe(legacy);
  });
});
