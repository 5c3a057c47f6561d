/** Placeholder until the form is built (work in progress). */
import { h } from "../dom";
import type { TraderContext } from "../trader/trader-context";

export class AlertForm {
  readonly element = h("form", { class: "alert-form" });

  constructor(
    readonly ctx: TraderContext,
    readonly onCreated?: () => void,
  ) {}

  setSymbol(_symbol: string): void {}

  focusFirst(): void {}

  relabel(): void {}
}
