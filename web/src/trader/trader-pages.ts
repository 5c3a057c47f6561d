/**
 * The signed-in pages and the sign-in forms, loaded as one chunk on first use so the board paints
 * without them. Each is a `Page` the router shows by its hash name (`#/desk`, `#/alerts/BTC`).
 */
import { ProfilePage } from "../account/profile-page";
import { AlertsPage } from "../alerts/alerts-page";
import { InboxPage } from "../alerts/inbox-page";
import { AnalyticsPage } from "../analytics/analytics-page";
import { AuthPage } from "../auth/auth-page";
import { NotificationSettingsPage } from "../notifications/settings-page";
import type { Page } from "../page";
import { DeskPage } from "./desk-page";
import { TradeDialog } from "./trade-dialog";
import type { TraderContext } from "./trader-context";

export interface TraderPages {
  pages: Map<string, Page>;
  /** The order, premium-trade and alert dialog opened from a coin's row or detail view. */
  dialog: TradeDialog;
}

export function buildTraderPages(ctx: TraderContext): TraderPages {
  const dialog = new TradeDialog(ctx);
  const pages = new Map<string, Page>([
    ["signin", new AuthPage(ctx, "signin")],
    ["signup", new AuthPage(ctx, "signup")],
    ["desk", new DeskPage(ctx, dialog)],
    ["analytics", new AnalyticsPage(ctx)],
    ["profile", new ProfilePage(ctx)],
    ["alerts", new AlertsPage(ctx)],
    ["inbox", new InboxPage(ctx)],
    ["settings", new NotificationSettingsPage(ctx)],
  ]);
  return { pages, dialog };
}
