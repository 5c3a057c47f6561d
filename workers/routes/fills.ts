import { createRoute, z } from "@hono/zod-openapi";
import { userLedger } from "../../durable-objects/addresses";
import { seoulDay } from "../../durable-objects/trading/account-book";
import { dec } from "../../durable-objects/trading/decimal";
import { integerParam } from "../../protocol/common";
import { canonicalDecimal, Fill, type Fill as FillView, pageOf } from "../../protocol/trading";
import { attachment, CSV_CONTENT_TYPE, csvRow } from "../http/csv";
import { ledgerValue } from "../http/ledger-result";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { requireAuth } from "../middleware/auth";
import { ledgerReads } from "../resilience/guarded-objects";
import { guardedReads } from "../resilience/object-guard";

/** Your fills (executions), newest first. */
export const fillsRoutes = router();

fillsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Trading"],
    summary: "Your fills, newest first",
    description: "`order_id` narrows to one order's fills; `cursor` pages.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    request: {
      query: z.object({
        order_id: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,64}$/, "an order id")
          .optional(),
        limit: integerParam(1, 500).default(100),
        cursor: z.string().max(200).optional(),
      }),
    },
    responses: { 200: json(pageOf(Fill, "FillPage"), "A page of fills"), ...problems(400, 401) },
  }),
  async (c) => {
    const { order_id, limit, cursor } = c.req.valid("query");
    return c.json(
      ledgerValue(await ledgerReads(c, c.var.user.id).listFills(order_id ?? null, limit, cursor ?? null)),
      200,
    );
  },
);

/** The export's columns, in order; `value` is quantity x price in `fee_currency` (the market's quote). */
export const FILL_CSV_COLUMNS = [
  "id",
  "order_id",
  "created_at",
  "timestamp",
  "symbol",
  "venue",
  "side",
  "quantity",
  "price",
  "value",
  "fee",
  "fee_currency",
  "liquidity",
] as const;

/** Fills read from the ledger per request to it while the export streams. */
const EXPORT_PAGE = 500;

fillsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/export.csv",
    tags: ["Trading"],
    summary: "Every fill of yours as CSV, newest first",
    description:
      "RFC 4180 CSV (UTF-8, CRLF, a header row) sent as a download (`Content-Disposition: attachment`). " +
      `Columns: ${FILL_CSV_COLUMNS.join(", ")}; \`value\` is quantity x price in \`fee_currency\`. Amounts are plain ` +
      "decimals, never exponent notation. The body streams page by page from your ledger; a failure after " +
      "the first page ends the download early (the connection is cut), never with a partial file that looks whole.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    responses: {
      200: { description: "The fills", content: { "text/csv": { schema: z.string() } } },
      ...problems(401),
    },
  }),
  async (c) => {
    // Through the ledger's deadline and breaker, never answered stale (a stale page would corrupt the file).
    const ledger = guardedReads(c, "user-ledger", userLedger(c.env, c.var.user.id), { lastGood: false });
    // The first page before the response starts, so a ledger refusal is still a problem+json.
    const first = ledgerValue(await ledger.listFills(null, EXPORT_PAGE, null));
    const encoder = new TextEncoder();
    let cursor = first.next_cursor;
    let pending: FillView[] | null = first.items;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(encoder.encode(csvRow(FILL_CSV_COLUMNS)));
      },
      async pull(controller) {
        if (pending === null) {
          if (cursor === null) {
            controller.close();
            return;
          }
          const page = ledgerValue(await ledger.listFills(null, EXPORT_PAGE, cursor));
          pending = page.items;
          cursor = page.next_cursor;
        }
        controller.enqueue(encoder.encode(pending.map(fillCsvRow).join("")));
        pending = null;
      },
    });
    const day = seoulDay(Date.now());
    return new Response(body, {
      status: 200,
      headers: {
        "Content-Type": CSV_CONTENT_TYPE,
        "Content-Disposition": attachment(`fills-${day}.csv`),
        "Cache-Control": "no-store",
      },
    });
  },
);

/** One fill as a CSV record; `value` exact (quantity x price as decimals). */
function fillCsvRow(f: FillView): string {
  return csvRow([
    f.id,
    f.order_id,
    f.created_at,
    f.timestamp,
    f.symbol,
    f.venue,
    f.side,
    f.quantity,
    f.price,
    dec(canonicalDecimal(f.quantity))
      .times(dec(canonicalDecimal(f.price)))
      .toFixed(),
    f.fee,
    f.fee_currency,
    f.liquidity,
  ]);
}
