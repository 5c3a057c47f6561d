/** A view the router shows in the main column in place of the board (`#/desk`, `#/alerts`, ...). */
export interface Page {
  readonly element: HTMLElement;
  /** Shows the page; `arg` is what follows its name in the hash (`#/alerts/BTC` gives "BTC"), or null. */
  show(arg: string | null): void;
  hide(): void;
  /** Writes its labels again after a language switch. */
  relabel(): void;
}
