/**
 * The dashboard's entry: builds the page, opens the two live streams and routes between the
 * board (`#/`) and a coin's detail view (`#/coin/BTC`).
 */
import "./styles.css";
import type { SnapshotMessage, UpdateMessage } from "../../protocol/websocket";
import { Board } from "./board";
import { DetailView } from "./detail";
import { h } from "./dom";
import { Favourites } from "./favourites";
import { Header } from "./header";
import { lang, onLangChange, t } from "./i18n";
import { LiquidationPanel } from "./liquidations";
import { LiveStream } from "./live-stream";
import { MarketState } from "./market-state";

document.documentElement.lang = lang();

const market = new MarketState();
const favourites = new Favourites();
const header = new Header(market);
const board = new Board(market, favourites);
const detail = new DetailView(market, favourites);
const liquidations = new LiquidationPanel(() => header.statusChanged());

const marketStream = new LiveStream(() => "/ws/market", {
  onSnapshot: (data) => market.applySnapshot(data as SnapshotMessage["data"]),
  onMessage: (message) => {
    if (message.type === "update") market.applyUpdate(message.data as UpdateMessage["data"]);
  },
  onStatus: () => header.statusChanged(),
});
header.watch(marketStream);
header.watch(liquidations.stream);

const hint = h("span", { class: "footer-hint" });
const skip = h("a", { class: "skip-link", href: "#coin-search" });
const docs = h("a", { href: "/docs" }, "API");
const app = h(
  "div",
  { class: "app" },
  skip,
  header.element,
  header.banner,
  h(
    "main",
    { class: "layout" },
    h("div", { class: "primary" }, board.element, detail.element),
    h("aside", { class: "side" }, liquidations.element),
  ),
  h("footer", { class: "foot" }, hint, docs),
);
document.body.replaceChildren(app);

function renderFooter(): void {
  hint.textContent = t("keyboardHint");
  skip.textContent = t("skipToSearch");
}

/** Shows the board or a coin's detail view for the current hash. */
function route(): void {
  const match = /^#\/coin\/([A-Za-z0-9]{1,20})$/.exec(location.hash);
  if (match) {
    board.element.hidden = true;
    detail.show(decodeURIComponent(match[1] as string).toUpperCase());
    // Move focus to the view's heading, so screen readers announce it and Tab continues from there.
    (detail.element.querySelector("h1") as HTMLElement | null)?.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
  } else {
    const wasDetail = !detail.element.hidden;
    detail.hide();
    board.element.hidden = false;
    document.title = t("title");
    if (wasDetail) board.focusRow(lastSymbol);
  }
}

let lastSymbol: string | null = null;
window.addEventListener("hashchange", () => {
  const match = /^#\/coin\/([A-Za-z0-9]{1,20})$/.exec(location.hash);
  if (match) lastSymbol = (match[1] as string).toUpperCase();
  route();
});

document.addEventListener("keydown", (e) => {
  const target = e.target as HTMLElement;
  const typing = target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA";
  if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    if (!detail.element.hidden) location.hash = "#/";
    board.focusSearch();
  } else if (e.key === "Escape" && !detail.element.hidden) {
    location.hash = "#/";
  }
});

onLangChange(() => {
  renderFooter();
  detail.relabel();
  if (detail.element.hidden) document.title = t("title");
});

renderFooter();
route();
marketStream.start();
liquidations.stream.start();
