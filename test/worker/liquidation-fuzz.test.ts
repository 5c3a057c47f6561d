import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const PATHS = [
  "/api/liquidations/aggregated",
  "/api/liquidations/summary",
  "/api/liquidations/recent",
  "/api/liquidations/debug",
  "/ws/liquidations",
];
const KEYS = ["window", "venue", "symbol", "min_usd", "limit", "x", "window[]", "%zz", ""];

/** Query values a client might send: valid ones, near misses, junk, broken escapes and huge numbers. */
const value = fc.oneof(
  fc.constantFrom("1h", "4h", "12h", "24h", "binance", "okx,bybit", "BTC", "btc,eth", "0", "1000", "1001", "1e9"),
  fc.constantFrom("-1", "NaN", "Infinity", "0x10", "1.5", "%", "%zz", "%00", "%F0%9F%92%A5", "+", "a&b", "="),
  fc.string({ maxLength: 40 }),
  fc.stringMatching(/^[0-9.,eE+-]{0,30}$/),
  fc.integer().map(String),
  fc.double().map(String),
);

const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 10 })), value), { maxLength: 5 })
  .map((pairs) =>
    pairs
      .map(([k, v]) => `${k}=${/%/.test(v) ? v : encodeURIComponent(v)}`)
      .join("&")
      .replaceAll("#", "%23"),
  );

describe("nothing in a query string makes a liquidation route fail", () => {
  it("answers random query strings with 2xx, 400, 401 or 426, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PATHS), query, fc.boolean(), async (path, q, upgrade) => {
        const res = await exports.default.fetch(`http://gateway${path}?${q}`, {
          headers: upgrade ? { Upgrade: "websocket" } : {},
        });
        if (res.webSocket) {
          res.webSocket.accept();
          res.webSocket.close(1000, "done");
        } else {
          await res.arrayBuffer();
        }
        expect([101, 200, 400, 401, 426]).toContain(res.status);
      }),
      { numRuns: 300 },
    );
  });
});
