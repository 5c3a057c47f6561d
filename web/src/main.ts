/**
 * The dashboard's entry: builds the page, opens the two live streams and routes between the
 * board (`#/`) and a coin's detail view (`#/coin/BTC`).
 */
import "./styles.css";
import { isCoinSymbol } from "../../protocol/venues";
import type { SnapshotMessage, UpdateMessage } from "../../protocol/websocket";
import { Board } from "./board";
import type { DetailView } from "./detail";
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
const liquidations = new LiquidationPanel(() => header.statusChanged());

const marketStream = new LiveStream(() => "/ws/market", {
  onSnapshot: (data) => market.applySnapshot(data as SnapshotMessage["data"]),
  onMessage: (message) => {
    if (message.type === "update" && !market.applyUpdate(message.data as UpdateMessage["data"])) marketStream.resync();
  },
  onStatus: () => header.statusChanged(),
});
header.watch(marketStream);
header.watch(liquidations.stream);

const primary = h("div", { class: "primary" }, board.element);
const hint = h("span", { class: "footer-hint" });
const skip = h("a", { class: "skip-link", href: "#coin-search" });
const docs = h("a", { href: "/docs" }, "API");
const app = h(
  "div",
  { class: "app" },
  skip,
  header.element,
  header.banner,
  h("main", { class: "layout" }, primary, h("aside", { class: "side" }, liquidations.element)),
  h("footer", { class: "foot" }, hint, docs),
);
document.body.replaceChildren(app);

function renderFooter(): void {
  hint.textContent = t("keyboardHint");
  skip.textContent = t("skipToSearch");
}

/**
 * The detail view and its charting library load on first use, so the board paints without them.
 * The chunk is fetched in the background once the board is up.
 */
let detail: DetailView | null = null;
let detailLoading: Promise<DetailView> | null = null;
function loadDetail(): Promise<DetailView> {
  detailLoading ??= import("./detail").then(({ DetailView }) => {
    detail = new DetailView(market, favourites);
    primary.append(detail.element);
    return detail;
  });
  return detailLoading;
}

function coinInHash(): string | null {
  const match = /^#\/coin\/(.+)$/.exec(location.hash);
  const symbol = match?.[1]?.toUpperCase();
  return symbol && isCoinSymbol(symbol) ? symbol : null;
}

function detailOpen(): boolean {
  return detail !== null && !detail.element.hidden;
}

/** Shows the board or a coin's detail view for the current hash. */
function route(): void {
  const symbol = coinInHash();
  if (symbol) {
    board.element.hidden = true;
    void loadDetail().then((view) => {
      if (coinInHash() !== symbol) return;
      view.show(symbol);
      // Move focus to the view's heading, so screen readers announce it and Tab continues from there.
      (view.element.querySelector("h1") as HTMLElement | null)?.focus({ preventScroll: true });
      window.scrollTo({ top: 0 });
    });
  } else {
    const wasDetail = detailOpen();
    detail?.hide();
    board.element.hidden = false;
    document.title = t("title");
    if (wasDetail) board.focusRow(lastSymbol);
  }
}

let lastSymbol: string | null = null;
window.addEventListener("hashchange", () => {
  lastSymbol = coinInHash() ?? lastSymbol;
  route();
});

document.addEventListener("keydown", (e) => {
  const target = e.target as HTMLElement;
  const typing = target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA";
  if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    if (coinInHash()) {
      location.hash = "#/";
      route(); // now, not at the hashchange event, so the search box is visible to take focus
    }
    board.focusSearch();
  } else if (e.key === "Escape" && coinInHash()) {
    location.hash = "#/";
  }
});

onLangChange(() => {
  renderFooter();
  detail?.relabel();
  if (!detailOpen()) document.title = t("title");
});

renderFooter();
route();
marketStream.start();
liquidations.stream.start();
market.onChange((change) => {
  if (change.snapshot) setTimeout(() => void loadDetail(), 1500);
});
