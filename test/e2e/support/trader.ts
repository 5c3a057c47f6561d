/**
 * Signed-in browser tests: a user registered and signed in through the real API, and a page that
 * starts with that session in localStorage (as web/src/session.ts keeps it), for tests whose subject
 * is not the sign-in form itself.
 */
import type { Page } from "playwright-core";

export interface TestUser {
  email: string;
  username: string;
  password: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

let counter = 0;

/** A fresh email per call, so tests sharing a Worker never collide. */
export function uniqueEmail(prefix: string): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${counter}@example.com`;
}

/** Registers a user and signs in through `POST /api/auth/register` and `POST /api/auth/token`. */
export async function registerUser(baseUrl: string, prefix = "trader"): Promise<TestUser> {
  const email = uniqueEmail(prefix);
  const username = `${prefix}${counter}${Date.now().toString(36)}`.replace(/[^a-z0-9]/gi, "").slice(0, 30);
  const password = "correct horse battery staple 9";
  const registered = await fetch(`${baseUrl}/api/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, username, password }),
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const signedIn = await fetch(`${baseUrl}/api/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: email, password }),
  });
  if (!signedIn.ok) throw new Error(`token: ${signedIn.status} ${await signedIn.text()}`);
  const tokens = (await signedIn.json()) as {
    access_token: string;
    refresh_token: string;
    expires_in: number;
    user_id: string;
  };
  return {
    email,
    username,
    password,
    userId: tokens.user_id,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresIn: tokens.expires_in,
  };
}

/** Makes `page` start signed in as `user` (the session stored before the app's scripts run). */
export async function useSession(page: Page, user: TestUser): Promise<void> {
  const stored = {
    access_token: user.accessToken,
    access_expires_at: Date.now() + user.expiresIn * 1000,
    access_lifetime_ms: user.expiresIn * 1000,
    refresh_token: user.refreshToken,
    user_id: user.userId,
    email: user.email,
  };
  await page.addInitScript((value) => {
    if (!localStorage.getItem("kimchi.session")) localStorage.setItem("kimchi.session", value);
  }, JSON.stringify(stored));
}

/** Calls the API as `user` from the test (to arrange state or check what the page did). */
export async function apiAs<T>(
  baseUrl: string,
  user: TestUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${user.accessToken}`,
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}
