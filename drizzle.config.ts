import { defineConfig } from "drizzle-kit";

/**
 * `npx drizzle-kit generate --name <what>` writes the next numbered SQL file into `migrations/`
 * (plus drizzle's snapshot under `migrations/meta/`). wrangler applies those files
 * (`wrangler d1 migrations apply kimchi-edge --local|--remote`) and the Worker tests apply the same
 * files; never `drizzle-kit push`.
 */
export default defineConfig({
  dialect: "sqlite",
  schema: "./workers/db/schema.ts",
  out: "./migrations",
});
