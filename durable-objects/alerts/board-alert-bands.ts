/**
 * The board's copy of every coin's alert bands (see `alert-bands.ts`), kept in its SQLite so a
 * restarted board still knows which ticks its coins' alerts need promptly.
 */
import type { SymbolUpdate } from "../market/symbol-update";
import { type AlertBands, type BandCheck, bandChecks, reachesBand } from "./alert-bands";

export class BoardAlertBands {
  private readonly bands = new Map<string, BandCheck[]>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS alert_bands (base TEXT PRIMARY KEY, data TEXT NOT NULL)");
    for (const row of sql.exec<{ base: string; data: string }>("SELECT base, data FROM alert_bands")) {
      this.bands.set(row.base, bandChecks(JSON.parse(row.data) as AlertBands));
    }
  }

  /** A coin's bands from its MarketSymbol; null (or none) when it has no alerts. */
  set(base: string, bands: AlertBands | null): void {
    if (bands === null || Object.keys(bands).length === 0) {
      this.bands.delete(base);
      this.sql.exec("DELETE FROM alert_bands WHERE base = ?", base);
      return;
    }
    this.bands.set(base, bandChecks(bands));
    this.sql.exec(
      "INSERT INTO alert_bands (base, data) VALUES (?, ?) ON CONFLICT(base) DO UPDATE SET data = excluded.data",
      base,
      JSON.stringify(bands),
    );
  }

  /** The coins among these updates whose new view reaches one of their bands. */
  urgent(updates: Map<string, SymbolUpdate>): Set<string> {
    const out = new Set<string>();
    for (const [base, update] of updates) {
      const bands = this.bands.get(base);
      if (bands && reachesBand(bands, update.coin)) out.add(base);
    }
    return out;
  }
}
