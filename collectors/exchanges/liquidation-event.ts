import { LiquidationEvent, type LiquidationEvent as LiquidationEventType } from "../../protocol/ingest";

/**
 * What the futures venues' liquidation adapters share: reading a futures symbol into a coin key
 * (multiplier tickers such as `1000PEPEUSDT` or `SHIB1000USDT` included), parsing the venues' number
 * strings once, converting a quote-currency value into USD, and validating the finished event against
 * the ingest contract so a frame that would be rejected by the Worker is reported here instead.
 */

/** Quote currencies taken as US dollars: the dollar itself and the dollar stablecoins. */
const USD_QUOTES = new Set(["USD", "USDT", "USDC", "FDUSD", "BUSD"]);

/** Quote suffixes of linear futures symbols, longest first so `FDUSD` wins over `USD`. */
const QUOTE_SUFFIXES = ["FDUSD", "USDT", "USDC", "BUSD", "USD"];

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

/** Venues write Bitcoin as XBT (BitMEX); the coin key is BTC everywhere. */
const ASSET_ALIASES: Record<string, string> = { XBT: "BTC" };

/**
 * Reads a venue's base asset into a coin key and a unit multiplier: `1000PEPE` -> PEPE x 1000,
 * `1MBABYDOGE` -> BABYDOGE x 1e6, `SHIB1000` -> SHIB x 1000, `XBT` -> BTC. Names that merely start
 * with a digit (`1INCH`) are kept as they are.
 */
export function coinUnit(asset: string): CoinUnit {
  const upper = asset.toUpperCase();
  const prefix = /^(10{3,})([A-Z][A-Z0-9]*)$/.exec(upper);
  if (prefix) return { base: alias(prefix[2]), multiplier: Number(prefix[1]) };
  const million = /^1M([A-Z][A-Z0-9]*)$/.exec(upper);
  if (million) return { base: alias(million[1]), multiplier: 1_000_000 };
  const suffix = /^([A-Z]+)(10{3,})$/.exec(upper);
  if (suffix) return { base: alias(suffix[1]), multiplier: Number(suffix[2]) };
  return { base: alias(upper), multiplier: 1 };
}

function alias(asset: string): string {
  return ASSET_ALIASES[asset] ?? asset;
}

/**
 * Splits a linear futures symbol (`BTCUSDT`, `1000PEPEUSDT`, `BTCUSDT_250328`, `BTCUSDT-27MAR26`)
 * into coin, quote and multiplier; undefined when no known quote ends it.
 */
export function splitFuturesSymbol(symbol: string): FuturesMarket | undefined {
  const contract = symbol.toUpperCase().split(/[_-]/)[0];
  for (const quote of QUOTE_SUFFIXES) {
    if (contract.length > quote.length && contract.endsWith(quote)) {
      return { ...coinUnit(contract.slice(0, -quote.length)), quote };
    }
  }
  return undefined;
}

/** Whether a quote currency is taken as US dollars. */
export function isUsdQuote(quote: string): boolean {
  return USD_QUOTES.has(quote.toUpperCase());
}

/** Parses a venue number (string or JSON number) once; undefined unless finite and strictly positive. */
export function positiveNumber(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** Parses a venue timestamp in ms (string or number); undefined unless a non-negative integer. */
export function epochMs(value: unknown): number | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Whether a value is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a frame's text as JSON; undefined for anything that is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The fields an adapter knows about one liquidation, in the venue's own units. */
export interface LiquidationFields {
  venue: LiquidationEventType["venue"];
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
 * Builds a liquidation event in coin units (the x1000 multiplier applied to price and quantity, the
 * value unchanged) and validates it against the ingest contract. Returns the reason when it fails.
 */
export function liquidationEvent(fields: LiquidationFields): LiquidationEventType | string {
  const { market } = fields;
  const quantity = fields.quantity * market.multiplier;
  const price = fields.price / market.multiplier;
  const valueUsd = fields.valueUsd ?? (isUsdQuote(market.quote) ? fields.quantity * fields.price : undefined);
  const candidate: LiquidationEventType = {
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
  const parsed = LiquidationEvent.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `${fields.venueSymbol}: ${issue.path.join(".") || "event"} ${issue.message}`;
}
