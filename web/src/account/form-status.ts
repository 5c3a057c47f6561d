/**
 * What the profile and notification settings forms share beside the labelled fields (../form-field.ts):
 * the line that reports a form's outcome, the server's reason for a failure, the message for a field
 * path, and a busy guard for buttons.
 */
import { ApiError } from "../api";
import { h, setText } from "../dom";

export type StatusKind = "info" | "ok" | "error";

/** The shared message styles (trader.css): red for a failure, green for done, muted for progress. */
const KIND_CLASS: Record<StatusKind, string> = { info: "page-note", ok: "form-success", error: "form-message" };

/**
 * A form's outcome line (saved, failed...), announced politely. It keeps a function rather than a
 * string, so a language switch can write the same message again in the other language.
 */
export class StatusLine {
  readonly element = h("p", { class: "acct-status", role: "status", "aria-live": "polite" });
  private render: (() => string) | null = null;

  show(kind: StatusKind, render: () => string): void {
    this.render = render;
    this.element.dataset.kind = kind;
    this.element.className = `acct-status ${KIND_CLASS[kind]}`;
    this.relabel();
  }

  clear(): void {
    this.render = null;
    delete this.element.dataset.kind;
    this.element.className = "acct-status";
    setText(this.element, "");
  }

  relabel(): void {
    setText(this.element, this.render ? this.render() : "");
  }
}

/** The server's reason for a failure: its detail, else its title (already in the problem's words). */
export function reasonOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** The first message the server gave for `path` or for anything under it (`events.order.filled.0`). */
export function messageUnder(error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return (
    error.fieldMessage(path) ??
    error.problem.errors?.find((e) => e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`))?.message
  );
}

/**
 * Runs `task` with `button` marked busy (`aria-disabled`, not `disabled`, so a keyboard user's focus
 * stays on it). Returns undefined without running when the button is already busy (a double click).
 */
export async function whileBusy<T>(button: HTMLButtonElement, task: () => Promise<T>): Promise<T | undefined> {
  if (button.getAttribute("aria-busy") === "true") return undefined;
  button.setAttribute("aria-busy", "true");
  button.setAttribute("aria-disabled", "true");
  try {
    return await task();
  } finally {
    button.removeAttribute("aria-busy");
    button.removeAttribute("aria-disabled");
  }
}

/**
 * Loads what a form shows: the form marked busy and "loading" on its status line meanwhile, then
 * `show` with the answer, or the failure's reason on the status line.
 */
export async function loadForm<T>(
  form: HTMLElement,
  status: StatusLine,
  request: () => Promise<T>,
  show: (value: T) => void,
  text: { loading: () => string; failed: (reason: string) => string },
): Promise<void> {
  form.setAttribute("aria-busy", "true");
  status.show("info", text.loading);
  try {
    show(await request());
    status.clear();
  } catch (error) {
    const reason = reasonOf(error);
    status.show("error", () => text.failed(reason));
  } finally {
    form.removeAttribute("aria-busy");
  }
}
