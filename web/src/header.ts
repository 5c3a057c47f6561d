/**
 * The header: USD/KRW, USDT/KRW, the tether premium and the Fear & Greed index, the connection
 * state, the language toggle, and a banner when the data is simulated or replayed.
 */

import { h, setClass } from "./dom";
import { formatPercent, formatRate, signOf } from "./format";
import { lang, type MessageKey, onLangChange, setLang, t } from "./i18n";
import type { LiveStream, StreamStatus } from "./live-stream";
import type { MarketState } from "./market-state";

interface Stat {
  root: HTMLElement;
  label: HTMLElement;
  value: HTMLElement;
  note: HTMLElement;
}

function stat(id: string): Stat {
  const label = h("span", { class: "stat-label" });
  const value = h("span", { class: "stat-value", id: `stat-${id}` }, "—");
  const note = h("span", { class: "stat-note" });
  return { root: h("div", { class: "stat" }, label, value, note), label, value, note };
}

function fearGreedKey(value: number): MessageKey {
  if (value < 25) return "fg_extreme_fear";
  if (value < 45) return "fg_fear";
  if (value <= 55) return "fg_neutral";
  if (value <= 75) return "fg_greed";
  return "fg_extreme_greed";
}

export class Header {
  readonly element: HTMLElement;
  readonly banner: HTMLElement;
  private readonly title: HTMLElement;
  private readonly subtitle: HTMLElement;
  private readonly usd = stat("usd-krw");
  private readonly usdt = stat("usdt-krw");
  private readonly tether = stat("tether-premium");
  private readonly fng = stat("fear-greed");
  private readonly gauge: HTMLElement;
  private readonly status: HTMLElement;
  private readonly statusText: HTMLElement;
  private readonly langButton: HTMLButtonElement;
  private readonly streams: LiveStream[] = [];
  private readonly actions: HTMLElement;

  constructor(private readonly market: MarketState) {
    this.title = h("span", { class: "brand-name" });
    this.subtitle = h("span", { class: "brand-sub" });
    this.gauge = h("span", { class: "fng-gauge", "aria-hidden": "true" }, h("span", { class: "fng-needle" }));
    this.fng.root.append(this.gauge);
    this.statusText = h("span", { class: "status-text" });
    this.status = h(
      "span",
      { class: "status", role: "status", "data-status": "connecting" },
      h("span", { class: "status-dot", "aria-hidden": "true" }),
      this.statusText,
    );
    this.langButton = h("button", {
      type: "button",
      class: "lang-toggle",
      onclick: () => setLang(lang() === "ko" ? "en" : "ko"),
    });
    this.actions = h("div", { class: "top-actions" }, this.status, this.langButton);
    this.element = h(
      "header",
      { class: "top" },
      h(
        "a",
        { class: "brand", href: "#/" },
        h("span", { class: "brand-mark", "aria-hidden": "true" }, "₩"),
        h("span", { class: "brand-text" }, this.title, this.subtitle),
      ),
      h("div", { class: "stats" }, this.usd.root, this.usdt.root, this.tether.root, this.fng.root),
      this.actions,
    );
    this.banner = h("div", { class: "source-banner", role: "alert", hidden: true });
    market.onChange((change) => {
      if (change.globals) this.render();
    });
    onLangChange(() => {
      this.render();
      this.renderStatus();
    });
    this.render();
    this.renderStatus();
  }

  /** Places the account corner (sign in, or the trader's links) among the header's actions. */
  mountAccount(element: HTMLElement): void {
    this.actions.append(element);
  }

  /** Shows the worst state of the given streams in the header. */
  watch(stream: LiveStream): void {
    this.streams.push(stream);
    this.renderStatus();
  }

  /** Called by the streams' status handler. */
  statusChanged(): void {
    this.renderStatus();
  }

  private renderStatus(): void {
    const states = this.streams.map((s) => s.status);
    const worst: StreamStatus = states.includes("reconnecting")
      ? "reconnecting"
      : states.includes("connecting") || states.length === 0
        ? "connecting"
        : "live";
    this.status.dataset.status = worst;
    this.statusText.textContent = t(worst === "live" ? "live" : worst);
  }

  private render(): void {
    this.title.textContent = t("title");
    this.subtitle.textContent = t("subtitle");
    this.langButton.textContent = t("langToggle");
    this.langButton.setAttribute("aria-label", t("langToggleLabel"));
    this.langButton.lang = lang() === "ko" ? "en" : "ko";
    this.usd.label.textContent = t("usdKrw");
    this.usdt.label.textContent = t("usdtKrw");
    this.tether.label.textContent = t("tetherPremium");
    this.fng.label.textContent = t("fearGreed");

    const rate = this.market.exchangeRate;
    this.usd.value.textContent = formatRate(rate?.exchange_rate);
    this.usdt.value.textContent = formatRate(rate?.usdt_krw_rate);
    this.tether.value.textContent = formatPercent(rate?.tether_premium_percent);
    const tetherSign = signOf(rate?.tether_premium_percent);
    setClass(this.tether.value, "up", tetherSign > 0);
    setClass(this.tether.value, "down", tetherSign < 0);
    const stale = rate?.stale ?? false;
    for (const s of [this.usd, this.usdt, this.tether]) {
      setClass(s.root, "stale", stale);
      s.note.textContent = stale ? t("staleNote") : "";
    }
    this.usd.root.title = rate?.provider ? `${rate.provider}` : "";

    const fg = this.market.fearGreed;
    if (fg) {
      this.fng.value.textContent = String(fg.value);
      this.fng.note.textContent = t(fearGreedKey(fg.value));
      this.fng.root.dataset.level = fearGreedKey(fg.value);
      this.gauge.style.setProperty("--fng", `${fg.value}%`);
      this.gauge.hidden = false;
    } else {
      this.fng.value.textContent = "—";
      this.fng.note.textContent = "";
      this.gauge.hidden = true;
    }

    const source = this.market.source;
    document.body.dataset.source = source ?? "live";
    if (source === "simulated" || source === "replay") {
      this.banner.hidden = false;
      this.banner.dataset.source = source;
      this.banner.replaceChildren(
        h("strong", {}, t(source === "simulated" ? "sourceSimulated" : "sourceReplay")),
        " ",
        t(source === "simulated" ? "sourceSimulatedNote" : "sourceReplayNote"),
      );
    } else {
      this.banner.hidden = true;
    }
  }
}
