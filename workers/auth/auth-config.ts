/**
 * Token lifetimes and names from `wrangler.toml` vars, with the defaults the README documents. A
 * value that is not a positive integer falls back to the default rather than disabling expiry.
 */
export interface AuthConfig {
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  sessionMaxAgeSeconds: number;
  wsTicketTtlSeconds: number;
}

function seconds(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Reads the auth settings from the Worker's environment. */
export function authConfig(env: Env): AuthConfig {
  return {
    issuer: env.JWT_ISSUER || "kimchi-edge",
    audience: env.JWT_AUDIENCE || "kimchi-edge-api",
    accessTtlSeconds: seconds(env.ACCESS_TOKEN_TTL_SECONDS, 900),
    refreshTtlSeconds: seconds(env.REFRESH_TOKEN_TTL_SECONDS, 14 * 86_400),
    sessionMaxAgeSeconds: seconds(env.SESSION_MAX_AGE_SECONDS, 90 * 86_400),
    wsTicketTtlSeconds: 30,
  };
}
