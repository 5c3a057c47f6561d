/**
 * CSV as RFC 4180 defines it (https://www.rfc-editor.org/rfc/rfc4180): records end with CRLF, a field
 * that holds a comma, a double quote, CR or LF is enclosed in double quotes, and a double quote
 * inside it is doubled. The text is UTF-8 with no byte-order mark.
 */
import { canonicalDecimal } from "../../protocol/trading";

/** A cell: text as it is, numbers in plain decimal, null and undefined as an empty field. */
export type CsvCell = string | number | boolean | null | undefined;

/** The media type of a CSV body with a header row (RFC 4180 section 3, the `header` parameter). */
export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8; header=present";

/** One field, quoted when it must be. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? plainNumber(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record with its CRLF. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvField).join(",")}\r\n`;
}

/** A whole table: the header row, then each row. */
export function csvTable(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return csvRow(header) + rows.map(csvRow).join("");
}

/** `Content-Disposition` for a download with this file name (ASCII names only; RFC 6266). */
export function attachment(filename: string): string {
  return `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`;
}

/** A number as a spreadsheet reads it: never in exponent notation (`1e-7` is `0.0000001`). */
function plainNumber(n: number): string {
  return Number.isFinite(n) ? canonicalDecimal(n) : "";
}
