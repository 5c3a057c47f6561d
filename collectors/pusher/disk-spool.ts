import { closeSync, ftruncateSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { IngestEvent } from "../../protocol/ingest";

/** Events written per `write` call at most; also the most that sit in memory before reaching the file. */
const WRITE_CHUNK = 256;
/** Bytes read from the file per read call. */
const READ_CHUNK = 1 << 20;

/**
 * An append-only JSON-lines file of events that did not fit in memory while the Worker was unreachable,
 * read back in order. Unread bytes are counted, and the file is truncated once everything was read.
 * (It protects against a long outage, not against the collectors' own crash: it is not fsynced.)
 */
export class DiskSpool {
  private readonly path: string;
  private readonly fd: number;
  private writeBuffer: string[] = [];
  private size = 0;
  private readOffset = 0;
  private unreadEvents = 0;

  constructor(directory: string) {
    mkdirSync(directory, { recursive: true });
    this.path = join(directory, `spool-${process.pid}-${Date.now()}.jsonl`);
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

  /** Closes and deletes the file. */
  dispose(): void {
    closeSync(this.fd);
    rmSync(this.path, { force: true });
  }
}
