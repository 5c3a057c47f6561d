/** How long an applied batch id is remembered for de-duplication. */
const BATCH_ID_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * The ingest batches the board has applied (for a day), each with the digest of its body: a batch
 * id seen again is a duplicate when its body is the same, and a conflict when it is not.
 */
export class AppliedBatches {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS applied_batches (
      batch_id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL, digest TEXT)`);
    // Boards created before batches had digests: add the column (old rows keep none).
    const columns = sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('applied_batches')").toArray();
    if (!columns.some((c) => c.name === "digest")) sql.exec("ALTER TABLE applied_batches ADD COLUMN digest TEXT");
  }

  /** Whether a batch is new, a duplicate of one applied, or reuses an applied one's id with another body. */
  seen(batchId: string, digest: string): "new" | "duplicate" | "conflict" {
    const row = this.sql
      .exec<{ digest: string | null }>("SELECT digest FROM applied_batches WHERE batch_id = ?", batchId)
      .toArray()[0];
    if (!row) return "new";
    // A batch remembered without a digest (from before digests) can only be taken as a duplicate.
    return row.digest !== null && row.digest !== digest ? "conflict" : "duplicate";
  }

  remember(batchId: string, digest: string, now: number): void {
    this.sql.exec("INSERT INTO applied_batches (batch_id, applied_at, digest) VALUES (?, ?, ?)", batchId, now, digest);
  }

  prune(now: number): void {
    this.sql.exec("DELETE FROM applied_batches WHERE applied_at < ?", now - BATCH_ID_RETENTION_MS);
  }
}
