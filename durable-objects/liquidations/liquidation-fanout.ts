/**
 * WebSocket fan-out of liquidations for the LiquidationFeed (the sibling of `sharded-fanout.ts`, without shards).
 *
 * Liquidations are events, not states, so they can't be conflated to "the latest wins"; instead
 * they are batched: producers `push` as often as they like, and at most once per `intervalMs` each
 * socket receives one `update` with the new liquidations that pass its filters (at most
 * `MAX_PER_MESSAGE`, the rest counted in `dropped`) and the current summary. The work and the
 * memory per socket are bounded by the flush rate, not by the liquidation rate.
 *
 * Per-socket state (filters, snapshot size, seq) lives in the socket's attachment (`SocketRoster`), so
 * it survives hibernation; the roster closes sockets whose client went silent.
 */
import { type Liquidation, type LiquidationFilter, matchesFilter } from "../../protocol/liquidations";
import type { SocketBase, SocketRoster } from "../sockets/socket-roster";

/** What each `/ws/liquidations` socket remembers across hibernation. */
export interface LiquidationSocketState extends SocketBase {
  filter: LiquidationFilter;
  /** How many liquidations a snapshot carries. */
  limit: number;
}

/** Renders what a flush sends; called once per flush and shared by every socket. */
export interface LiquidationFanoutSource {
  /** One liquidation as JSON (with its KRW value at the current rate). */
  renderLiquidation(l: Omit<Liquidation, "value_krw">): string;
  /** The current summary as JSON. */
  renderSummary(): string;
}

/** Most liquidations in one update; more within one interval are counted in `dropped`. */
export const MAX_PER_MESSAGE = 500;
/** Most liquidations held between flushes (a flush is at most `intervalMs` away, so this is a burst bound). */
const MAX_PENDING = 5000;

export class LiquidationFanout {
  private pending: Omit<Liquidation, "value_krw">[] = [];
  private overflow = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sockets: SocketRoster<LiquidationSocketState>,
    private readonly source: LiquidationFanoutSource,
    private readonly intervalMs: number,
  ) {}

  /** Queues newly counted liquidations for the next flush (nothing is kept when no socket is open). */
  push(liquidations: Omit<Liquidation, "value_krw">[]): void {
    if (liquidations.length === 0 || this.sockets.count() === 0) return;
    this.pending.push(...liquidations);
    if (this.pending.length > MAX_PENDING) {
      this.overflow += this.pending.length - MAX_PENDING;
      this.pending = this.pending.slice(-MAX_PENDING);
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.intervalMs);
    }
  }

  /** Sends every socket the new liquidations that pass its filters and the summary. */
  flush(): void {
    this.sockets.closeStalled();
    if (this.pending.length === 0) return;
    const batch = this.pending.sort((a, b) => a.timestamp - b.timestamp);
    const overflow = this.overflow;
    this.pending = [];
    this.overflow = 0;
    const summary = this.source.renderSummary();
    const rendered = new Map<Omit<Liquidation, "value_krw">, string>();
    const render = (l: Omit<Liquidation, "value_krw">): string => {
      let json = rendered.get(l);
      if (json === undefined) {
        json = this.source.renderLiquidation(l);
        rendered.set(l, json);
      }
      return json;
    };
    for (const [ws, state] of this.sockets.entries()) {
      const matching = batch.filter((l) => matchesFilter(l, state.filter));
      const kept = matching.slice(-MAX_PER_MESSAGE);
      // Overflowed liquidations were never filtered; report them to every socket, as an upper bound.
      const dropped = matching.length - kept.length + overflow;
      const members = [`"liquidations":[${kept.map(render).join(",")}]`, `"summary":${summary}`];
      if (dropped > 0) members.push(`"dropped":${dropped}`);
      this.sockets.sendNumbered(ws, "update", `"data":{${members.join(",")}}`);
    }
  }
}
