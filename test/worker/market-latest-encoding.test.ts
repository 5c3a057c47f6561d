import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { toAsciiJson } from "../../durable-objects/sockets/ascii-json";
import type { CoinsLatest } from "../../protocol/market";
import { batchOf, postIngest } from "./support/ingest";
import { ticker } from "./support/market";

async function ingestKoreanCoin(): Promise<void> {
  const now = Date.now();
  const res = await postIngest(
    batchOf([
      { kind: "coin", base: "BTC", korean_name: "비트코인", english_name: "Bitcoin", venue: "upbit", warnings: [] },
      {
        kind: "ticker",
        venue: "upbit",
        base: "BTC",
        quote: "KRW",
        venue_symbol: "KRW-BTC",
        price: 135_000_000,
        change_percent: 1.27,
        volume: 7158.8,
        quote_volume: 228_827_082_483.7,
        timestamp: now,
      },
    ]),
  );
  expect(res.status).toBe(200);
}

describe("GET /api/coins/latest encodings", () => {
  it("answers gzip to a client that accepts it, and the same JSON, all ASCII, to one that does not", async () => {
    await ingestKoreanCoin();

    const plain = await exports.default.fetch("http://gateway/api/coins/latest", {
      headers: { "Accept-Encoding": "identity" },
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("Content-Encoding")).toBeNull();
    expect(plain.headers.get("Vary")).toContain("Accept-Encoding");
    const plainBytes = new Uint8Array(await plain.arrayBuffer());
    expect(plainBytes.every((b) => b < 0x80)).toBe(true);
    const plainBody = JSON.parse(new TextDecoder().decode(plainBytes)) as CoinsLatest;
    expect(plainBody.coins.find((c) => c.symbol === "BTC")?.korean_name).toBe("비트코인");

    const gz = await exports.default.fetch("http://gateway/api/coins/latest", {
      headers: { "Accept-Encoding": "gzip, deflate, br" },
    });
    expect(gz.status).toBe(200);
    expect(gz.headers.get("Content-Encoding")).toBe("gzip");
    // The fetch API hands back the decoded body; it must be the very same document.
    expect(await gz.json()).toEqual(plainBody);
  });

  it("does not send gzip when the client refuses it with q=0", async () => {
    await ingestKoreanCoin();
    const res = await exports.default.fetch("http://gateway/api/coins/latest", {
      headers: { "Accept-Encoding": "gzip;q=0, identity" },
    });
    expect(res.headers.get("Content-Encoding")).toBeNull();
    expect(((await res.json()) as CoinsLatest).coins.length).toBeGreaterThan(0);
  });
});

describe("GET /api/coins/latest caching", () => {
  it("names each rendering with an ETag and answers 304 to a client that has it", async () => {
    await ingestKoreanCoin();
    const first = await exports.default.fetch("http://gateway/api/coins/latest");
    const etag = first.headers.get("ETag");
    expect(etag).toMatch(/^"[^"]+"$/);
    await first.arrayBuffer();
    const again = await exports.default.fetch("http://gateway/api/coins/latest", {
      headers: { "If-None-Match": `"other", ${etag}` },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const stranger = await exports.default.fetch("http://gateway/api/coins/latest", {
      headers: { "If-None-Match": '"other"' },
    });
    expect(stranger.status).toBe(200);
    await stranger.arrayBuffer();
  });

  it("shows a new price once the caches have refreshed", async () => {
    await ingestKoreanCoin();
    const btcPrice = async () => {
      const res = await exports.default.fetch("http://gateway/api/coins/latest");
      return ((await res.json()) as CoinsLatest).coins.find((c) => c.symbol === "BTC")?.prices.upbit?.price;
    };
    await btcPrice();
    const res = await postIngest(batchOf([ticker("upbit", "BTC", 136_000_000)]));
    expect(res.status).toBe(200);
    const started = Date.now();
    let price = await btcPrice();
    while (price !== 136_000_000 && Date.now() - started < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      price = await btcPrice();
    }
    // Two caches of 500 ms each (the board's rendering, the gateway's copy), each refreshed in the
    // background; how old a served body may be is the cache's own test (test/node/snapshot-cache.test.ts).
    expect(price).toBe(136_000_000);
  });
});

describe("toAsciiJson", () => {
  it("escapes every non-ASCII character and parses back to the same value, across long texts", () => {
    const value = {
      coins: Array.from({ length: 400 }, (_, i) => ({ symbol: `C${i}`, korean_name: "비트코인 🚀", note: "é\u2028" })),
    };
    const json = toAsciiJson(value);
    expect(json.length).toBeGreaterThan(3 * 8192);
    expect(/[\u0080-\uffff]/.test(json)).toBe(false);
    expect(JSON.parse(json)).toEqual(value);
    expect(toAsciiJson({ a: "plain" })).toBe('{"a":"plain"}');
  });
});
