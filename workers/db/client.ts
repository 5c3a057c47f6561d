import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** The drizzle handle on the Worker's D1 binding, with the schema for typed queries. */
export type Db = DrizzleD1Database<typeof schema>;

/** Opens drizzle on `env.DB` (cheap: a thin wrapper, no connection). */
export function database(env: Env): Db {
  return drizzle(env.DB, { schema });
}
