import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { IngestEvent } from "../../protocol/ingest";

/** Events written per `write` call at most; also the most that sit in memory before reaching the file. */
const WRITE_CHUNK = 256;
/** Bytes read from the file per read call. */
const READ_CHUNK = 1 << 20;

const PREFIX = "spool-";

/** A name that sorts after every earlier process's files, and `-a` before `-b` within one process. */
function spoolName(startedAt: number, part: "a" | "b"): string {
  return `${PREFIX}${String(startedAt).padStart(15, "0")}-${process.pid}-${part}.jsonl`;
}

/**
 * Spool files left by an earlier run (oldest first), read and deleted: their events are handed back
 * to be sent first. A torn last line (a crash mid-write) is skipped.
 */
export function recoverSpoolFiles(directory: string): IngestEvent[] {
  let names: string[];
  try {
    names = readdirSync(directory).filter((n) => n.startsWith(PREFIX) && n.endsWith(".jsonl"));
  } catch {
    return [];
  }
  const events: IngestEvent[] = [];
  for (const name of names.sort()) {
    const path = join(directory, name);
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (!line) continue;
      try {
        events.push(JSON.parse(line) as IngestEvent);
      } catch {
        // a torn line
      }
    }
    rmSync(path, { force: true });
  }
  return events;
}

/**
 * Writes events to a new spool file named to be read back before this run's main spool (`-a`), for the
 * ordered events still in memory when the process stops.
 */
export function writeShutdownSpool(directory: string, startedAt: number, events: readonly IngestEvent[]): void {
  if (events.length === 0) return;
  mkdirSync(directory, { recursive: true });
  const fd = openSync(join(directory, spoolName(startedAt, "a")), "w");
  writeSync(fd, events.map((e) => `${JSON.stringify(e)}\n`).join(""));
  closeSync(fd);
}

/**
 * An append-only JSON-lines file of events that did not fit in memory while the Worker was unreachable,
 * read back in order. Unread bytes are counted, and the file is truncated once everything was read;
 * a file with unread events is kept when the process stops and read back by the next run
 * ({@link recoverSpoolFiles}). It is not fsynced: a machine crash can lose its tail.
 */
export class DiskSpool {
  private readonly path: string;
  private readonly fd: number;
  private writeBuffer: string[] = [];
  private size = 0;
  private readOffset = 0;
  private unreadEvents = 0;

  constructor(directory: string, startedAt: number) {
    mkdirSync(directory, { recursive: true });
    this.path = join(directory, spoolName(startedAt, "b"));
    this.fd = openSync(this.path, "w+");
  }

  /** Events waiting (in the file or about to be written). */
  get events(): number {
    return this.unreadEvents;
  }

  /** Unread bytes in the file (plus the small write buffer). */
  get bytes(): number {
    return this.size - this.readOffset + this.writeBuffer.reduce((n, l) => n + Buffer.byteLength(l), 0);
  }

  /** Appends one event at the end. */
  append(event: IngestEvent): void {
    this.writeBuffer.push(`${JSON.stringify(event)}\n`);
    this.unreadEvents++;
    if (this.writeBuffer.length >= WRITE_CHUNK) this.flush();
  }

  /** Writes buffered lines to the file. */
  flush(): void {
    if (this.writeBuffer.length === 0) return;
    const data = Buffer.from(this.writeBuffer.join(""), "utf8");
    this.writeBuffer = [];
    let written = 0;
    while (written < data.length)
      written += writeSync(this.fd, data, written, data.length - written, this.size + written);
    this.size += data.length;
  }

  /** Takes up to `max` of the oldest events out of the spool. */
  read(max: number): IngestEvent[] {
    this.flush();
    const events: IngestEvent[] = [];
    while (events.length < max && this.readOffset < this.size) {
      const length = Math.min(READ_CHUNK, this.size - this.readOffset);
      const buf = Buffer.alloc(length);
      const got = readSync(this.fd, buf, 0, length, this.readOffset);
      let start = 0;
      while (events.length < max) {
        const nl = buf.indexOf(0x0a, start);
        if (nl === -1 || nl >= got) break;
        events.push(JSON.parse(buf.subarray(start, nl).toString("utf8")) as IngestEvent);
        start = nl + 1;
      }
      if (start === 0) throw new Error(`spool line longer than ${READ_CHUNK} bytes`);
      this.readOffset += start;
    }
    this.unreadEvents -= events.length;
    if (this.readOffset >= this.size && this.writeBuffer.length === 0) {
      ftruncateSync(this.fd, 0);
      this.size = 0;
      this.readOffset = 0;
    }
    return events;
  }

  /** Closes the file; deletes it unless unread events remain (the next run reads them). */
  close(): void {
    this.flush();
    const keep = this.unreadEvents > 0;
    if (keep && this.readOffset > 0) {
      // Keep only the unread tail, so the next run does not resend what was acknowledged.
      const tail = Buffer.alloc(this.size - this.readOffset);
      readSync(this.fd, tail, 0, tail.length, this.readOffset);
      ftruncateSync(this.fd, 0);
      writeSync(this.fd, tail, 0, tail.length, 0);
    }
    closeSync(this.fd);
    if (!keep) rmSync(this.path, { force: true });
  }
}
