/**
 * The detail view's strip of current figures: the Korean and global prices, the day's change, the
 * premium on both bases and the traded value, coloured by sign like the board's cells.
 */
import type { Coin, ExchangeRate } from "../../protocol/market";
import { rowFigures } from "./coin-row";
import { h } from "./dom";
import { formatKrw, formatKrwAmount, formatPercent, formatUsdt, signOf } from "./format";
import { type MessageKey, t } from "./i18n";

/** The figure strip (a `<dl>`) under a coin's title row. */
export class DetailFigures {
  readonly element: HTMLElement = h("dl", { class: "detail-figures" });

  /** Writes a coin's figures in the current language, or says the coin is unknown. */
  render(coin: Coin | undefined, rate: ExchangeRate | null): void {
    const dl = this.element;
    if (!coin) {
      dl.replaceChildren(h("div", { class: "fig" }, h("dd", { class: "fig-value" }, t("unknownCoin"))));
      return;
    }
    const fig = rowFigures(coin, rate);
    const entries: [MessageKey, string, string, number | null][] = [
      [fig.krwVenue === "bithumb" ? "venue_bithumb" : "colKrw", `${formatKrw(fig.krwPrice)} KRW`, "krw", fig.change],
      ["colChange", formatPercent(fig.change), "change", fig.change],
      [
        fig.globalVenue === "bybit" ? "venue_bybit" : "colGlobal",
        `${formatUsdt(fig.globalPrice)} USDT`,
        "global",
        null,
      ],
      ["colPremiumUnit", formatPercent(fig.premium), "premium", fig.premium],
      ["colUsdtPremiumUnit", formatPercent(fig.usdtPremium), "usdt-premium", fig.usdtPremium],
      ["colValue", formatKrwAmount(fig.value), "value", null],
    ];
    const rank = premiumRank(coin);
    if (rank) entries.push(["premiumRank", rank, "premium-rank", null]);
    const premiumWord = t("colPremium");
    dl.replaceChildren(
      ...entries.map(([label, value, id, sign]) => {
        const s = signOf(sign);
        const labelText =
          label === "colPremiumUnit" || label === "colUsdtPremiumUnit" ? `${premiumWord} (${t(label)})` : t(label);
        return h(
          "div",
          { class: `fig fig-${id}` },
          h("dt", {}, labelText),
          h("dd", { class: `fig-value${s > 0 ? " up" : s < 0 ? " down" : ""}`, id: `detail-${id}` }, value),
        );
      }),
    );
  }
}

/**
 * Where today's premium (USD/KRW basis) sits in the coin's last 30 days of hourly premiums, e.g.
 * `percentile 92 · z 1.8 · range -0.4% to 3.1%`; null until the coin has a day of history.
 */
function premiumRank(coin: Coin): string | null {
  const c = coin.premium?.context?.premium_percent;
  if (!c || c.percentile_30d === null) return null;
  return t("premiumRankValue")
    .replace("{p}", String(Math.round(c.percentile_30d)))
    .replace("{z}", c.z_score_30d === null ? "–" : c.z_score_30d.toFixed(1))
    .replace("{min}", formatPercent(c.min_30d))
    .replace("{max}", formatPercent(c.max_30d));
}
