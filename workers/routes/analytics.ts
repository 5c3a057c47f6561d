import { createRoute } from "@hono/zod-openapi";
import { DailyReport, DailyReportQuery, Performance, PerformanceQuery, Risk } from "../../protocol/analytics";
import { dailyReportCsv, dailyReportOf } from "../analytics/daily-report";
import { PERFORMANCE_METHOD, performanceOf } from "../analytics/performance";
import { RISK_METHOD, riskOf } from "../analytics/risk";
import { attachment, CSV_CONTENT_TYPE } from "../http/csv";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { requireAuth } from "../middleware/auth";
import { ledgerReads, symbolReads } from "../resilience/guarded-objects";

/** The signed-in trader's analytics (seed: analytics-service): performance, risk, the daily report. */
export const analyticsRoutes = router();

const security = [{ BearerAuth: [] }];

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/performance",
    tags: ["Analytics"],
    summary: "Your performance: equity curve, returns, PnL, drawdown, Sharpe, Sortino, trade statistics",
    description: `\`from\`/\`to\`: Asia/Seoul days, inclusive (default: the last 90 days). ${PERFORMANCE_METHOD}`,
    security,
    middleware: [requireAuth()] as const,
    request: { query: PerformanceQuery },
    responses: { 200: json(Performance, "Performance"), ...problems(400, 401, 503) },
  }),
  async (c) => {
    const reads = { ledger: ledgerReads(c, c.var.user.id) };
    return c.json(await performanceOf(c.env, reads, c.var.user.id, c.req.valid("query"), Date.now()), 200);
  },
);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/risk",
    tags: ["Analytics"],
    summary: "Your risk now: exposure, leverage, concentration, limit use, 1-day VaR and expected shortfall",
    description: RISK_METHOD,
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(Risk, "Risk"), ...problems(401, 503) },
  }),
  async (c) => {
    const reads = { ledger: ledgerReads(c, c.var.user.id), symbol: (base: string) => symbolReads(c, base) };
    return c.json(await riskOf(reads, c.var.user.id, Date.now()), 200);
  },
);

analyticsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/reports/daily",
    tags: ["Analytics"],
    summary: "Your daily report (JSON, or CSV with `format=csv`)",
    description: "`date`: an Asia/Seoul day (default today). The CSV has a row per market and a TOTAL row.",
    security,
    middleware: [requireAuth()] as const,
    request: { query: DailyReportQuery },
    responses: {
      200: {
        description: "The report",
        content: { "application/json": { schema: DailyReport }, "text/csv": { schema: { type: "string" } } },
      },
      ...problems(400, 401),
    },
  }),
  async (c) => {
    const { date, format } = c.req.valid("query");
    const report = await dailyReportOf(c.env, c.var.user.id, date, Date.now());
    if (format === "csv") {
      return c.body(dailyReportCsv(report), 200, {
        "Content-Type": CSV_CONTENT_TYPE,
        "Content-Disposition": attachment(`daily-report-${report.date}.csv`),
      });
    }
    return c.json(report, 200);
  },
);
