import type { SimContext, SimHttpRequest, SimHttpResponse, SimSocket, SimVenue } from "../sim-venue";
import { upbitStyleCandles } from "./upbit-style-candles";
import { krwMarkets, toSimpleFormat, upbitStyleTicker } from "./upbit-style-frames";

const CAUTIONS = [
  "PRICE_FLUCTUATIONS",
  "TRADING_VOLUME_SOARING",
  "DEPOSIT_AMOUNT_SOARING",
  "GLOBAL_PRICE_DIFFERENCES",
  "CONCENTRATION_OF_SMALL_ACCOUNTS",
] as const;

function error(name: string, message: string): string {
  return JSON.stringify({ error: { name, message } });
}

/** How often subscribed clients get the tickers that moved (ms). */
export const UPBIT_PUSH_MS = 1000;

/**
 * Upbit's quotation API: `GET /v1/market/all?is_details=true` (names, `market_event`), `GET /v1/ticker`,
 * the candles (`/v1/candles/minutes/{unit}`, `/v1/candles/days`, see ./upbit-style-candles.ts),
 * and the WebSocket `/websocket/v1`: a JSON-array request (`ticket`, `type: ticker`, `codes`, `format`),
 * answered with one SNAPSHOT frame per code, then REALTIME frames as prices move, every frame binary;
 * text `PING` gets `{"status":"UP"}`; malformed requests get Upbit's error envelope.
 */
export const upbitSim: SimVenue = {
  venue: "upbit",
  http(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
    const candles = upbitStyleCandles("upbit", req, ctx);
    if (candles) return candles;
    const markets = krwMarkets(ctx.market, "upbit");
    if (req.path === "/v1/market/all") {
      const details = req.query.get("is_details") === "true" || req.query.get("isDetails") === "true";
      let i = 0;
      const rows = [...markets].map(([code, coin]) => {
        const row: Record<string, unknown> = {
          market: code,
          korean_name: coin.koreanName,
          english_name: coin.englishName,
        };
        i++;
        if (details) {
          // A few coins carry flags, deterministically, so the warnings path is exercised.
          row.market_event = {
            warning: i % 37 === 0,
            caution: Object.fromEntries(CAUTIONS.map((k, j) => [k, (i + j) % 53 === 0])),
          };
        }
        return row;
      });
      return { body: rows, headers: { "Remaining-Req": "group=market; min=600; sec=9" } };
    }
    if (req.path === "/v1/ticker") {
      const codes = (req.query.get("markets") ?? "").split(",").filter(Boolean);
      const unknown = codes.find((c) => !markets.has(c));
      if (codes.length === 0 || unknown)
        return { status: 404, body: { error: { name: 404, message: "Code not found" } } };
      return {
        body: codes.map((code) => {
          const coin = markets.get(code);
          const q = coin && ctx.market.quote(coin, "upbit");
          return q ? upbitStyleTicker(code, q, { ws: false }) : {};
        }),
      };
    }
    return undefined;
  },
  connect(socket: SimSocket, ctx: SimContext) {
    if (socket.path !== "/websocket/v1") {
      socket.close(1008, "unknown path");
      return;
    }
    let codes: string[] = [];
    let simple = false;
    const lastSent = new Map<string, number>();
    const sendTickers = (streamType: "SNAPSHOT" | "REALTIME") => {
      const markets = krwMarkets(ctx.market, "upbit");
      for (const code of codes) {
        const coin = markets.get(code);
        const q = coin && ctx.market.quote(coin, "upbit");
        if (!q) continue;
        if (streamType === "REALTIME" && lastSent.get(code) === q.timestamp) continue;
        lastSent.set(code, q.timestamp);
        const ticker = upbitStyleTicker(code, q, { ws: true, streamType });
        socket.send(JSON.stringify(simple ? toSimpleFormat(ticker) : ticker), { binary: true });
      }
    };
    const stop = ctx.every(UPBIT_PUSH_MS, () => {
      if (!socket.open) {
        stop();
        return;
      }
      sendTickers("REALTIME");
    });
    socket.onClose(stop);
    socket.onMessage((text) => {
      if (text === "PING") {
        socket.send(JSON.stringify({ status: "UP" }), { binary: true, control: true });
        return;
      }
      let request: unknown;
      try {
        request = JSON.parse(text);
      } catch {
        socket.send(error("WRONG_FORMAT", "잘못된 요청입니다."), { binary: true, control: true });
        return;
      }
      if (!Array.isArray(request)) {
        socket.send(error("WRONG_FORMAT", "잘못된 요청입니다."), { binary: true, control: true });
        return;
      }
      const items = request as Record<string, unknown>[];
      if (!items.some((o) => typeof o?.ticket === "string")) {
        socket.send(error("NO_TICKET", "ticket이 없습니다."), { binary: true, control: true });
        return;
      }
      const type = items.find((o) => o?.type === "ticker");
      if (!type) {
        socket.send(error("NO_TYPE", "type이 없습니다."), { binary: true, control: true });
        return;
      }
      if (!Array.isArray(type.codes) || type.codes.length === 0) {
        socket.send(error("NO_CODES", "codes가 없습니다."), { binary: true, control: true });
        return;
      }
      codes = type.codes.filter((c): c is string => typeof c === "string");
      const format = items.find((o) => typeof o?.format === "string")?.format;
      simple = format === "SIMPLE";
      const realtimeOnly = type.is_only_realtime === true || type.isOnlyRealtime === true;
      if (!realtimeOnly) sendTickers("SNAPSHOT");
    });
  },
};
