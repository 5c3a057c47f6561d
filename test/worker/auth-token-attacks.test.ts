import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  call,
  claimsOf,
  currentKey,
  forgeToken,
  me,
  newAccount,
  previousKey,
  segment,
  type TestAccount,
} from "./support/auth";

let account: TestAccount;
let sub: string;
let sid: string;

beforeAll(async () => {
  account = await newAccount("attack");
  ({ sub, sid } = claimsOf(account.tokens.access_token));
});

async function expect401(token: string): Promise<void> {
  const res = await me(token);
  expect(res.status).toBe(401);
}

describe("access tokens the gateway refuses", () => {
  it("accepts the genuine token and a correctly forged one (the forging helper is faithful)", async () => {
    expect((await me(account.tokens.access_token)).status).toBe(200);
    expect((await me(await forgeToken(sub, sid))).status).toBe(200);
  });

  it('refuses alg "none"', async () => {
    const [, payload] = account.tokens.access_token.split(".");
    await expect401(`${segment({ alg: "none", typ: "at+jwt" })}.${payload}.`);
    await expect401(`${segment({ alg: "none", typ: "at+jwt", kid: currentKey().kid })}.${payload}.`);
  });

  it("refuses an edited payload", async () => {
    const [header, , signature] = account.tokens.access_token.split(".");
    const claims = JSON.parse(
      atob(account.tokens.access_token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/")),
    );
    await expect401(`${header}.${segment({ ...claims, role: "admin" })}.${signature}`);
    await expect401(`${header}.${segment({ ...claims, exp: claims.exp + 86_400 })}.${signature}`);
  });

  it("refuses a token signed with another key, even under our kid", async () => {
    const stranger = { kid: currentKey().kid, secret: crypto.getRandomValues(new Uint8Array(32)) };
    await expect401(await forgeToken(sub, sid, { key: stranger }));
  });

  it("refuses a token whose kid is unknown or missing", async () => {
    await expect401(await forgeToken(sub, sid, { kid: "no-such-key" }));
    await expect401(await forgeToken(sub, sid, { kid: null }));
  });

  it("refuses an expired token", async () => {
    await expect401(await forgeToken(sub, sid, { iat: -1000, nbf: -1000, exp: -60 }));
  });

  it("refuses a token not yet valid, or without exp or nbf", async () => {
    await expect401(await forgeToken(sub, sid, { nbf: 600 }));
    await expect401(await forgeToken(sub, sid, { exp: null }));
    await expect401(await forgeToken(sub, sid, { nbf: null }));
  });

  it("refuses a token older than the access lifetime even if its exp says otherwise", async () => {
    await expect401(await forgeToken(sub, sid, { iat: -3600, nbf: -3600, exp: 3600 }));
  });

  it("refuses the wrong issuer or audience", async () => {
    await expect401(await forgeToken(sub, sid, { iss: "someone-else" }));
    await expect401(await forgeToken(sub, sid, { aud: "another-api" }));
  });

  it("refuses a JWT of another type, or without a session", async () => {
    await expect401(await forgeToken(sub, sid, { typ: "JWT" }));
    await expect401(await forgeToken(sub, sid, { sid: null }));
  });

  it("refuses a validly signed token for another user's session", async () => {
    const other = await newAccount("attack-other");
    await expect401(await forgeToken(sub, claimsOf(other.tokens.access_token).sid));
  });

  it("accepts a token signed with the previous key (rotation), and not after the key is gone", async () => {
    expect((await me(await forgeToken(sub, sid, { key: previousKey() }))).status).toBe(200);
    const retired = { kid: "test-retired", secret: crypto.getRandomValues(new Uint8Array(32)) };
    await expect401(await forgeToken(sub, sid, { key: retired }));
  });
});

describe("random malformed tokens", () => {
  const b64url = fc.stringMatching(/^[A-Za-z0-9_-]{0,80}$/);
  // Text a client can put in a header (printable ASCII; workerd warns about anything else).
  const headerChar = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
  const anyText = fc.string({ unit: headerChar, maxLength: 200 });
  const headerish = fc.record(
    {
      alg: fc.constantFrom("HS256", "none", "None", "RS256", "ES256", "HS512", "EdDSA", ""),
      typ: fc.constantFrom("at+jwt", "JWT", ""),
      kid: fc.oneof(fc.constantFrom("test-current", "test-previous", "../etc", ""), fc.string(), fc.integer()),
    },
    { requiredKeys: [] },
  );

  /** Tokens from many families: noise, three-part noise, plausible headers over garbage, and mutations of a real token. */
  function malformedTokens(genuine: string) {
    const [h, p, s] = genuine.split(".");
    const mutate = fc
      .tuple(fc.constantFrom(0, 1, 2), fc.nat(), fc.constantFrom(..."ABCxyz019-_"))
      .map(([part, at, ch]) => {
        const parts = [h, p, s];
        const target = parts[part];
        // Not the last character: its low bits may be unused, so changing it need not change the bytes.
        const i = at % (target.length - 1);
        parts[part] = target.slice(0, i) + (target[i] === ch ? (ch === "A" ? "B" : "A") : ch) + target.slice(i + 1);
        return parts.join(".");
      });
    return fc.oneof(
      anyText,
      fc.tuple(b64url, b64url, b64url).map((t) => t.join(".")),
      fc.tuple(headerish, fc.json(), b64url).map(([hd, pl, sig]) => `${segment(hd)}.${segment(pl)}.${sig}`),
      fc.tuple(headerish, b64url).map(([hd, sig]) => `${segment(hd)}.${p}.${sig}`),
      mutate,
      fc.tuple(fc.nat(genuine.length - 1)).map(([n]) => genuine.slice(0, n)),
      fc.array(b64url, { minLength: 1, maxLength: 7 }).map((parts) => parts.join(".")),
    );
  }

  it("answers every one with 401 problem+json, never a 5xx", async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(malformedTokens(account.tokens.access_token), async (token) => {
        const res = await call("/api/auth/me", { headers: { Authorization: `Bearer ${token}` } });
        checked++;
        if (res.status !== 401) {
          throw new Error(`${JSON.stringify(token)} -> ${res.status} ${await res.text()}`);
        }
        expect(res.headers.get("Content-Type")).toContain("application/problem+json");
        await res.body?.cancel();
      }),
      { numRuns: 2000 },
    );
    expect(checked).toBeGreaterThanOrEqual(2000);
  }, 180_000);

  it("answers arbitrary Authorization headers with 401", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (header) => {
        const headers = new Headers();
        try {
          headers.set("Authorization", header);
        } catch {
          return; // not a legal header value; a client cannot send it
        }
        const res = await call("/api/auth/me", { headers });
        expect(res.status).toBe(401);
        await res.body?.cancel();
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});
