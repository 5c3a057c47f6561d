import { hasHistory, type PremiumWindows } from "./premium-context";

/**
 * The board's copy of every coin's premium windows (each coin's MarketSymbol sums up its own history
 * and sends them), kept in memory for rendering and in SQLite across restarts.
 */
export class PremiumWindowStore {
  private readonly windows = new Map<string, PremiumWindows>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS premium_windows (base TEXT PRIMARY KEY, data TEXT NOT NULL)");
    for (const row of sql.exec<{ base: string; data: string }>("SELECT base, data FROM premium_windows")) {
      this.windows.set(row.base, JSON.parse(row.data) as PremiumWindows);
    }
  }

  /**
   * Keeps a coin's windows unless newer ones are held (deliveries may arrive out of order); answers
   * whether the coin's premium context may have changed.
   */
  set(base: string, windows: PremiumWindows): boolean {
    const held = this.windows.get(base) ?? null;
    if (held && held.as_of > windows.as_of) return false;
    this.windows.set(base, windows);
    this.sql.exec(
      "INSERT INTO premium_windows (base, data) VALUES (?, ?) ON CONFLICT(base) DO UPDATE SET data = excluded.data",
      base,
      JSON.stringify(windows),
    );
    return hasHistory(held) || hasHistory(windows);
  }

  get(base: string): PremiumWindows | null {
    return this.windows.get(base) ?? null;
  }
}
