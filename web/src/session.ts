/**
 * The signed-in session: the access token (15 min) and the refresh token, kept in localStorage so a
 * reload and the other tabs of this origin share them.
 *
 * Every refresh token works once (the server rotates it), so two tabs must never spend the same one:
 * a refresh runs under a Web Lock, and inside it the tab first re-reads storage, adopting the tokens
 * another tab just obtained instead of presenting a spent token (which the server would take for a
 * stolen one and end the session). The access token is refreshed shortly before it expires, on a
 * timer, so a session whose refresh token was reused elsewhere ends on its own, cleanly.
 */
import { ApiError, networkProblem, problemOf } from "./api";

interface StoredSession {
  access_token: string;
  /** When the access token expires, ms since the epoch, and how long it was issued for. */
  access_expires_at: number;
  access_lifetime_ms: number;
  refresh_token: string;
  user_id: string;
  email: string;
}

/** What the token endpoints answer. */
interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  user_id: string;
  email: string;
}

/** Why a session ended: the user signed out (here or in another tab), or the server ended it. */
export type SessionEnd = "signed-out" | "expired";

export interface SessionChange {
  signedIn: boolean;
  /** Set when a session ended. */
  reason?: SessionEnd;
}

const STORAGE_KEY = "kimchi.session";
const LOCK_NAME = "kimchi.session.refresh";

function readStored(): StoredSession | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<StoredSession>;
    return typeof value.refresh_token === "string" && typeof value.access_token === "string"
      ? (value as StoredSession)
      : null;
  } catch {
    return null;
  }
}

/** Refresh this long before the access token expires: a minute, or a third of its life when that is shorter. */
function refreshMargin(session: StoredSession): number {
  return Math.min(60_000, Math.max(1_000, (session.access_lifetime_ms || 900_000) / 3));
}

export class Session {
  private stored: StoredSession | null = readStored();
  private refreshing: Promise<string | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<(change: SessionChange) => void>();

  constructor() {
    // Another tab signed in, refreshed or signed out.
    window.addEventListener("storage", (event) => {
      if (event.key !== STORAGE_KEY) return;
      const before = this.stored;
      this.stored = readStored();
      if (before && !this.stored) this.ended("signed-out");
      else if (!before && this.stored) this.emit({ signedIn: true });
      this.schedule();
    });
    this.schedule();
  }

  get signedIn(): boolean {
    return this.stored !== null;
  }

  get userId(): string | null {
    return this.stored?.user_id ?? null;
  }

  get email(): string | null {
    return this.stored?.email ?? null;
  }

  onChange(listener: (change: SessionChange) => void): void {
    this.listeners.add(listener);
  }

  /** Signs in with email and password (the OAuth2 password grant). Throws `ApiError` on refusal. */
  async signIn(email: string, password: string): Promise<void> {
    const form = new URLSearchParams({ grant_type: "password", username: email, password });
    const tokens = await post<TokenResponse>("/api/auth/token", form);
    this.save(tokens);
    this.emit({ signedIn: true });
  }

  /** Creates an account and signs in to it. Throws `ApiError` naming the field the server refused. */
  async signUp(email: string, username: string, password: string): Promise<void> {
    await post("/api/auth/register", { email, username, password });
    await this.signIn(email, password);
  }

  /** Ends the session on the server (best effort) and forgets it here and in the other tabs. */
  async signOut(): Promise<void> {
    const stored = this.stored;
    if (!stored) return;
    this.clear();
    this.ended("signed-out");
    try {
      await fetch("/api/auth/logout", {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${stored.access_token}` },
        body: JSON.stringify({ refresh_token: stored.refresh_token }),
      });
    } catch {
      // Offline: the tokens are gone from this browser; the server's expire on their own.
    }
  }

  /** A usable access token (refreshed first when about to expire), or null when signed out. */
  async accessToken(): Promise<string | null> {
    const stored = this.stored;
    if (!stored) return null;
    if (stored.access_expires_at - Date.now() > 5_000) return stored.access_token;
    return this.refresh();
  }

  /**
   * The server refused `token` (401): refreshes unless that already happened since, and returns the
   * new token, or null when the session is over.
   */
  async refreshAfterRejection(token: string): Promise<string | null> {
    if (this.stored && this.stored.access_token !== token) return this.stored.access_token;
    return this.refresh();
  }

  /** Exchanges the refresh token for new tokens, once at a time across tabs. */
  refresh(): Promise<string | null> {
    this.refreshing ??= this.refreshUnderLock().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshUnderLock(): Promise<string | null> {
    const spent = this.stored?.refresh_token;
    const run = async (): Promise<string | null> => {
      const latest = readStored();
      if (!latest) {
        if (this.stored) this.ended("signed-out");
        this.stored = null;
        return null;
      }
      if (latest.refresh_token !== spent && latest.access_expires_at - Date.now() > 5_000) {
        this.stored = latest; // another tab refreshed while this one waited for the lock
        this.schedule();
        return latest.access_token;
      }
      let res: Response;
      try {
        res = await fetch("/api/auth/refresh", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: latest.refresh_token }),
        });
      } catch {
        throw new ApiError(networkProblem());
      }
      if (res.status === 401 || res.status === 400) {
        // Expired, revoked, or reused elsewhere (which revoked the whole session): it is over.
        this.clear();
        this.ended("expired");
        return null;
      }
      if (!res.ok) throw new ApiError(await problemOf(res));
      const tokens = (await res.json()) as TokenResponse;
      this.save(tokens);
      return tokens.access_token;
    };
    return typeof navigator.locks?.request === "function" ? navigator.locks.request(LOCK_NAME, run) : run();
  }

  private save(tokens: TokenResponse): void {
    this.stored = {
      access_token: tokens.access_token,
      access_expires_at: Date.now() + tokens.expires_in * 1000,
      access_lifetime_ms: tokens.expires_in * 1000,
      refresh_token: tokens.refresh_token,
      user_id: tokens.user_id,
      email: tokens.email,
    };
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(this.stored));
    } catch {
      // private mode: the session lasts for this page only
    }
    this.schedule();
  }

  private clear(): void {
    this.stored = null;
    clearTimeout(this.timer);
    try {
      localStorage.removeItem(STORAGE_KEY);
    } catch {
      // nothing stored
    }
  }

  /** Refreshes shortly before the access token expires, so the session stays up and a revoked one ends. */
  private schedule(): void {
    clearTimeout(this.timer);
    const stored = this.stored;
    if (!stored) return;
    const wait = Math.max(0, stored.access_expires_at - Date.now() - refreshMargin(stored));
    this.timer = setTimeout(() => {
      this.refresh().catch(() => {
        // Offline or the server failed: try again in a while; a 401 on the way ends the session.
        this.timer = setTimeout(() => this.schedule(), 10_000);
      });
    }, wait);
  }

  private ended(reason: SessionEnd): void {
    this.emit({ signedIn: false, reason });
  }

  private emit(change: SessionChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** A POST outside a session (sign-in, registration): JSON or form body, problem on refusal. */
async function post<T>(path: string, body: URLSearchParams | object): Promise<T> {
  const form = body instanceof URLSearchParams;
  let res: Response;
  try {
    res = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": form ? "application/x-www-form-urlencoded" : "application/json" },
      body: form ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(networkProblem());
  }
  if (!res.ok) throw new ApiError(await problemOf(res));
  return (await res.json()) as T;
}
