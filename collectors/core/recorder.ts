import { createWriteStream, type WriteStream } from "node:fs";
import type { RawFrame } from "./frames";

/** Appends raw frames to a JSON-lines file (`{venue, stream, received_at, frame}` per line). */
export class FrameRecorder {
  private readonly out: WriteStream;
  frames = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: "a" });
  }

  write(frame: RawFrame): void {
    this.frames++;
    this.out.write(
      `${JSON.stringify({ venue: frame.venue, stream: frame.stream, received_at: frame.received_at, frame: frame.frame })}\n`,
    );
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => this.out.end(() => resolve()));
  }
}
