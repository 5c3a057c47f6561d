import { env, exports } from "cloudflare:workers";
import type { LiquidationEvent } from "../../../protocol/ingest";
import { TOKEN } from "./ingest";

/** A normalised liquidation event as a collector would post it; `id` is unique unless given. */
export function liquidation(
  venue: LiquidationEvent["venue"],
  base: string,
  side: LiquidationEvent["side"],
  price: number,
  quantity: number,
  extra: Partial<LiquidationEvent> = {},
): LiquidationEvent {
  const quote = venue === "bitmex" && base === "BTC" ? "USD" : "USDT";
  return {
    kind: "liquidation",
    venue,
    base,
    quote,
    venue_symbol: venue === "okx" ? `${base}-${quote}-SWAP` : `${base}${quote}`,
    side,
    price,
    quantity,
    timestamp: Date.now(),
    id: crypto.randomUUID(),
    ...extra,
  };
}

/** A LiquidationFeed of its own (not the gateway's), for tests that move the clock. */
export function isolatedFeed() {
  return env.LIQUIDATION_FEED.get(env.LIQUIDATION_FEED.idFromName(`test-${crypto.randomUUID()}`));
}

/** GETs a path with the collectors' token. */
export function getWithToken(path: string): Promise<Response> {
  return exports.default.fetch(`http://gateway${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
}

/** A random upper-case base asset, so a test's liquidations can be told apart from every other test's. */
export function uniqueBase(): string {
  return `T${crypto.randomUUID().replaceAll("-", "").slice(0, 10).toUpperCase()}`;
}
