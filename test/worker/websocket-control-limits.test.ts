import { describe, expect, it } from "vitest";
import {
  CLIENT_MESSAGE_BURST,
  POLICY_VIOLATION,
  SNAPSHOT_INTERVAL_MS,
} from "../../durable-objects/sockets/hibernating-object";
import { batchOf, postIngest } from "./support/ingest";
import { ticker } from "./support/market";
import { openSocket, type TestSocket } from "./support/websocket";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const snapshots = (socket: TestSocket) => socket.messages.filter((m) => m.type === "snapshot");
const closed = (socket: TestSocket) =>
  new Promise<number>((resolve) => socket.ws.addEventListener("close", (e) => resolve(e.code)));

describe("WebSocket control messages are bounded", () => {
  for (const path of ["/ws/market", "/ws/prices/CTLA", "/ws/liquidations"]) {
    it(`answers snapshot requests on ${path} with at most one snapshot a second`, async () => {
      await postIngest(batchOf([ticker("upbit", "CTLA", 10)]));
      const socket = await openSocket(path);
      await socket.waitFor((m) => m.type === "snapshot");
      for (let i = 0; i < 10; i++) socket.ws.send(JSON.stringify({ op: "snapshot" }));
      // The ten requests, within a second of the first snapshot, are answered by one more snapshot,
      // and no other follows (waiting longer than the interval shows none was only late).
      await socket.waitFor((m) => m.type === "snapshot" && m !== snapshots(socket)[0], 3_000);
      await pause(SNAPSHOT_INTERVAL_MS + 300);
      expect(snapshots(socket)).toHaveLength(2);
      expect(socket.messages.some((m) => m.type === "error")).toBe(false);
      socket.close();
    });
  }

  it("closes a client that floods control messages with 1008, after an error frame", async () => {
    const socket = await openSocket("/ws/market?symbols=CTLA");
    await socket.waitFor((m) => m.type === "snapshot");
    const code = closed(socket);
    for (let i = 0; i < CLIENT_MESSAGE_BURST + 5; i++) socket.ws.send(JSON.stringify({ op: "snapshot" }));
    expect(await code).toBe(POLICY_VIOLATION);
    const error = socket.messages.find((m) => m.type === "error");
    expect(error?.error).toContain("too many messages");
    // What was sent within the burst got no more than the one coalesced snapshot.
    expect(snapshots(socket).length).toBeLessThanOrEqual(2);
  });

  it("lets a client that keeps to the rate go on: its heartbeat never counts", async () => {
    const socket = await openSocket("/ws/market?symbols=CTLA");
    await socket.waitFor((m) => m.type === "snapshot");
    for (let i = 0; i < 3 * CLIENT_MESSAGE_BURST; i++) socket.ws.send("ping");
    await socket.waitFor((m) => m.type === "text" && m.text === "pong");
    socket.ws.send(JSON.stringify({ op: "subscribe", symbols: ["CTLB"] }));
    await socket.waitFor((m) => m.type === "subscription");
    expect(socket.messages.some((m) => m.type === "error")).toBe(false);
    socket.close();
  });

  it("answers junk on a one-coin stream with an error frame, never a snapshot", async () => {
    await postIngest(batchOf([ticker("upbit", "CTLC", 10)]));
    const socket = await openSocket("/ws/prices/CTLC");
    await socket.waitFor((m) => m.type === "snapshot");
    const junk: (string | ArrayBuffer)[] = [
      "junk",
      "{",
      JSON.stringify({ op: "subscribe", symbols: ["BTC"] }),
      "x".repeat(1024 * 1024),
      new Uint8Array([0, 159, 146, 150]).buffer,
    ];
    for (const message of junk) socket.ws.send(message);
    await socket.waitFor(() => socket.messages.filter((m) => m.type === "error").length === junk.length);
    expect(snapshots(socket)).toHaveLength(1);
    const errors = socket.messages.filter((m) => m.type === "error").map((m) => m.error);
    expect(errors).toContain("messages must be JSON");
    expect(errors).toContain("messages are at most 16384 bytes");
    socket.close();
  });
});
