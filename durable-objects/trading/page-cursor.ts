/**
 * Cursors of the ledger's lists (orders, fills), newest first: the time and id of the last item of a
 * page, opaque to clients (base64url), so the next page starts after it even when items share a time.
 */

/** A page of a list: the items and the cursor of the next page (null at the end). */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export function makeCursor(at: number, id: string): string {
  return btoa(`${at}:${id}`).replaceAll("=", "");
}

export function parseCursor(cursor: string | null): { at: number; id: string } | null {
  if (!cursor) return null;
  try {
    const [at, ...rest] = atob(cursor).split(":");
    const id = rest.join(":");
    return /^\d+$/.test(at ?? "") && id ? { at: Number(at), id } : null;
  } catch {
    return null;
  }
}
