/**
 * The signed-in trader's live copy of their account: the account figures (`GET /api/account`), the
 * open orders and positions (`/ws/user` snapshot, then `order`, `fill` and `position` frames), the
 * latest fills, and the inbox's unread count (`notification` frames). Views subscribe to what changed.
 *
 * The private stream opens with a single-use ticket fetched at every (re)connect, and closes when the
 * session ends. Account figures that depend on prices (equity, margin, buying power) are fetched again
 * after each fill and every few seconds while the page is visible.
 */
import type { InboxNotification } from "../../../protocol/notifications";
import type { Account, Fill, Order, OrderStatus, Position } from "../../../protocol/trading";
import type { Api } from "../api";
import { LiveStream, type StreamEnvelope } from "../live-stream";
import type { Session } from "../session";

/** What one change touched. */
export interface TraderChange {
  account?: boolean;
  orders?: boolean;
  positions?: boolean;
  fills?: boolean;
  unread?: boolean;
  /** A notification that just arrived (for a toast or the inbox list). */
  notification?: InboxNotification;
  /** An order whose status just changed (for a toast). */
  order?: Order;
}

interface UserSnapshot {
  user_id: string;
  open_orders: Order[];
  positions: Position[];
}

const FILLS_KEPT = 100;
/** Statuses after which an order never changes again (protocol/trading.ts's list; that module brings zod). */
const FINAL_STATUSES: readonly OrderStatus[] = ["FILLED", "CANCELLED", "REJECTED"];
const ACCOUNT_EVERY_MS = 10_000;

/** A position's key: one per venue and market. */
export function positionKey(p: { venue: string; symbol: string }): string {
  return `${p.venue}|${p.symbol}`;
}

export class TraderState {
  account: Account | null = null;
  readonly openOrders = new Map<string, Order>();
  readonly positions = new Map<string, Position>();
  fills: Fill[] = [];
  unread = 0;
  /** Whether the stream's snapshot has arrived since sign-in. */
  loaded = false;
  readonly stream: LiveStream;
  private readonly listeners = new Set<(change: TraderChange) => void>();
  private accountTimer: ReturnType<typeof setInterval> | undefined;
  private accountDue: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly session: Session,
    private readonly api: Api,
  ) {
    this.stream = new LiveStream(() => this.streamPath(), {
      onSnapshot: (data) => this.applySnapshot(data as UserSnapshot),
      onMessage: (message) => this.applyFrame(message),
    });
    session.onChange((change) => (change.signedIn ? this.start() : this.stop()));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.session.signedIn) this.scheduleAccount(0);
    });
    if (session.signedIn) this.start();
  }

  onChange(listener: (change: TraderChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Fetches the account figures again soon (several calls in a burst make one request). */
  scheduleAccount(delayMs = 250): void {
    if (this.accountDue !== undefined) return;
    this.accountDue = setTimeout(() => {
      this.accountDue = undefined;
      void this.loadAccount();
    }, delayMs);
  }

  /** Asks the private stream for its state again (after an action that changed many things at once). */
  resync(): void {
    this.stream.resync();
    this.scheduleAccount(0);
  }

  /** Fetches the unread count again (after the inbox marked some read). */
  async loadUnread(): Promise<void> {
    const { unread } = await this.api.get<{ unread: number }>("/api/notifications/unread-count");
    this.setUnread(unread);
  }

  setUnread(count: number): void {
    if (count === this.unread) return;
    this.unread = count;
    this.emit({ unread: true });
  }

  private start(): void {
    this.stream.start();
    void this.loadAccount();
    void this.loadFills();
    void this.loadUnread().catch(() => undefined);
    clearInterval(this.accountTimer);
    this.accountTimer = setInterval(() => {
      if (document.visibilityState === "visible") this.scheduleAccount(0);
    }, ACCOUNT_EVERY_MS);
  }

  private stop(): void {
    this.stream.stop();
    clearInterval(this.accountTimer);
    clearTimeout(this.accountDue);
    this.accountDue = undefined;
    this.account = null;
    this.openOrders.clear();
    this.positions.clear();
    this.fills = [];
    this.unread = 0;
    this.loaded = false;
    this.emit({ account: true, orders: true, positions: true, fills: true, unread: true });
  }

  /** `/ws/user?ticket=...` with a fresh ticket, or null when signed out (which stops the stream). */
  private async streamPath(): Promise<string | null> {
    if (!this.session.signedIn) return null;
    const { ticket } = await this.api.post<{ ticket: string }>("/api/auth/ws-ticket");
    return `/ws/user?ticket=${encodeURIComponent(ticket)}`;
  }

  private async loadAccount(): Promise<void> {
    if (!this.session.signedIn) return;
    try {
      this.account = await this.api.get<Account>("/api/account");
      this.emit({ account: true });
    } catch {
      // Offline or signed out meanwhile: the next round tries again.
    }
  }

  private async loadFills(): Promise<void> {
    try {
      const page = await this.api.get<{ items: Fill[] }>(`/api/fills?limit=${FILLS_KEPT}`);
      const known = new Set(this.fills.map((f) => f.id));
      this.fills = [...this.fills, ...page.items.filter((f) => !known.has(f.id))]
        .sort((a, b) => b.timestamp - a.timestamp)
        .slice(0, FILLS_KEPT);
      this.emit({ fills: true });
    } catch {
      // shown empty; the stream adds fills as they happen
    }
  }

  private applySnapshot(data: UserSnapshot): void {
    this.openOrders.clear();
    for (const order of data.open_orders) this.openOrders.set(order.id, order);
    this.positions.clear();
    for (const position of data.positions)
      if (position.quantity !== 0) this.positions.set(positionKey(position), position);
    this.loaded = true;
    this.emit({ orders: true, positions: true });
    this.scheduleAccount();
  }

  private applyFrame(message: StreamEnvelope): void {
    switch (message.type) {
      case "order": {
        const order = message.data as Order;
        const before = this.openOrders.get(order.id);
        if (FINAL_STATUSES.includes(order.status)) this.openOrders.delete(order.id);
        else this.openOrders.set(order.id, order);
        this.emit({ orders: true, order: before?.status === order.status ? undefined : order });
        this.scheduleAccount();
        break;
      }
      case "fill": {
        const fill = message.data as Fill;
        if (!this.fills.some((f) => f.id === fill.id)) this.fills = [fill, ...this.fills].slice(0, FILLS_KEPT);
        this.emit({ fills: true });
        this.scheduleAccount();
        break;
      }
      case "position": {
        const position = message.data as Position;
        if (position.quantity === 0) this.positions.delete(positionKey(position));
        else this.positions.set(positionKey(position), position);
        this.emit({ positions: true });
        break;
      }
      case "notification": {
        const notification = message.data as InboxNotification;
        if (!notification.read_at) this.unread++;
        this.emit({ unread: true, notification });
        break;
      }
    }
  }

  private emit(change: TraderChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
