import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { errorMessage, type Logger, silentLogger } from "../core/log";
import { MarketModel, type MarketModelOptions } from "./market-model";
import { seededRandom } from "./random";
import type { SimContext, SimHttpRequest, SimHttpResponse, SimSendOptions, SimSocket, SimVenue } from "./sim-venue";
import { SIM_VENUES } from "./venues";

/** Options of {@link VenueSimulator.start}. */
export interface SimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** The venue modules; default: every registered one. */
  venues?: readonly SimVenue[];
  market?: MarketModelOptions;
  /** How often the random walk advances (ms). Default 250. */
  stepMs?: number;
  log?: Logger;
  seed?: number;
}

/** Answers the simulator gives a test in place of a venue module's own (429s, fixtures, errors). */
export type SimInterceptor = (req: SimHttpRequest) => SimHttpResponse | undefined;

interface Client {
  venue: string;
  ws: WebSocket;
  socket: SimSocket;
}

const RING = 500;
/** Request times kept per venue (for requests-per-second measurements). */
const TIMELINE = 500_000;

/** One REST request as the simulator saw it. */
export interface SimRequestRecord {
  /** When it arrived (ms). */
  at: number;
  /** The venue's own path, without the query (`/v1/candles/minutes/1`). */
  path: string;
}

/**
 * A local server speaking each venue's wire protocol (REST and WebSocket, the real message shapes) over
 * one port: `http://host:port/<venue>/<endpoint key>/<the venue's own path>`. It runs a shared random-walk
 * market so the collectors run unchanged against it by swapping base URLs (see `simulatedEndpoints`).
 * Tests drive failures through it: dropped connections, silence, injected frames, scripted REST answers.
 */
export class VenueSimulator {
  readonly market: MarketModel;
  private readonly modules = new Map<string, SimVenue>();
  private readonly clients = new Set<Client>();
  private readonly silent = new Set<string>();
  private readonly interceptors = new Map<string, SimInterceptor[]>();
  private readonly received = new Map<string, string[]>();
  private readonly requestLog = new Map<string, string[]>();
  private readonly timeline = new Map<string, SimRequestRecord[]>();
  private readonly pongCounts = new Map<string, number>();
  private readonly connectCounts = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly ctx: SimContext;
  private readonly wss = new WebSocketServer({ noServer: true });
  private server!: Server;
  url = "";
  port = 0;

  private constructor(private readonly options: SimulatorOptions) {
    this.market = new MarketModel({ seed: options.seed, ...options.market });
    for (const m of options.venues ?? SIM_VENUES) this.modules.set(m.venue, m);
    const log = (options.log ?? silentLogger).child("simulator");
    this.ctx = {
      market: this.market,
      random: seededRandom((options.seed ?? 7) + 99),
      log,
      every: (ms, fn) => {
        const t = setInterval(() => {
          try {
            fn();
          } catch (error) {
            log.error("simulated venue task failed", { error: errorMessage(error) });
          }
        }, ms);
        this.timers.add(t);
        return () => {
          clearInterval(t);
          this.timers.delete(t);
        };
      },
    };
  }

  /** Starts the server and the market's random walk. */
  static async start(options: SimulatorOptions = {}): Promise<VenueSimulator> {
    const sim = new VenueSimulator(options);
    await sim.listen();
    return sim;
  }

