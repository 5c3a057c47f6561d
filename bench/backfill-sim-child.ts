/**
 * The backfill benchmark's venue simulator process (child side of bench/backfill-simulator.ts): runs
 * the collectors' VenueSimulator, tells the parent its URL and the markets to backfill, and answers
 * with the request times it recorded.
 */
import type { ListedMarket } from "../collectors/core/market-directory";
import { resolveBase } from "../collectors/core/symbols";
import { SIM_MARKET_VENUES, type SimMarketVenue } from "../collectors/simulator/coin-catalog";
import { VenueSimulator } from "../collectors/simulator/server";
import type { SimChildConfig, SimCommand, SimReply } from "./backfill-simulator";

const send = (reply: SimReply) => process.send?.(reply);

/** The first `count` markets of a venue as its ticker feed lists them (`KRW-BTC`, `1000SATSUSDT`); KRW-USDT first. */
function marketsOf(sim: VenueSimulator, venue: SimMarketVenue, count: number): ListedMarket[] {
  const listed = sim.market.listed(venue);
  const ordered = [...listed.filter((c) => c.base === "USDT"), ...listed.filter((c) => c.base !== "USDT")];
  if (ordered.length < count) throw new Error(`${venue} lists ${ordered.length} coins, fewer than ${count}`);
  const krw = venue === "upbit" || venue === "bithumb";
  return ordered.slice(0, count).map((coin) => {
    const ticker = coin.listings[venue]?.ticker ?? coin.base;
    return {
      venue,
      base: resolveBase(venue, ticker)?.base ?? coin.base,
      quote: krw ? "KRW" : "USDT",
      venueSymbol: krw ? `KRW-${ticker}` : `${ticker}USDT`,
    };
  });
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as SimChildConfig;
  const sim = await VenueSimulator.start({ market: { coins: config.coins } });
  const markets = SIM_MARKET_VENUES.flatMap((v) => marketsOf(sim, v, config.marketsPerVenue));
  process.on("message", (command: SimCommand) => {
    if (command.type === "timeline") {
      const times = sim.requestTimeline(command.venue, command.pathPrefix).map((r) => r.at);
      send({ type: "timeline", id: command.id, times });
    } else if (command.type === "stop") {
      void sim.stop().then(() => process.exit(0));
    }
  });
  // The parent going away (a crash, Ctrl-C) ends this process too.
  process.on("disconnect", () => void sim.stop().then(() => process.exit(0)));
  send({ type: "ready", url: sim.url, markets, coins: sim.market.coins.length });
}

main().catch((error: unknown) => {
  send({ type: "failed", error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
