import { z } from "zod";
import { CANDLE_RESOLUTIONS, type CandleResolution } from "../../protocol/venues";
import type { ListedMarket } from "../core/market-directory";
import type { TimeRange } from "../core/time-ranges";
import { bearer, type IngestTarget } from "./ingest-post";

/** What the Worker holds for one market: per resolution, sorted and merged half-open ranges. */
export type CandleCoverage = Record<CandleResolution, TimeRange[]>;

/** The Worker has no coverage route (an older Worker): it cannot take candles yet. */
export class CoverageUnsupportedError extends Error {
  constructor(url: string) {
    super(`the Worker answered 404 for ${url}: it does not keep candle coverage (yet)`);
    this.name = "CoverageUnsupportedError";
  }
}

const Range = z.tuple([z.number(), z.number()]).refine(([from, to]) => from < to, "an empty range");

/** `GET /internal/candles/coverage` answers `{venue, base, quote, intervals: {"1m": [[from, to], ...], ...}}`. */
const CoverageAnswer = z.object({
  intervals: z.record(z.string(), z.array(Range)),
});

/**
 * Asks the Worker which candle ranges of one market it has been told are covered
 * (`GET /internal/candles/coverage?venue=&base=&quote=`, the collector token, as for ingest). A
 * resolution it does not mention is covered nowhere. Throws {@link CoverageUnsupportedError} on a 404,
 * anything else that is not a readable answer as an error to retry.
 */
export async function fetchCoverage(
  target: IngestTarget,
  market: Pick<ListedMarket, "venue" | "base" | "quote">,
  signal: AbortSignal,
): Promise<CandleCoverage> {
  const query = new URLSearchParams({ venue: market.venue, base: market.base, quote: market.quote });
  const url = `${target.workerUrl.replace(/\/+$/, "")}/internal/candles/coverage?${query}`;
  const res = await fetch(url, {
    headers: { Authorization: bearer(target.token), Accept: "application/json" },
    signal: AbortSignal.any([signal, AbortSignal.timeout(target.requestTimeoutMs ?? 10_000)]),
  });
  const text = await res.text();
  if (res.status === 404) throw new CoverageUnsupportedError(url);
  if (!res.ok) throw new Error(`the Worker answered HTTP ${res.status} for ${url}: ${text.slice(0, 200)}`);
  const parsed = CoverageAnswer.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`unreadable coverage answer from ${url}: ${parsed.error.issues[0]?.message}`);
  const coverage = {} as CandleCoverage;
  for (const r of CANDLE_RESOLUTIONS) coverage[r] = (parsed.data.intervals[r] ?? []).map(([from, to]) => [from, to]);
  return coverage;
}
