import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { FillRecord } from "../../durable-objects/trading/records";
import { SqlLedgerRepo } from "../../durable-objects/trading/sql-ledger-repo";
import type { Fill } from "../../protocol/trading";
import { csvField, csvRow } from "../../workers/http/csv";
import { FILL_CSV_COLUMNS } from "../../workers/routes/fills";
import { call } from "./support/auth";
import { uniqueBase } from "./support/liquidations";
import { getJsonAs, ledgerOf, newTrader, placed, setPrices } from "./support/trading";

/** A strict RFC 4180 reader (quoted fields, doubled quotes, CRLF records), to check what the Worker wrote. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else if (i >= text.length) {
          throw new Error("unterminated quoted field");
        } else {
          field += text[i++];
        }
      }
    } else if (text[i] === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (text.startsWith("\r\n", i)) {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else if (text[i] === "\n" || text[i] === "\r") {
      throw new Error(`a bare line break at ${i}: records end with CRLF`);
    } else {
      field += text[i++];
    }
  }
  if (field !== "" || row.length > 0) throw new Error("the last record has no CRLF");
  return rows;
}

describe("CSV fields (RFC 4180)", () => {
  it("quotes fields holding a comma, a quote or a line break, doubling the quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\r\nlines")).toBe('"two\r\nlines"');
    expect(csvField("비트코인")).toBe("비트코인");
    expect(csvRow(["x", null, undefined, 1.5, true])).toBe("x,,,1.5,true\r\n");
  });

  it("writes numbers in plain decimal, never exponent notation", () => {
    expect(csvField(1e-7)).toBe("0.0000001");
    expect(csvField(1.5e21)).toBe("1500000000000000000000");
    expect(csvField(-0.00000123)).toBe("-0.00000123");
  });
});

describe("GET /api/fills/export.csv", () => {
  it("answers every fill as CSV with a header row, matching the fills placed", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000, binance: 100_000_000 });
    const trader = await newTrader("csv");
    await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: "0.5" });
    await placed(trader, { symbol: `${base}/USDT`, side: "BUY", order_type: "MARKET", quantity: "0.0000001" });

    const res = await call("/api/fills/export.csv", { token: trader.tokens.access_token });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8; header=present");
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="fills-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(await res.text());
    expect(rows[0]).toEqual([...FILL_CSV_COLUMNS]);

    const { body } = await getJsonAs<{ items: Fill[] }>(trader, "/api/fills?limit=500");
    expect(rows.length - 1).toBe(body.items.length);
    expect(body.items.length).toBe(2);
    const byId = new Map(
      rows.slice(1).map((r) => [r[0], Object.fromEntries(FILL_CSV_COLUMNS.map((c, i) => [c, r[i]]))]),
    );
    for (const f of body.items) {
      const row = byId.get(f.id);
      expect(row).toMatchObject({
        order_id: f.order_id,
        created_at: f.created_at,
        timestamp: String(f.timestamp),
        symbol: f.symbol,
        venue: f.venue,
        side: f.side,
        fee_currency: f.fee_currency,
        liquidity: f.liquidity,
      });
      expect(Number(row?.quantity)).toBe(f.quantity);
      expect(Number(row?.price)).toBe(f.price);
      expect(Number(row?.fee)).toBe(f.fee);
      expect(Number(row?.value)).toBeCloseTo(f.quantity * f.price, 9);
    }
    // The tiny USDT fill is written out in full, not as 1e-7.
    expect(rows.some((r) => r[7] === "0.0000001")).toBe(true);
  });

  it("pages through the whole ledger (equal timestamps across page ends) and quotes what needs quoting", async () => {
    const trader = await newTrader("csv-many");
    const at = Date.now() - 60_000;
    const seeded: FillRecord[] = Array.from({ length: 1_203 }, (_, i) => ({
      id: `fill-${String(i).padStart(5, "0")}`,
      order_id: i === 7 ? 'odd,"order"\r\nid' : `order-${i}`,
      venue: "upbit",
      base: "BTC",
      quote: "KRW",
      side: i % 2 ? "SELL" : "BUY",
      quantity: "0.001",
      price: "135000000",
      fee: "67.5",
      liquidity: "taker",
      // Runs of 100 fills share one timestamp, so pages end inside a run.
      timestamp: at + Math.floor(i / 100),
    }));
    await runInDurableObject(ledgerOf(trader), (_instance, state) => {
      const repo = new SqlLedgerRepo(state.storage);
      for (const f of seeded) repo.saveFill(f);
    });

    const res = await call("/api/fills/export.csv", { token: trader.tokens.access_token });
    expect(res.status).toBe(200);
    const rows = parseCsv(await res.text()).slice(1);
    expect(rows.length).toBe(seeded.length);
    expect(new Set(rows.map((r) => r[0])).size).toBe(seeded.length);
    // Newest first: timestamp descending, then id descending.
    const expected = [...seeded].sort((a, b) => b.timestamp - a.timestamp || (a.id < b.id ? 1 : -1)).map((f) => f.id);
    expect(rows.map((r) => r[0])).toEqual(expected);
    const odd = rows.find((r) => r[0] === "fill-00007");
    expect(odd?.[1]).toBe('odd,"order"\r\nid');
    expect(odd?.slice(4)).toEqual(["BTC/KRW", "upbit", "SELL", "0.001", "135000000", "135000", "67.5", "KRW", "taker"]);
  });

  it("refuses a caller without a token with 401", async () => {
    const res = await call("/api/fills/export.csv");
    expect(res.status).toBe(401);
    expect(res.headers.get("Content-Type")).toContain("application/problem+json");
  });
});
