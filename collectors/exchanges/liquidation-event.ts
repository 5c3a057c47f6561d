import type { LiquidationEvent } from "../../protocol/ingest";
import { resolveBase, splitConcatenated } from "../core/symbols";

/**
 * What the futures venues' liquidation adapters share: reading a futures symbol into a coin key
 * (multiplier tickers such as `1000PEPEUSDT` or `SHIB1000USDT` through `core/symbols.ts`, BitMEX's
 * `XBT`), and building the event in coin units with its USD value. Events are validated against the
 * ingest schema by the feed runner.
 */

/** Quote currencies taken as US dollars: the dollar itself and the dollar stablecoins. */
const USD_QUOTES = new Set(["USD", "USDT", "USDC", "FDUSD", "BUSD"]);

/** Quote suffixes of linear futures symbols (`core/symbols.ts` picks the longest match). */
const FUTURES_QUOTES = ["FDUSD", "USDT", "USDC", "BUSD", "USD"];

/** A coin key with the factor between the venue's unit and one coin (`1000PEPE` is 1000 PEPE). */
export interface CoinUnit {
  base: string;
  /** How many coins one venue unit is: 1000 for `1000PEPE`, 1 for `BTC`. */
  multiplier: number;
}

/** A futures market read from a venue symbol. */
export interface FuturesMarket extends CoinUnit {
  quote: string;
}

/**
 * Reads a venue's base asset into a coin key and a unit multiplier: `1000PEPE` -> PEPE x 1000,
 * `SHIB1000` -> SHIB x 1000, BitMEX's `XBT` -> BTC; undefined when it cannot be a coin key.
 */
export function coinUnit(venue: string, asset: string): CoinUnit | undefined {
  const upper = asset.toUpperCase();
  return resolveBase(venue, upper === "XBT" ? "BTC" : upper) ?? undefined;
}

/**
 * Splits a linear futures symbol (`BTCUSDT`, `1000PEPEUSDT`, `BTCUSDT_250328`, `BTCUSDT-27MAR26`)
 * into coin, quote and multiplier; undefined when no dollar quote ends it.
 */
export function splitFuturesSymbol(venue: string, symbol: string): FuturesMarket | undefined {
  const split = splitConcatenated(symbol.split(/[_-]/)[0] ?? "", FUTURES_QUOTES);
  const unit = split && coinUnit(venue, split.base);
  return unit && split ? { ...unit, quote: split.quote } : undefined;
}

/** Whether a quote currency is taken as US dollars. */
export function isUsdQuote(quote: string): boolean {
  return USD_QUOTES.has(quote.toUpperCase());
}

/** The fields an adapter knows about one liquidation, in the venue's own units. */
export interface LiquidationFields {
  venue: LiquidationEvent["venue"];
  venueSymbol: string;
  market: FuturesMarket;
  side: "long" | "short";
  /** Price per venue unit (per `1000PEPE` for a x1000 market), in the quote currency. */
  price: number;
  /** Quantity in venue units (contracts already converted into the venue's base unit). */
  quantity: number;
  /** Notional in USD when the adapter computed it itself (inverse and quanto contracts). */
  valueUsd?: number;
  timestamp: number;
  receivedAt: number;
  id: string;
}

/**
 * Builds a liquidation event in coin units: the x1000 multiplier applied to price and quantity, the
 * value unchanged; the value computed as quantity x price for dollar quotes unless given.
 */
export function liquidationEvent(fields: LiquidationFields): LiquidationEvent {
  const { market } = fields;
  const quantity = fields.quantity * market.multiplier;
  const price = fields.price / market.multiplier;
  const valueUsd = fields.valueUsd ?? (isUsdQuote(market.quote) ? fields.quantity * fields.price : undefined);
  return {
    kind: "liquidation",
    venue: fields.venue,
    base: market.base,
    quote: market.quote,
    venue_symbol: fields.venueSymbol,
    side: fields.side,
    price,
    quantity,
    ...(valueUsd !== undefined ? { value_usd: valueUsd } : {}),
    timestamp: fields.timestamp,
    received_at: fields.receivedAt,
    id: fields.id,
  };
}
