import { env } from "cloudflare:workers";
import { userLedger } from "../../../durable-objects/addresses";
import type { IngestEvent } from "../../../protocol/ingest";
import type { Account, Order } from "../../../protocol/trading";
import { call, newAccount, type TestAccount } from "./auth";
import { batchOf, postIngest } from "./ingest";
import { ticker } from "./market";

/** USD/KRW and USDT/KRW, so KRW and USDT amounts can be compared. */
export function rates(usdKrw = 1_400, usdtKrw = 1_410): IngestEvent[] {
  return [
    { kind: "fx", pair: "USD/KRW", rate: usdKrw, provider: "test", timestamp: Date.now() },
    ticker("upbit", "USDT", usdtKrw),
  ];
}

/** Sets a coin's last price on venues (with a 24 h volume, the pace resting orders fill at). */
export async function setPrices(
  base: string,
  prices: Partial<Record<"upbit" | "bithumb" | "binance" | "bybit", number>>,
  volume = 1_000_000,
) {
  const events = Object.entries(prices).map(([venue, price]) =>
    ticker(venue as "upbit", base, price as number, Date.now(), { volume, quote_volume: volume * (price as number) }),
  );
  const res = await postIngest(batchOf([...rates(), ...events]));
  if (res.status !== 200) throw new Error(`ingest: ${res.status} ${await res.text()}`);
}

/** A signed-in trader with a fresh paper account. */
export async function newTrader(tag = "trader"): Promise<TestAccount> {
  return newAccount(tag);
}

/** POSTs an order; returns the response. */
export function placeOrder(trader: TestAccount, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call("/api/orders", {
    method: "POST",
    token: trader.tokens.access_token,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

export async function placed(trader: TestAccount, body: Record<string, unknown>): Promise<Order> {
  const res = await placeOrder(trader, body);
  if (res.status !== 201) throw new Error(`order: ${res.status} ${await res.text()}`);
  return (await res.json()) as Order;
}

export async function accountOf(trader: TestAccount): Promise<Account> {
  const res = await call("/api/account", { token: trader.tokens.access_token });
  if (res.status !== 200) throw new Error(`account: ${res.status} ${await res.text()}`);
  return (await res.json()) as Account;
}

export async function getJsonAs<T>(trader: TestAccount, path: string): Promise<{ status: number; body: T }> {
  const res = await call(path, { token: trader.tokens.access_token });
  return { status: res.status, body: (await res.json()) as T };
}

/** The ledger object of a trader. */
export function ledgerOf(trader: TestAccount) {
  return userLedger(env, trader.userId);
}
