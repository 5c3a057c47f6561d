import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** How many sequences the model test through the objects runs (empty: its default). */
      OBJECT_MODEL_RUNS: string;
      /** A low rate limit (3 per 10 s) for the rate-limit test. */
      TEST_RATE_LIMIT: RateLimit;
    }
  }
}
