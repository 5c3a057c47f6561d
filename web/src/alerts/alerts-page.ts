/** Placeholder until the page is built (work in progress). */
import { h } from "../dom";
import type { Page } from "../page";
import type { TraderContext } from "../trader/trader-context";

export class AlertsPage implements Page {
  readonly element = h("section", { class: "page", hidden: true });

  constructor(readonly ctx: TraderContext) {}

  show(_arg: string | null): void {
    this.element.hidden = false;
  }

  hide(): void {
    this.element.hidden = true;
  }

  relabel(): void {}
}
