/**
 * What every signed-in view works with: the session, the API client, the trader's live account and
 * the market the page already streams. Built once in main.ts and handed to each view.
 */
import type { Api } from "../api";
import type { MarketState } from "../market-state";
import type { Session } from "../session";
import type { TraderState } from "./trader-state";

export interface TraderContext {
  session: Session;
  api: Api;
  trader: TraderState;
  market: MarketState;
}
