/**
 * A table of items kept by key: `render(items)` adds rows for new keys, drops rows whose key is
 * gone, keeps the order given, and writes only the cells whose text changed, so a tick that moves
 * twenty positions costs twenty-odd text writes, not a rebuilt table.
 */
import { h, setClass, setText } from "../dom";

export interface Column<T> {
  /** The column's class (`col-<name>`), also what tests select. */
  name: string;
  label: () => string;
  text: (item: T) => string;
  /** Colours the cell: 1 up (red), -1 down (blue). */
  tone?: (item: T) => -1 | 0 | 1;
  numeric?: boolean;
}

interface Row {
  element: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
}

export class KeyedTable<T> {
  readonly element: HTMLElement;
  private readonly head: HTMLTableRowElement;
  private readonly body: HTMLTableSectionElement;
  private readonly empty: HTMLElement;
  private readonly caption: HTMLTableCaptionElement;
  private readonly rows = new Map<string, Row>();
  private order: string[] = [];

  constructor(
    id: string,
    private readonly columns: Column<T>[],
    private readonly keyOf: (item: T) => string,
    private readonly emptyText: () => string,
    private readonly captionText: () => string,
    /** Buttons for a row (made once per row; read the item again by key when clicked). */
    private readonly actions?: (key: string) => HTMLElement[],
  ) {
    this.head = h("tr", {});
    this.body = h("tbody", {});
    this.caption = h("caption", { class: "visually-hidden" });
    this.empty = h("p", { class: "table-empty" });
    this.element = h(
      "div",
      { class: "table-wrap trader-table-wrap" },
      h("table", { class: "trader-table", id }, this.caption, h("thead", {}, this.head), this.body),
      this.empty,
    );
    this.relabel();
  }

  relabel(): void {
    this.head.replaceChildren(
      ...this.columns.map((c) =>
        h("th", { scope: "col", class: `col-${c.name}${c.numeric ? " num" : ""}` }, c.label()),
      ),
      ...(this.actions
        ? [h("th", { scope: "col", class: "col-actions" }, h("span", { class: "visually-hidden" }, "…"))]
        : []),
    );
    setText(this.caption, this.captionText());
    setText(this.empty, this.emptyText());
  }

  /** Shows `items` in this order. */
  render(items: T[]): void {
    const keys = items.map(this.keyOf);
    const wanted = new Set(keys);
    for (const [key, row] of this.rows) {
      if (!wanted.has(key)) {
        row.element.remove();
        this.rows.delete(key);
      }
    }
    items.forEach((item, i) => {
      const key = keys[i] as string;
      let row = this.rows.get(key);
      if (!row) {
        row = this.createRow(key);
        this.rows.set(key, row);
      }
      this.columns.forEach((column, c) => {
        const cell = row.cells[c] as HTMLTableCellElement;
        setText(cell, column.text(item));
        if (column.tone) {
          const tone = column.tone(item);
          setClass(cell, "up", tone > 0);
          setClass(cell, "down", tone < 0);
        }
      });
    });
    if (keys.length !== this.order.length || keys.some((k, i) => k !== this.order[i])) {
      this.body.replaceChildren(...keys.map((k) => (this.rows.get(k) as Row).element));
      this.order = keys;
    }
    this.empty.hidden = keys.length > 0;
  }

  private createRow(key: string): Row {
    const cells = this.columns.map((c) => h("td", { class: `col-${c.name}${c.numeric ? " num" : ""}` }));
    const element = h("tr", { "data-key": key }, ...cells);
    if (this.actions) element.append(h("td", { class: "col-actions" }, ...this.actions(key)));
    return { element, cells };
  }
}
