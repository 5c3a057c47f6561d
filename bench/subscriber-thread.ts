/**
 * A worker thread holding a share of the benchmark's WebSocket subscribers. Sockets speak raw
 * RFC 6455 over `net` (see frame-reader.ts): most only count messages and bytes; sampled ones
 * also read the coins and newest tick timestamps of each message (see update-scanner.ts), and with
 * `parse` decode it with JSON.parse first. A message counts as read when its last byte has arrived
 * (with `parse`: once it is parsed). The thread also notes when each socket was opened, upgraded and
 * got its first message, for the connect storm (bench/connect-storm.ts).
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { parentPort, workerData } from "node:worker_threads";
import { clientFrame, FrameReader } from "./frame-reader";
import type {
  CollectReply,
  MeasureWindow,
  SocketSpec,
  StormCommand,
  StormReply,
  SubscriberThreadConfig,
  ThreadCommand,
  ThreadReply,
} from "./subscriber-protocol";
import { scanMessage, scanParsed } from "./update-scanner";

const config = workerData as SubscriberThreadConfig;
const coinIndex = new Map(config.coins.map((symbol, i) => [symbol, i]));
const CONNECT_CONCURRENCY = 20;
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** Like the dashboard (web/src/live-stream.ts): a text `ping` every 20 s, which the server requires. */
const PING_EVERY_MS = 20_000;
const PING = clientFrame(0x1, Buffer.from("ping"));
/** The runtime's auto-response to `ping` is the 4-byte text `pong`; updates are never that short. */
const PONG_LENGTH = 4;

let now = 0;
let window: MeasureWindow = { measureStart: Infinity, measureEnd: Infinity, recordUntil: -Infinity };
let totalMessages = 0;
let lastReceive = 0;
let windowMessages = 0;
let windowBytes = 0;
let sampledMessages = 0;
let sampledEntries = 0;
let perSocket = new Uint32Array(config.sockets.length);
let records = new Float64Array(4096);
let recordLength = 0;
let closed = 0;
let elu = 0;
const openedAt = new Float64Array(config.sockets.length).fill(Number.NaN);
const upgradedAt = new Float64Array(config.sockets.length).fill(Number.NaN);
const firstMessageAt = new Float64Array(config.sockets.length).fill(Number.NaN);
let windowTimers: ReturnType<typeof setTimeout>[] = [];
const sockets: Socket[] = [];

function record(socketId: number, coin: number, ts: number, at: number): void {
  if (recordLength + 4 > records.length) {
    const grown = new Float64Array(records.length * 2);
    grown.set(records);
    records = grown;
  }
  records[recordLength++] = socketId;
  records[recordLength++] = coin;
  records[recordLength++] = ts;
  records[recordLength++] = at;
}

