/** A tiny element builder, so views read as their markup without a framework. */
type Attrs = Record<string, string | number | boolean | undefined | null | EventListener>;
type Child = Node | string | null | undefined | false;

/**
 * Creates an element: `h("button", { class: "star", "aria-pressed": false, onclick: fn }, "☆")`.
 * Attributes set to `false`, `null` or `undefined` are left out; `on*` functions become listeners.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      el.className = String(value);
    } else if (name === "style") {
      // Through the CSSOM, which the page's Content-Security-Policy allows (a style attribute it would not).
      el.style.cssText = String(value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

/** Sets an element's text only when it differs, so unchanged cells cause no DOM work. */
export function setText(el: Element, text: string): boolean {
  if (el.textContent === text) return false;
  el.textContent = text;
  return true;
}

/** Sets or clears one class only when that changes anything. */
export function setClass(el: Element, name: string, on: boolean): void {
  if (el.classList.contains(name) !== on) el.classList.toggle(name, on);
}

/** A brief background flash on a cell whose value moved (Web Animations: no layout, no class juggling). */
export function flash(el: Element, direction: 1 | -1): void {
  if (typeof el.animate !== "function") return;
  el.animate(
    [
      { backgroundColor: direction > 0 ? "rgba(255, 90, 110, 0.32)" : "rgba(76, 155, 255, 0.32)" },
      { backgroundColor: "rgba(0, 0, 0, 0)" },
    ],
    { duration: 700, easing: "ease-out" },
  );
}
