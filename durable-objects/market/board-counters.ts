/**
 * What the board counts for `/metrics` since this instance started (Prometheus copes with resets):
 * ingest batches by outcome and events applied, the coins' alert evaluations and firings and their
 * open `/ws/prices/{symbol}` sockets, as each coin's object last answered a delivery. Also the one
 * JSON log line per batch, with the gateway's request id.
 */
import type { IngestBatch } from "../../protocol/ingest";

export type BatchOutcome = "applied" | "duplicate" | "conflict";

/** What a coin's object answers a delivery with (the part the board counts). */
export interface DeliveryAnswer {
  alert_evaluations: number;
  alerts_fired: number;
  subscribers: number;
}

export class BoardCounters {
  private readonly totals = {
    batches_applied: 0,
    batches_duplicate: 0,
    batches_conflict: 0,
    events_applied: 0,
    alert_evaluations: 0,
    alerts_fired: 0,
  };
  /** Open `/ws/prices/{symbol}` sockets per coin (those with any). */
  private readonly coinSubscribers = new Map<string, number>();

  /** Counts a batch by its outcome and logs it. */
  batch(batch: IngestBatch, outcome: BatchOutcome, requestId: string | undefined): void {
    if (outcome === "applied") {
      this.totals.batches_applied++;
      this.totals.events_applied += batch.events.length;
    } else {
      this.totals[outcome === "conflict" ? "batches_conflict" : "batches_duplicate"]++;
    }
    console.log(
      JSON.stringify({
        msg: "ingest batch",
        request_id: requestId,
        batch_id: batch.batch_id,
        outcome,
        events: batch.events.length,
      }),
    );
  }

  /** Keeps what a coin's object answered a delivery with. */
  delivery(base: string, answer: DeliveryAnswer): void {
    this.totals.alert_evaluations += answer.alert_evaluations;
    this.totals.alerts_fired += answer.alerts_fired;
    if (answer.subscribers > 0) this.coinSubscribers.set(base, answer.subscribers);
    else this.coinSubscribers.delete(base);
  }

  /** Open `/ws/prices/{symbol}` sockets over every coin. */
  coinSockets(): number {
    let total = 0;
    for (const n of this.coinSubscribers.values()) total += n;
    return total;
  }

  snapshot() {
    return { ...this.totals };
  }
}
