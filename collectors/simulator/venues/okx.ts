import { randomUUID } from "node:crypto";
import type { SimCoin } from "../market-model";
import type { SimContext, SimSocket, SimVenue } from "../sim-venue";
import { futuresCoins, randomLiquidation, significant } from "./liquidation-sizes";

/** A simulated OKX SWAP instrument (the fields of `GET /api/v5/public/instruments` the collector reads). */
interface OkxInstrument {
  instId: string;
  coin: SimCoin;
  ctType: "linear" | "inverse";
  /** Coins (linear) or USD (inverse) per contract. */
  ctVal: number;
}

/** Linear USDT swaps for the futures coins (a contract worth about 100 USD, a power of ten of coins), inverse BTC and ETH. */
function instruments(ctx: SimContext): OkxInstrument[] {
  const coins = futuresCoins(ctx.market.coins);
  const list: OkxInstrument[] = coins.map((coin) => ({
    instId: `${coin.base}-USDT-SWAP`,
    coin,
    ctType: "linear",
    ctVal: 10 ** Math.round(Math.log10(100 / coin.usdPrice)),
  }));
  for (const [base, ctVal] of [
    ["BTC", 100],
    ["ETH", 10],
  ] as const) {
    const coin = ctx.market.coin(base);
    if (coin) list.push({ instId: `${base}-USD-SWAP`, coin, ctType: "inverse", ctVal });
  }
  return list;
}

function instrumentRow(i: OkxInstrument): Record<string, string> {
  const [base, quote] = i.instId.split("-");
  return {
    instType: "SWAP",
    instId: i.instId,
    uly: `${base}-${quote}`,
    instFamily: `${base}-${quote}`,
    baseCcy: "",
    quoteCcy: "",
    settleCcy: i.ctType === "linear" ? "USDT" : base,
    ctVal: String(i.ctVal),
    ctMult: "1",
    ctValCcy: i.ctType === "linear" ? base : "USD",
    ctType: i.ctType,
    lotSz: "1",
    minSz: "1",
    tickSz: "0.0001",
    state: "live",
  };
}

/**
 * OKX's public WebSocket, simulated for the `liquidation-orders` channel: the text `ping` answered
 * with the text `pong`, subscribe/error events as OKX sends them, and pushes in the documented shape
 * (fixtures/venues/okx-ws-liquidation-orders.json): `sz` in CONTRACTS, all values strings, `posSide`
 * the position's side (or `net` in one-way mode with the order `side`). At most one per contract per second.
 */
export const okxSim: SimVenue = {
  venue: "okx",
  http(req, ctx) {
    if (req.path === "/api/v5/public/instruments") {
      if (req.query.get("instType") !== "SWAP") return { body: { code: "0", msg: "", data: [] } };
      return { body: { code: "0", msg: "", data: instruments(ctx).map(instrumentRow) } };
    }
    if (req.path === "/api/v5/public/time") return { body: { code: "0", msg: "", data: [{ ts: String(Date.now()) }] } };
    return undefined;
  },
  connect(socket: SimSocket, ctx: SimContext) {
    const connId = randomUUID().slice(0, 8);
    let subscribed = false;
    socket.onMessage((text) => {
      if (text === "ping") {
        socket.send("pong", { control: true });
        return;
      }
      let request: { op?: unknown; args?: unknown; id?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        socket.send(
          JSON.stringify({ event: "error", code: "60012", msg: `Invalid request: ${text.slice(0, 50)}`, connId }),
          {
            control: true,
          },
        );
        return;
      }
      const arg = Array.isArray(request.args) ? request.args[0] : undefined;
      const ok =
        request.op === "subscribe" &&
        typeof arg === "object" &&
        arg !== null &&
        (arg as Record<string, unknown>).channel === "liquidation-orders";
      if (!ok) {
        socket.send(
          JSON.stringify({ event: "error", code: "60018", msg: "Wrong URL or channel doesn't exist.", connId }),
          { control: true },
        );
        return;
      }
      subscribed = (arg as Record<string, unknown>).instType === "SWAP" || subscribed;
      socket.send(JSON.stringify({ ...(request.id ? { id: request.id } : {}), event: "subscribe", arg, connId }), {
        control: true,
      });
    });
    const list = instruments(ctx);
    const lastByInstrument = new Map<string, number>();
    const stop = ctx.every(600, () => {
      if (!subscribed || ctx.random() < 0.3) return;
      const now = Date.now();
      const liquidation = randomLiquidation(
        list.map((i) => i.coin),
        ctx.random,
      );
      const candidates = list.filter((i) => i.coin === liquidation.coin);
      const instrument = candidates[Math.floor(ctx.random() * candidates.length)];
      if (!instrument || now - (lastByInstrument.get(instrument.instId) ?? 0) < 1000) return;
      lastByInstrument.set(instrument.instId, now);
      const contracts = Math.max(
        1,
        Math.round(
          instrument.ctType === "linear"
            ? liquidation.quantity / instrument.ctVal
            : liquidation.notionalUsd / instrument.ctVal,
        ),
      );
      const oneWay = ctx.random() < 0.2;
      const orderSide = liquidation.side === "long" ? "sell" : "buy";
      const [base, quote] = instrument.instId.split("-");
      socket.send(
        JSON.stringify({
          arg: { channel: "liquidation-orders", instType: "SWAP" },
          data: [
            {
              details: [
                {
                  bkLoss: "0",
                  bkPx: String(significant(liquidation.price)),
                  ccy: "",
                  posSide: oneWay ? "net" : liquidation.side,
                  side: orderSide,
                  sz: String(contracts),
                  ts: String(now - Math.floor(ctx.random() * 300)),
                },
              ],
              instFamily: `${base}-${quote}`,
              instId: instrument.instId,
              instType: "SWAP",
              uly: `${base}-${quote}`,
            },
          ],
        }),
      );
    });
    socket.onClose(stop);
  },
};
