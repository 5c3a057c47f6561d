/**
 * A minimal reader of server-to-client WebSocket frames (RFC 6455, no extensions negotiated), so
 * 1,000 benchmark subscribers cost little: for most sockets it only walks frame headers and counts
 * messages and bytes; for a few (`collect`) it also assembles each message's payload.
 */

/** Called once per complete data message; `payload` is set only when collecting. */
export type MessageHandler = (length: number, payload: Buffer | undefined) => void;

/** Called for a control frame (ping 0x9, pong 0xA, close 0x8) with its payload. */
export type ControlHandler = (opcode: number, payload: Buffer) => void;

export class FrameReader {
  private readonly header = Buffer.alloc(14);
  private headerLength = 0;
  private inPayload = false;
  private remaining = 0;
  private frameOpcode = 0;
  private frameFin = false;
  private frameLength = 0;
  private messageLength = 0;
  private parts: Buffer[] = [];
  private controlParts: Buffer[] = [];

  constructor(
    private readonly collect: boolean,
    private readonly onMessage: MessageHandler,
    private readonly onControl: ControlHandler,
  ) {}

  /** Feeds bytes as they arrive from the socket. */
  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (!this.inPayload) {
        // Header: 2 bytes, then 2 or 8 bytes of extended length, then a 4-byte mask (never from a server).
        this.header[this.headerLength++] = chunk[i++];
        if (this.headerLength < 2) continue;
        const len7 = this.header[1] & 0x7f;
        const needed = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (this.header[1] & 0x80 ? 4 : 0);
        if (this.headerLength < needed) continue;
        this.frameFin = (this.header[0] & 0x80) !== 0;
        this.frameOpcode = this.header[0] & 0x0f;
        this.frameLength =
          len7 === 126 ? this.header.readUInt16BE(2) : len7 === 127 ? Number(this.header.readBigUInt64BE(2)) : len7;
        this.headerLength = 0;
        this.remaining = this.frameLength;
        this.inPayload = true;
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      const take = Math.min(this.remaining, n - i);
      if (this.frameOpcode >= 0x8) this.controlParts.push(chunk.subarray(i, i + take));
      else if (this.collect) this.parts.push(chunk.subarray(i, i + take));
      i += take;
      this.remaining -= take;
      if (this.remaining === 0) this.endFrame();
    }
  }

  private endFrame(): void {
    this.inPayload = false;
    if (this.frameOpcode >= 0x8) {
      const payload = Buffer.concat(this.controlParts);
      this.controlParts = [];
      this.onControl(this.frameOpcode, payload);
      return;
    }
    this.messageLength += this.frameLength;
    if (!this.frameFin) return; // a fragment; the message continues in the next data frame
    const payload = this.collect
      ? this.parts.length === 1
        ? this.parts[0]
        : Buffer.concat(this.parts, this.messageLength)
      : undefined;
    const length = this.messageLength;
    this.parts = [];
    this.messageLength = 0;
    this.onMessage(length, payload);
  }
}

/** A client frame (clients must mask; a zero mask leaves the payload as is). */
export function clientFrame(opcode: number, payload: Buffer): Buffer {
  if (payload.length > 125) throw new Error("the benchmark client only sends short frames");
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x80 | opcode;
  frame[1] = 0x80 | payload.length;
  payload.copy(frame, 6);
  return frame;
}