function open(spec: SocketSpec, local: number): Promise<void> {
  return new Promise((resolve, reject) => {
    openedAt[local] = Date.now();
    const socket = connect({ host: "127.0.0.1", port: config.port });
    socket.setNoDelay(true);
    let upgraded = false;
    let head = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`handshake timeout on ${spec.path}`));
    }, HANDSHAKE_TIMEOUT_MS);

    const reader = new FrameReader(
      spec.sampled,
      (length, payload) => {
        if (length === PONG_LENGTH) return;
        if (Number.isNaN(firstMessageAt[local])) firstMessageAt[local] = now;
        totalMessages++;
        lastReceive = now;
        const inWindow = now >= window.measureStart && now < window.measureEnd;
        if (inWindow) {
          windowMessages++;
          windowBytes += length;
          perSocket[local]++;
        }
        if (payload === undefined) return;
        const recording = now >= window.measureStart && now <= window.recordUntil;
        let at = now;
        const onEntry = (symbol: string, ts: number) => {
          if (!recording || ts < window.measureStart) return;
          const coin = coinIndex.get(symbol);
          if (coin !== undefined) record(spec.id, coin, ts, at);
        };
        let entries: number;
        if (config.parse) {
          const message: unknown = JSON.parse(payload.toString("utf8"));
          at = Date.now();
          entries = scanParsed(config.mode, message, onEntry);
        } else {
          entries = scanMessage(config.mode, payload, onEntry);
        }
        if (inWindow && entries > 0) {
          sampledMessages++;
          sampledEntries += entries;
        }
      },
      (opcode, payload) => {
        if (opcode === 0x9) socket.write(clientFrame(0xa, payload));
        else if (opcode === 0x8) socket.end(clientFrame(0x8, payload.subarray(0, 2)));
      },
    );

    socket.on("connect", () => {
      const key = randomBytes(16).toString("base64");
      socket.write(
        `GET ${spec.path} HTTP/1.1\r\nHost: 127.0.0.1:${config.port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      now = Date.now();
      if (upgraded) {
        reader.push(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end === -1) return;
      clearTimeout(timer);
      const status = head.toString("latin1", 0, head.indexOf("\r\n"));
      if (!/^HTTP\/1\.1 101/.test(status)) {
        socket.destroy();
        reject(new Error(`${spec.path}: ${status}`));
        return;
      }
      upgraded = true;
      upgradedAt[local] = now;
      sockets.push(socket);
      const first = setTimeout(() => {
        socket.write(PING);
        const beat = setInterval(() => socket.write(PING), PING_EVERY_MS);
        socket.once("close", () => clearInterval(beat));
      }, Math.random() * PING_EVERY_MS);
      socket.once("close", () => clearTimeout(first));
      resolve();
      const rest = head.subarray(end + 4);
      if (rest.length > 0) reader.push(rest);
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      if (!upgraded) reject(error);
    });
    socket.on("close", () => {
      if (upgraded) closed++;
    });
  });
}

async function connectAll(): Promise<ThreadReply> {
  let next = 0;
  let connected = 0;
  let failed = 0;
  let firstError: string | null = null;
  const lane = async () => {
    while (next < config.sockets.length) {
      const local = next++;
      try {
        await open(config.sockets[local], local);
        connected++;
      } catch (error) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, lane));
  return { type: "connect", connected, failed, firstError };
}

/** Opens every socket at its time in the storm; answers when all have their first message, or at the timeout. */
async function storm(command: StormCommand): Promise<StormReply> {
  let failed = 0;
  let firstError: string | null = null;
  const opened = config.sockets.map(
    (spec, local) =>
      new Promise<void>((resolve) => {
        const at = command.startAt + (command.spreadMs * spec.id) / command.total;
        setTimeout(
          () =>
            open(spec, local).then(resolve, (error: unknown) => {
              failed++;
              firstError ??= error instanceof Error ? error.message : String(error);
              resolve();
            }),
          Math.max(0, at - Date.now()),
        );
      }),
  );
  await Promise.all(opened);
  const deadline = Date.now() + command.timeoutMs;
  while (Date.now() < deadline && firstMessageAt.some((t, i) => Number.isNaN(t) && !Number.isNaN(upgradedAt[i]))) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    type: "storm",
    openedAt: [...openedAt],
    upgradedAt: [...upgradedAt],
    firstMessageAt: [...firstMessageAt],
    failed,
    firstError,
  };
}

function setWindow(w: MeasureWindow): void {
  for (const t of windowTimers) clearTimeout(t);
  window = w;
  windowMessages = 0;
  windowBytes = 0;
  sampledMessages = 0;
  sampledEntries = 0;
  perSocket = new Uint32Array(config.sockets.length);
  records = new Float64Array(4096);
  recordLength = 0;
  elu = 0;
  let start = performance.eventLoopUtilization();
  windowTimers = [
    setTimeout(() => {
      start = performance.eventLoopUtilization();
    }, w.measureStart - Date.now()),
    setTimeout(() => {
      elu = performance.eventLoopUtilization(start).utilization;
    }, w.measureEnd - Date.now()),
  ];
}

function collect(): CollectReply {
  return {
    type: "collect",
    windowMessages,
    windowBytes,
    perSocketMessages: [...perSocket],
    sampledMessages,
    sampledEntries,
    records: records.slice(0, recordLength),
    eventLoopUtilization: elu,
    closed,
  };
}

async function closeAll(): Promise<void> {
  await Promise.all(
    sockets.splice(0).map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.destroyed) return resolve();
          socket.once("close", () => resolve());
          socket.end(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
          setTimeout(() => socket.destroy(), 2000).unref();
        }),
    ),
  );
  closed = 0;
  totalMessages = 0;
  openedAt.fill(Number.NaN);
  upgradedAt.fill(Number.NaN);
  firstMessageAt.fill(Number.NaN);
}

parentPort?.on("message", async (command: ThreadCommand) => {
  let reply: ThreadReply;
  switch (command.type) {
    case "connect":
      reply = await connectAll();
      break;
    case "storm":
      reply = await storm(command);
      break;
    case "window":
      setWindow(command);
      reply = { type: "window" };
      break;
    case "progress":
      reply = { type: "progress", totalMessages, lastReceive, open: sockets.filter((s) => !s.destroyed).length };
      break;
    case "collect": {
      const result = collect();
      parentPort?.postMessage(result, [result.records.buffer as ArrayBuffer]);
      return;
    }
    case "close":
      await closeAll();
      reply = { type: "close" };
      break;
  }
  parentPort?.postMessage(reply);
});
