/**
 * The client's address as Cloudflare saw it (`CF-Connecting-IP`, set by the edge and not forgeable
 * through it), reduced to what one client controls: an IPv4 address, or an IPv6 /64 (a single host
 * is usually given a whole /64, so counting single IPv6 addresses would be trivial to evade).
 * https://developers.cloudflare.com/fundamentals/reference/http-headers/#cf-connecting-ip
 */
export function clientAddressKey(request: Request): string {
  const raw = request.headers.get("CF-Connecting-IP")?.trim() ?? "";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(raw)) return raw;
  const v6 = ipv6Prefix64(raw);
  if (v6) return v6;
  // Local development and tests have no edge in front; they share one bucket.
  return "unknown";
}

/** The first four groups of an IPv6 address, expanded (`2001:db8:0:0::/64`), or null if it is not one. */
function ipv6Prefix64(address: string): string | null {
  if (!address.includes(":") || !/^[0-9a-fA-F:.]+$/.test(address)) return null;
  const [head, tail, extra] = address.split("::");
  if (extra !== undefined) return null;
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return null;
  const groups = [...headGroups, ...Array<string>(tail === undefined ? 0 : missing).fill("0"), ...tailGroups];
  const prefix = groups.slice(0, 4);
  if (prefix.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  return `${prefix.map((g) => Number.parseInt(g, 16).toString(16)).join(":")}::/64`;
}
