import { createRoute, z } from "@hono/zod-openapi";
import { PlatformReport, ReportDate } from "../../protocol/reports";
import { attachment, CSV_CONTENT_TYPE } from "../http/csv";
import { problems } from "../http/openapi";
import { router } from "../http/router";
import { requireAuth, requireRole } from "../middleware/auth";
import { platformReport, platformReportCsv, seoulToday } from "../reports/platform-report";

/** Reports for operators. */
export const adminReportsRoutes = router();

adminReportsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/platform",
    tags: ["Admin"],
    summary: "The platform's day: accounts, orders, fills, traded value per venue, feed state (admin)",
    description:
      "One Asia/Seoul day (`date`, default today). Orders are those created that day, in their status now; " +
      "fills those executed that day; `volume` is per venue in its quote currency (KRW or USDT), summed in " +
      "double precision. Feed freshness over the day is not recorded anywhere, so `feed_health.current` is " +
      "the feeds' state when the report is made. `format=csv` answers the same figures as RFC 4180 CSV, " +
      "one figure per row (`date,metric,venue,currency,breakdown,value`), as a download.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth(), requireRole("admin")] as const,
    request: {
      query: z.object({
        date: ReportDate.optional().openapi({ description: "YYYY-MM-DD, an Asia/Seoul day", example: "2026-12-04" }),
        format: z.enum(["json", "csv"]).default("json"),
      }),
    },
    responses: {
      200: {
        description: "The report",
        content: { "application/json": { schema: PlatformReport }, "text/csv": { schema: z.string() } },
      },
      ...problems(400, 401, 403),
    },
  }),
  async (c) => {
    const { date = seoulToday(), format } = c.req.valid("query");
    const report = await platformReport(c.env, date);
    if (format === "csv") {
      return c.body(platformReportCsv(report), 200, {
        "Content-Type": CSV_CONTENT_TYPE,
        "Content-Disposition": attachment(`platform-${date}.csv`),
        "Cache-Control": "no-store",
      });
    }
    return c.json(report, 200, { "Cache-Control": "no-store" });
  },
);
