/**
 * A WebSocket to one of the Worker's streams that stays up: it reconnects with backoff after a
 * drop, sends a text `ping` heartbeat (answered `pong` by the runtime without waking the object),
 * treats a silent socket as dead, and keeps `seq` honest: when an update's `seq` is not the one
 * after the last, it asks for a new snapshot (`{"op":"snapshot"}`) and ignores updates until it
 * arrives. A reconnect starts with the server's snapshot, so the client resumes with full state.
 */

/** What the stream tells the page about its connection. */
export type StreamStatus = "connecting" | "live" | "reconnecting";

/** A server message on any of our streams: `snapshot` first, then `update`s (or other types) with increasing `seq`. */
export interface StreamEnvelope {
  type: string;
  seq: number;
  data?: unknown;
  error?: string;
}

export interface LiveStreamHandlers {
  /** A full state; replaces whatever the page had. */
  onSnapshot(data: unknown): void;
  /** Any later message in order (`update`, or a stream's own types such as `liquidation`). */
  onMessage(message: StreamEnvelope): void;
  onStatus?(status: StreamStatus): void;
}

const PING_EVERY_MS = 20_000;
const SILENCE_LIMIT_MS = 50_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 15_000;

/** A self-healing subscription to a `/ws/...` path on this origin. */
export class LiveStream {
  private socket: WebSocket | undefined;
  private lastSeq: number | undefined;
  private awaitingSnapshot = true;
  private attempts = 0;
  private lastHeard = 0;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** True while the path (a ticket, say) is being fetched, so a second open does not start. */
  private opening = false;
  private currentStatus: StreamStatus = "connecting";
  /** How many times the stream saw a gap in `seq` and asked for a new snapshot. */
  gaps = 0;

  constructor(
    /**
     * The path to connect to, read at every (re)connect so it can carry the current filters or a
     * fresh single-use ticket (`/ws/user?ticket=`); null stops the stream (e.g. signed out).
     */
    private readonly path: () => string | null | Promise<string | null>,
    private readonly handlers: LiveStreamHandlers,
  ) {
    window.addEventListener("online", () => this.reconnectNow());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.socket?.readyState !== WebSocket.OPEN) this.reconnectNow();
    });
  }

  get status(): StreamStatus {
    return this.currentStatus;
  }

  start(): void {
    this.stopped = false;
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.heartbeat);
    this.socket?.close(1000, "bye");
  }

  /** Sends a client message (`subscribe`, `snapshot`, ...) if the socket is open. */
  send(message: object): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** Drops what follows until a new snapshot arrives, and asks for one (the page's state went wrong). */
  resync(): void {
    this.awaitingSnapshot = true;
    this.send({ op: "snapshot" });
  }

  private url(path: string): string {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    return `${proto}//${location.host}${path}`;
  }

  private setStatus(status: StreamStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.handlers.onStatus?.(status);
  }

  private async open(): Promise<void> {
    if (this.opening) return;
    clearTimeout(this.retry);
    this.awaitingSnapshot = true;
    this.lastSeq = undefined;
    let ws: WebSocket;
    this.opening = true;
    try {
      const path = await this.path();
      if (this.stopped) return;
      if (path === null) {
        this.stop();
        return;
      }
      ws = new WebSocket(this.url(path));
    } catch {
      this.scheduleReconnect();
      return;
    } finally {
      this.opening = false;
    }
    this.socket = ws;
    ws.onopen = () => {
      this.lastHeard = Date.now();
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.beat(), PING_EVERY_MS);
    };
    ws.onmessage = (event) => {
      if (ws !== this.socket) return;
      this.lastHeard = Date.now();
      if (typeof event.data !== "string" || event.data === "pong") return;
      let message: StreamEnvelope;
      try {
        message = JSON.parse(event.data) as StreamEnvelope;
      } catch {
        return;
      }
      this.receive(message);
    };
    ws.onclose = () => {
      if (ws !== this.socket) return;
      clearInterval(this.heartbeat);
      this.socket = undefined;
      if (!this.stopped) this.scheduleReconnect();
    };
    ws.onerror = () => {
      // onclose follows and reconnects.
    };
  }

  private receive(message: StreamEnvelope): void {
    if (message.type === "error") return; // our own malformed request; the socket stays open
    if (message.type === "snapshot") {
      this.lastSeq = message.seq;
      this.awaitingSnapshot = false;
      this.attempts = 0;
      this.setStatus("live");
      this.handlers.onSnapshot(message.data);
      return;
    }
    if (this.awaitingSnapshot) return;
    if (this.lastSeq !== undefined && message.seq !== this.lastSeq + 1) {
      // A message went missing: what we hold may be wrong, so start over from a snapshot.
      this.gaps++;
      this.resync();
      return;
    }
    this.lastSeq = message.seq;
    this.handlers.onMessage(message);
  }

  private beat(): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
      // Half-open connection (laptop slept, NAT dropped it): give up on it and reconnect.
      this.socket = undefined;
      ws.close();
      this.scheduleReconnect();
      return;
    }
    ws.send("ping");
  }

  private scheduleReconnect(): void {
    clearTimeout(this.retry);
    this.setStatus("reconnecting");
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** this.attempts);
    this.attempts++;
    const delay = base / 2 + Math.random() * (base / 2);
    this.retry = setTimeout(() => void this.open(), delay);
  }

  private reconnectNow(): void {
    if (this.stopped || this.socket?.readyState === WebSocket.OPEN || this.socket?.readyState === WebSocket.CONNECTING)
      return;
    this.attempts = 0;
    void this.open();
  }
}
