/**
 * Patches of JSON state, as the market streams send them: an `update` carries, per coin, only the
 * members that changed since the previous message, in the shape of JSON Merge Patch (RFC 7386):
 * objects merge member by member, recursively; any other value (a number, a string, an array) replaces
 * the member. One difference from RFC 7386: our payloads never remove members, so `null` is a value
 * (a premium that can no longer be computed is `"premium":null`), not a deletion.
 *
 * No zod here: the dashboard bundles this file.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The patch that turns `previous` into `next`, or `undefined` when they are equal. Both are plain JSON
 * objects (what `JSON.stringify` writes out); members whose value is `undefined` count as absent.
 */
export function diffPatch(previous: object, next: object): Record<string, unknown> | undefined {
  return diffObjects(previous as JsonObject, next as JsonObject);
}

function diffObjects(previous: JsonObject, next: JsonObject): JsonObject | undefined {
  let patch: JsonObject | undefined;
  for (const key of Object.keys(next)) {
    const value = next[key];
    if (value === undefined) continue;
    const before = previous[key];
    let change: Json | undefined;
    if (isObject(value) && isObject(before)) change = diffObjects(before, value);
    else if (!sameJson(before, value)) change = value;
    if (change !== undefined) {
      patch ??= {};
      patch[key] = change;
    }
  }
  return patch;
}

/** Equality of two members that are not both objects (those are diffed member by member). */
function sameJson(a: Json | undefined, b: Json): boolean {
  return a === b || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(a) === JSON.stringify(b));
}

/**
 * Applies `patch` to `target` and returns the result; `target` is not modified (objects on the path of
 * a change are copied, the rest shared), so a view can tell what changed by identity.
 */
export function applyPatch<T extends object>(target: T, patch: object): T {
  return applyObject(target as JsonObject, patch as JsonObject) as T;
}

function applyObject(target: JsonObject, patch: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    const current = out[key];
    out[key] = isObject(value) && isObject(current) ? applyObject(current, value) : value;
  }
  return out;
}
