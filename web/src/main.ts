/**
 * The dashboard's entry: builds the page, opens the live streams and routes between the board
 * (`#/`), a coin's detail view (`#/coin/BTC`) and the trader's pages (`#/signin`, `#/desk`,
 * `#/analytics`, `#/alerts`, `#/inbox`, `#/settings`, `#/profile`), which load as one chunk on first use.
 */
import "./styles.css";
import { isCoinSymbol } from "../../protocol/venues";
import type { SnapshotMessage, UpdateMessage } from "../../protocol/websocket";
import { Api } from "./api";
import { Board } from "./board";
import type { DetailView } from "./detail";
import { h } from "./dom";
import { Favourites } from "./favourites";
import { Header } from "./header";
import { lang, onLangChange, t } from "./i18n";
import { LiquidationPanel } from "./liquidations";
import { LiveStream } from "./live-stream";
import { MarketState } from "./market-state";
import type { Page } from "./page";
import { Session } from "./session";
import { AccountNav } from "./trader/account-nav";
import { OrderToasts } from "./trader/order-toasts";
import type { TraderContext } from "./trader/trader-context";
import { tr } from "./trader/trader-messages";
import type { TraderPages } from "./trader/trader-pages";
import { TraderState } from "./trader/trader-state";

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

const session = new Session();
const api = new Api(session);
const trader = new TraderState(session, api);
const ctx: TraderContext = { session, api, trader, market };
const accountNav = new AccountNav(session, trader);
const orderToasts = new OrderToasts(trader);
header.mountAccount(accountNav.element);

const primary = h("div", { class: "primary" }, board.element);
const sessionNotice = h("p", { class: "session-notice", role: "status", hidden: true });
const hint = h("span", { class: "footer-hint" });
const skip = h("a", { class: "skip-link", href: "#coin-search" });
const docs = h("a", { href: "/docs" }, "API");
const app = h(
  "div",
  { class: "app" },
  skip,
  header.element,
  header.banner,
  sessionNotice,
  h("main", { class: "layout" }, primary, h("aside", { class: "side" }, liquidations.element)),
  h("footer", { class: "foot" }, hint, docs),
);
document.body.replaceChildren(app, orderToasts.element);

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
    detail = new DetailView(market, favourites, openTradeDialog);
    primary.append(detail.element);
    return detail;
  });
  return detailLoading;
}

/** The trader's pages by hash name; those outside `PUBLIC_PAGES` need a signed-in user. */
const PAGE_NAMES = new Set(["signin", "signup", "desk", "analytics", "profile", "alerts", "inbox", "settings"]);
const PUBLIC_PAGES = new Set(["signin", "signup"]);

let traderPages: TraderPages | null = null;
let traderLoading: Promise<TraderPages> | null = null;
function loadTraderPages(): Promise<TraderPages> {
  traderLoading ??= import("./trader/trader-pages").then(({ buildTraderPages }) => {
    traderPages = buildTraderPages(ctx);
    for (const page of traderPages.pages.values()) primary.append(page.element);
    document.body.append(traderPages.dialog.element);
    return traderPages;
  });
  return traderLoading;
}

/** Opens the order, premium-trade or alert dialog for a coin (a visitor is sent to sign in first). */
function openTradeDialog(symbol: string, tab: "order" | "premium" | "alert", opener: HTMLElement | null): void {
  if (!session.signedIn) {
    location.hash = `#/signin/coin/${symbol}`;
    return;
  }
  void loadTraderPages().then(({ dialog }) => dialog.open(symbol, tab, opener));
}
board.onTrade = openTradeDialog;

let shownPage: Page | null = null;

function pageInHash(): { name: string; arg: string | null } | null {
  const match = /^#\/([a-z]+)(?:\/(.+))?$/.exec(location.hash);
  const name = match?.[1];
  if (!name || !PAGE_NAMES.has(name)) return null;
  return { name, arg: match?.[2] ? decodeURIComponent(match[2]) : null };
}

function hidePage(): void {
  shownPage?.hide();
  shownPage = null;
  accountNav.setCurrent(null);
}

/** Shows a trader's page, or the sign-in page first when it needs a user and there is none. */
function showPage(name: string, arg: string | null): void {
  if (!PUBLIC_PAGES.has(name) && !session.signedIn) {
    location.replace(`#/signin/${name}${arg ? `/${arg}` : ""}`);
    return;
  }
  if (PUBLIC_PAGES.has(name) && session.signedIn) {
    location.replace(`#/${arg ?? "desk"}`);
    return;
  }
  board.element.hidden = true;
  detail?.hide();
  void loadTraderPages().then(({ pages }) => {
    const current = pageInHash();
    if (current?.name !== name) return;
    const page = pages.get(name) as Page;
    if (shownPage !== page) shownPage?.hide();
    shownPage = page;
    accountNav.setCurrent(name);
    page.show(arg);
    (page.element.querySelector("h1") as HTMLElement | null)?.focus({ preventScroll: true });
    window.scrollTo({ top: 0 });
  });
}

function coinInHash(): string | null {
  const match = /^#\/coin\/(.+)$/.exec(location.hash);
  const symbol = match?.[1]?.toUpperCase();
  return symbol && isCoinSymbol(symbol) ? symbol : null;
}

function detailOpen(): boolean {
  return detail !== null && !detail.element.hidden;
}

/** Shows the board, a coin's detail view or a trader's page for the current hash. */
function route(): void {
  const page = pageInHash();
  if (page) {
    showPage(page.name, page.arg);
    return;
  }
  hidePage();
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
  // An open dialog owns the keyboard: its Esc closes it and nothing behind it.
  if (document.querySelector("dialog[open]")) return;
  const target = e.target as HTMLElement;
  const typing = target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA";
  if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
    e.preventDefault();
    if (coinInHash() || pageInHash()) {
      location.hash = "#/";
      route(); // now, not at the hashchange event, so the search box is visible to take focus
    }
    board.focusSearch();
  } else if (e.key === "Escape" && coinInHash()) {
    location.hash = "#/";
  }
});

/** A session that ends (signed out here or in another tab, expired, revoked) leaves the trader's pages. */
session.onChange((change) => {
  sessionNotice.hidden = change.signedIn;
  if (change.signedIn) return;
  sessionNotice.textContent = change.reason === "expired" ? tr("sessionExpired") : tr("signedOutNote");
  traderPages?.dialog.close();
  const page = pageInHash();
  if (page && !PUBLIC_PAGES.has(page.name)) {
    location.hash = change.reason === "expired" ? `#/signin/${page.name}` : "#/";
  }
});
window.addEventListener("hashchange", () => {
  if (pageInHash()?.name !== "signin") sessionNotice.hidden = true;
});

onLangChange(() => {
  renderFooter();
  detail?.relabel();
  if (traderPages) for (const page of traderPages.pages.values()) page.relabel();
  traderPages?.dialog.relabel();
  if (!detailOpen() && !shownPage) document.title = t("title");
});

renderFooter();
route();
marketStream.start();
liquidations.stream.start();
market.onChange((change) => {
  if (change.snapshot) setTimeout(() => void loadDetail(), 1500);
});
