/**
 * "Web Push on this browser": its state (unsupported, blocked by the browser, off, on) and the
 * buttons that change it. Turning it on asks for the notification permission first, inside the
 * user's click (browsers ignore or penalise permission prompts that come from nowhere), then
 * registers the service worker, subscribes with the server's VAPID key and hands the subscription to
 * the server (`POST /api/push/subscriptions`). Turning it off removes it there (`DELETE` with its
 * endpoint) and unsubscribes here.
 *
 * "On" means this browser holds a subscription *and* the server has it for this account: another
 * account signed in earlier on this browser, or a subscription the server dropped as gone, shows "off".
 */

import { reasonOf, StatusLine, whileBusy } from "../account/form-status";
import { ApiError } from "../api";
import { h, setText } from "../dom";
import { fill } from "../i18n";
import type { TraderContext } from "../trader/trader-context";
import { tr } from "./settings-messages";
import {
  currentSubscription,
  notificationPermission,
  PushTimeoutError,
  pushSupported,
  registerServiceWorker,
  requestPermission,
  subscribe,
  subscriptionBody,
} from "./web-push";

type PushState = "checking" | "unsupported" | "blocked" | "off" | "on";

export class PushControl {
  readonly element: HTMLElement;
  private readonly heading = h("h2", { class: "acct-card-title", id: "push-heading" });
  private readonly intro = h("p", { class: "acct-intro" });
  private readonly stateLabel = h("span", { class: "nset-push-label" });
  private readonly stateValue = h("strong", { class: "nset-push-state", id: "push-state" });
  private readonly help = h("p", { class: "acct-hint", id: "push-help" });
  private readonly enable = h("button", { type: "button", class: "button button-primary", id: "push-enable" });
  private readonly disable = h("button", { type: "button", class: "button", id: "push-disable" });
  private readonly status = new StatusLine();
  private state: PushState = "checking";

  constructor(private readonly ctx: TraderContext) {
    this.status.element.id = "push-status";
    this.enable.addEventListener("click", () => void this.turnOn());
    this.disable.addEventListener("click", () => void this.turnOff());
    this.element = h(
      "section",
      { class: "acct-card", "aria-labelledby": "push-heading" },
      this.heading,
      this.intro,
      h("p", { class: "nset-push-line" }, this.stateLabel, this.stateValue),
      this.help,
      h("div", { class: "acct-actions" }, this.enable, this.disable, this.status.element),
    );
    this.relabel();
  }

  /** Reads the state afresh (the permission or the subscription may have changed since). */
  async refresh(): Promise<void> {
    this.status.clear();
    this.setState(await this.readState());
  }

  relabel(): void {
    setText(this.heading, tr("pushHeading"));
    setText(this.intro, tr("pushIntro"));
    setText(this.stateLabel, `${tr("pushState")}: `);
    setText(this.stateValue, tr(`push.${this.state}`));
    const help = tr(`pushHelp.${this.state}`);
    setText(this.help, help);
    this.help.hidden = help === "";
    setText(this.enable, tr("pushEnable"));
    setText(this.disable, tr("pushDisable"));
    this.status.relabel();
  }

  private setState(state: PushState): void {
    this.state = state;
    this.element.dataset.pushState = state;
    this.stateValue.dataset.state = state;
    this.enable.hidden = !(state === "off" || state === "blocked");
    this.disable.hidden = state !== "on";
    this.relabel();
  }

  private async readState(): Promise<PushState> {
    if (!pushSupported()) return "unsupported";
    if (notificationPermission() === "denied") return "blocked";
    try {
      const subscription = await currentSubscription();
      if (!subscription || notificationPermission() !== "granted") return "off";
      const known = await this.ctx.api.get<{ endpoint: string }[]>("/api/push/subscriptions");
      return known.some((s) => s.endpoint === subscription.endpoint) ? "on" : "off";
    } catch {
      return "off";
    }
  }

  private async turnOn(): Promise<void> {
    await whileBusy(this.enable, async () => {
      // The permission prompt comes first, while the click still counts as the user's gesture.
      const permission = notificationPermission() === "granted" ? "granted" : await requestPermission();
      if (permission === "denied") {
        this.setState("blocked");
        this.status.show("error", () => tr("pushDenied"));
        return;
      }
      if (permission !== "granted") {
        this.status.show("error", () => tr("pushDismissed"));
        return;
      }
      this.status.show("info", () => tr("pushEnabling"));
      try {
        const registration = await registerServiceWorker();
        const { public_key } = await this.ctx.api.get<{ public_key: string }>("/api/push/vapid-public-key");
        const subscription = await subscribe(registration, public_key);
        try {
          await this.ctx.api.post("/api/push/subscriptions", subscriptionBody(subscription));
        } catch (error) {
          await subscription.unsubscribe().catch(() => false); // keep the browser and the server in step
          throw error;
        }
      } catch (error) {
        this.setState(notificationPermission() === "denied" ? "blocked" : "off");
        this.showFailure(error);
        return;
      }
      this.setState("on");
      this.status.show("ok", () => tr("pushEnabled"));
    });
  }

  private async turnOff(): Promise<void> {
    await whileBusy(this.disable, async () => {
      this.status.show("info", () => tr("pushDisabling"));
      try {
        const subscription = await currentSubscription();
        if (subscription) {
          try {
            await this.ctx.api.request("DELETE", "/api/push/subscriptions", { endpoint: subscription.endpoint });
          } catch (error) {
            if (!(error instanceof ApiError && error.status === 404)) throw error; // 404: already gone there
          }
          await subscription.unsubscribe();
        }
      } catch (error) {
        this.showFailure(error);
        return;
      }
      this.setState("off");
      this.status.show("ok", () => tr("pushDisabled"));
    });
  }

  /** Names what went wrong in the user's terms: the server, the browser's push service, or else. */
  private showFailure(error: unknown): void {
    if (error instanceof ApiError && error.status === 503) {
      this.status.show("error", () => tr("pushNotConfigured"));
    } else if (error instanceof PushTimeoutError) {
      this.status.show("error", () => tr("pushTimeout"));
    } else if (error instanceof DOMException) {
      // AbortError "Registration failed - ...": the browser's push service refused or is missing
      // (Chromium has none in a private window or offline); the browser's own words are kept.
      const reason = `${error.name}: ${error.message}`;
      this.status.show("error", () => fill(tr("pushNoService"), { reason }));
    } else {
      const reason = reasonOf(error);
      this.status.show("error", () => fill(tr("pushFailed"), { reason }));
    }
  }
}
