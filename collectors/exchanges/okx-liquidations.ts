import type { IngestEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toEpochMs, toPositive } from "../core/parse";
import { coinUnit, type FuturesMarket, liquidationEvent } from "./liquidation-event";

/** The REST stream contract values arrive on (`GET /api/v5/public/instruments?instType=SWAP`). */
export const OKX_INSTRUMENTS_STREAM = "rest /api/v5/public/instruments";

/** What one instrument's contract is worth, from the public instruments endpoint. */
interface OkxContract {
  /** `ctVal` x `ctMult`: coins per contract (linear) or USD per contract (inverse). */
  value: number;
  inverse: boolean;
}

/**
 * OKX v5 `liquidation-orders` pushes (public WebSocket, instType SWAP).
 *
 * Side: each detail carries `posSide`, the side of the liquidated position (`long`/`short`); in
 * one-way mode it is `net` and the order `side` tells it: the engine sells to close a long, so
 * `sell` = long liquidated, `buy` = short liquidated.
 * Size: `sz` is in CONTRACTS for SWAP and FUTURES: a linear contract (`BTC-USDT-SWAP`) is worth
 * `ctVal` x `ctMult` coins, an inverse one (`BTC-USD-SWAP`) `ctVal` x `ctMult` US dollars, so the coins are
 * that value / `bkPx`. Contract values come from the instruments endpoint, which the feed fetches
 * before subscribing and refreshes periodically; a liquidation of an instrument not (yet) known is
 * reported as an error rather than guessed. MARGIN sizes are already in the base currency.
 * OKX shows at most one liquidation per contract per second and says the channel "doesn't represent
 * the total number of liquidations on OKX": this feed is a sample. No liquidation id: it is derived
 * from instrument, time, sides, size and price.
 */
export class OkxLiquidationNormalizer implements Normalizer {
  private readonly contracts = new Map<string, OkxContract>();

  normalize(frame: RawFrame): NormalizeResult {
    if (frame.frame === "pong") return { kind: "control" };
    const message = parseJson(frame.frame);
    if (!isRecord(message)) return { kind: "error", error: "not a JSON object" };
    if (frame.stream.startsWith("rest ")) return this.instruments(message);
    if (typeof message.event === "string") {
      return message.event === "error"
        ? { kind: "error", error: `okx error ${String(message.code)}: ${String(message.msg)}` }
        : { kind: "control" };
    }
    if (!isRecord(message.arg) || message.arg.channel !== "liquidation-orders" || !Array.isArray(message.data)) {
      return { kind: "error", error: "not a liquidation-orders push" };
    }
    const events: IngestEvent[] = [];
    const errors: string[] = [];
    for (const instrument of message.data) {
      if (!isRecord(instrument) || !Array.isArray(instrument.details)) {
        return { kind: "error", error: "liquidation-orders item without details" };
      }
      for (const detail of instrument.details) {
        if (!isRecord(detail)) return { kind: "error", error: "liquidation detail is not an object" };
        const event = this.liquidation(instrument, detail, frame.received_at);
        if (typeof event === "string") {
          errors.push(event);
          continue;
        }
        events.push(event);
      }
    }
    // A bad item does not cost the good ones of the same frame; a frame with nothing good is an error.
    if (events.length === 0 && errors.length > 0) return { kind: "error", error: errors.join("; ") };
    return { kind: "data", events };
  }

  /** How many instruments' contract values are known. */
  get knownInstruments(): number {
    return this.contracts.size;
  }

  /** Learns contract values; a refresh adds and updates, never forgets (a failed or partial fetch loses nothing). */
  private instruments(message: Record<string, unknown>): NormalizeResult {
    if (message.code !== "0" || !Array.isArray(message.data)) {
      return { kind: "error", error: `okx instruments failed: ${String(message.code)} ${String(message.msg)}` };
    }
    for (const row of message.data) {
      if (!isRecord(row) || typeof row.instId !== "string") continue;
      const ctVal = toPositive(row.ctVal);
      if (!ctVal) continue;
      const ctMult = toPositive(row.ctMult) ?? 1;
      this.contracts.set(row.instId, { value: ctVal * ctMult, inverse: row.ctType === "inverse" });
    }
    return { kind: "control" };
  }

  private liquidation(
    instrument: Record<string, unknown>,
    detail: Record<string, unknown>,
    receivedAt: number,
  ): IngestEvent | string {
    const instId = typeof instrument.instId === "string" ? instrument.instId : "";
    const [baseAsset, quoteAsset] = instId.split("-");
    const unit = baseAsset && quoteAsset ? coinUnit("okx", baseAsset) : undefined;
    if (!unit || !quoteAsset) return `unknown instrument ${JSON.stringify(instrument.instId)}`;
    const market: FuturesMarket = { ...unit, quote: quoteAsset.toUpperCase() };
    const side = positionSide(detail.posSide, detail.side);
    if (!side) return `${instId}: posSide ${JSON.stringify(detail.posSide)} / side ${JSON.stringify(detail.side)}`;
    const size = toPositive(detail.sz);
    const price = toPositive(detail.bkPx);
    if (!size || !price) return `${instId}: no positive sz and bkPx`;
    const timestamp = toEpochMs(detail.ts);
    if (timestamp === undefined) return `${instId}: no ts`;
    let quantity = size;
    let valueUsd: number | undefined;
    if (instrument.instType !== "MARGIN") {
      const contract = this.contracts.get(instId);
      if (!contract) return `${instId}: contract value unknown (instruments not loaded)`;
      if (contract.inverse) {
        valueUsd = size * contract.value;
        quantity = valueUsd / price;
      } else {
        quantity = size * contract.value;
      }
    }
    return liquidationEvent({
      venue: "okx",
      venueSymbol: instId,
      market,
      side,
      price,
      quantity,
      ...(valueUsd !== undefined ? { valueUsd } : {}),
      timestamp,
      receivedAt,
      id: `${instId}:${timestamp}:${detail.posSide}:${detail.side}:${detail.sz}:${detail.bkPx}`,
    });
  }
}

function positionSide(posSide: unknown, side: unknown): "long" | "short" | undefined {
  if (posSide === "long" || posSide === "short") return posSide;
  if (posSide === "net" || posSide === "" || posSide === undefined) {
    if (side === "sell") return "long";
    if (side === "buy") return "short";
  }
  return undefined;
}