  private async listen(): Promise<void> {
    this.server = createServer((req, res) => this.onHttp(req, res));
    this.server.on("upgrade", (req, socket, head) => {
      const route = this.route(req.url ?? "/");
      const module = route && this.modules.get(route.venue);
      if (!route || !module?.connect) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, route, module));
    });
    const host = this.options.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://${host}:${this.port}`;
    const stepMs = this.options.stepMs ?? 250;
    this.ctx.every(stepMs, () => this.market.step(stepMs));
    for (const m of this.modules.values()) m.start?.(this.ctx);
  }

  private route(rawUrl: string): { venue: string; endpoint: string; path: string; query: URLSearchParams } | null {
    const url = new URL(rawUrl, "http://sim");
    const parts = url.pathname.split("/");
    const venue = parts[1];
    const endpoint = parts[2];
    if (!venue || !endpoint) return null;
    const rest = parts.slice(3).join("/");
    return { venue, endpoint, path: `/${rest}`, query: url.searchParams };
  }

  private remember(map: Map<string, string[]>, venue: string, entry: string): void {
    let list = map.get(venue);
    if (!list) {
      list = [];
      map.set(venue, list);
    }
    list.push(entry);
    if (list.length > RING) list.splice(0, list.length - RING);
  }

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const route = this.route(req.url ?? "/");
    if (!route) {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ simulator: true, venues: [...this.modules.keys()] }));
      return;
    }
    const request: SimHttpRequest = {
      method: req.method ?? "GET",
      endpoint: route.endpoint,
      path: route.path,
      query: route.query,
      headers: req.headers,
    };
    this.remember(this.requestLog, route.venue, `${request.method} ${route.endpoint} ${route.path}`);
    let times = this.timeline.get(route.venue);
    if (!times) {
      times = [];
      this.timeline.set(route.venue, times);
    }
    times.push({ at: Date.now(), path: route.path });
    if (times.length > TIMELINE) times.splice(0, times.length - TIMELINE);
    let answer: SimHttpResponse | undefined;
    for (const intercept of this.interceptors.get(route.venue) ?? []) {
      answer = intercept(request);
      if (answer) break;
    }
    try {
      answer ??= this.modules.get(route.venue)?.http?.(request, this.ctx);
    } catch (error) {
      answer = { status: 500, body: { error: { name: "500", message: errorMessage(error) } } };
    }
    answer ??= { status: 404, body: { error: { name: 404, message: "Code not found" } } };
    const body = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status ?? 200, { "Content-Type": "application/json; charset=utf-8", ...answer.headers });
    res.end(body);
  }

  private onConnection(
    ws: WebSocket,
    route: { venue: string; endpoint: string; path: string; query: URLSearchParams },
    module: SimVenue,
  ): void {
    const venue = route.venue;
    this.connectCounts.set(venue, (this.connectCounts.get(venue) ?? 0) + 1);
    const socket: SimSocket = {
      endpoint: route.endpoint,
      path: route.path,
      query: route.query,
      get open() {
        return ws.readyState === WebSocket.OPEN;
      },
      send: (text: string, options: SimSendOptions = {}) => {
        if (ws.readyState !== WebSocket.OPEN) return;
        if (this.silent.has(venue) && !options.control) return;
        ws.send(options.binary ? Buffer.from(text, "utf8") : text, { binary: options.binary === true });
      },
      ping: () => {
        if (ws.readyState === WebSocket.OPEN) ws.ping();
      },
      close: (code, reason) => ws.close(code, reason),
      onMessage: (handler) =>
        ws.on("message", (data, isBinary) => {
          const text = isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString();
          handler(text);
        }),
      onPong: (handler) => ws.on("pong", handler),
      onClose: (handler) => ws.on("close", handler),
    };
    const client: Client = { venue, ws, socket };
    this.clients.add(client);
    ws.on("message", (data) => this.remember(this.received, venue, data.toString()));
    ws.on("pong", () => this.pongCounts.set(venue, (this.pongCounts.get(venue) ?? 0) + 1));
    ws.on("close", () => this.clients.delete(client));
    ws.on("error", () => this.clients.delete(client));
    module.connect?.(socket, this.ctx);
  }

  // --- controls for tests and demos ----------------------------------------------------------

  /** Cuts every WebSocket client of a venue without a close handshake (a dropped connection); returns how many. */
  dropConnections(venue: string): number {
    let n = 0;
    for (const c of [...this.clients]) {
      if (c.venue !== venue) continue;
      c.ws.terminate();
      this.clients.delete(c);
      n++;
    }
    return n;
  }

  /** While silent, a venue's sockets stay open and answer keep-alives but send no market data. */
  setSilent(venue: string, silent: boolean): void {
    if (silent) this.silent.add(venue);
    else this.silent.delete(venue);
  }

  /** Sends a raw frame (a fixture, garbage) to every connected client of a venue; returns how many got it. */
  broadcast(venue: string, text: string, options: { binary?: boolean } = {}): number {
    let n = 0;
    for (const c of this.clients) {
      if (c.venue !== venue || c.ws.readyState !== WebSocket.OPEN) continue;
      c.ws.send(options.binary ? Buffer.from(text, "utf8") : text, { binary: options.binary === true });
      n++;
    }
    return n;
  }

  /** Answers a venue's REST requests with `handler` first (undefined falls through); returns a remover. */
  intercept(venue: string, handler: SimInterceptor): () => void {
    const list = this.interceptors.get(venue) ?? [];
    list.push(handler);
    this.interceptors.set(venue, list);
    return () => {
      const current = this.interceptors.get(venue) ?? [];
      this.interceptors.set(
        venue,
        current.filter((h) => h !== handler),
      );
    };
  }

  /** Open WebSocket clients of a venue. */
  connections(venue: string): number {
    let n = 0;
    for (const c of this.clients) if (c.venue === venue && c.ws.readyState === WebSocket.OPEN) n++;
    return n;
  }

  /** WebSocket connections a venue accepted since the start. */
  connectionsAccepted(venue: string): number {
    return this.connectCounts.get(venue) ?? 0;
  }

  /** The last text frames clients sent to a venue (subscriptions, PINGs). */
  clientMessages(venue: string): string[] {
    return [...(this.received.get(venue) ?? [])];
  }

  /** Pong frames received from a venue's clients (answers to the server's pings). */
  pongs(venue: string): number {
    return this.pongCounts.get(venue) ?? 0;
  }

  /** The last REST requests to a venue (`GET rest /v1/market/all`). */
  requests(venue: string): string[] {
    return [...(this.requestLog.get(venue) ?? [])];
  }

  /**
   * The REST requests a venue received (the latest 500 000), with their arrival times: tests and the
   * benchmark measure requests per second from them. `pathPrefix` keeps those of one API.
   */
  requestTimeline(venue: string, pathPrefix = ""): SimRequestRecord[] {
    return (this.timeline.get(venue) ?? []).filter((r) => r.path.startsWith(pathPrefix));
  }

  /** Stops the server, its clients and its timers. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
