/**
 * One labelled form control with its hint and its error, tied together for assistive technology
 * (`aria-describedby`, `aria-invalid`), so a server's rejection can be shown next to the field it names.
 */
import { h, setText } from "./dom";

let nextId = 0;

export class FormField<E extends HTMLInputElement | HTMLSelectElement = HTMLInputElement> {
  readonly element: HTMLElement;
  readonly label: HTMLLabelElement;
  readonly hint: HTMLElement;
  readonly error: HTMLElement;

  constructor(
    readonly control: E,
    /** The request field this control fills (`price`, `quantity`): where a server error lands. */
    readonly path: string,
  ) {
    nextId++;
    control.id ||= `field-${path.replace(/\W/g, "-")}-${nextId}`;
    this.label = h("label", { for: control.id, class: "field-label" });
    this.hint = h("span", { class: "field-hint", id: `${control.id}-hint` });
    this.error = h("span", { class: "field-error", id: `${control.id}-error`, hidden: true });
    control.setAttribute("aria-describedby", `${this.hint.id} ${this.error.id}`);
    control.dataset.field = path;
    this.element = h("div", { class: "field" }, this.label, control, this.hint, this.error);
  }

  setLabel(text: string): void {
    setText(this.label, text);
  }

  setHint(text: string): void {
    setText(this.hint, text);
  }

  /** Shows `message` under the control (or clears it with null). */
  setError(message: string | null): void {
    this.error.hidden = message === null;
    setText(this.error, message ?? "");
    if (message === null) this.control.removeAttribute("aria-invalid");
    else this.control.setAttribute("aria-invalid", "true");
  }
}

/**
 * Shows each of a problem's field errors next to its field; what names no shown field goes to
 * `general`. Returns the first field that got a message, to move focus there.
 */
export function showFieldErrors(
  fields: FormField<HTMLInputElement | HTMLSelectElement>[],
  errors: { path: string; message: string }[] | undefined,
  general: (message: string) => void,
): FormField<HTMLInputElement | HTMLSelectElement> | null {
  for (const field of fields) field.setError(null);
  let first: FormField<HTMLInputElement | HTMLSelectElement> | null = null;
  for (const error of errors ?? []) {
    const field = fields.find((f) => f.path === error.path);
    if (field) {
      field.setError(error.message);
      first ??= field;
    } else {
      general(`${error.path}: ${error.message}`);
    }
  }
  return first;
}
