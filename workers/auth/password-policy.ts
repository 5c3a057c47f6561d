/**
 * What a new password must not be (OWASP ASVS 2.1, NIST SP 800-63B 5.1.1.2): a commonly used
 * password, or one built from the account's own email or username; nor one that is only white space
 * or holds control characters (a NUL, a newline: nobody types those, and they break other systems
 * the password may pass through). Length (8 to 128) is checked by the request schema; there are no
 * composition rules, and spaces inside a password are welcome.
 */
import type { FieldError } from "../http/problem";

let common: Promise<Set<string>> | null = null;

/**
 * The 49k most common passwords of zxcvbn-ts's list (from breach corpora), loaded on first use: the
 * dynamic import keeps its decompression out of the Worker's startup.
 */
function commonPasswords(): Promise<Set<string>> {
  common ??= import("@zxcvbn-ts/language-common").then(
    ({ dictionary }) => new Set(dictionary["passwords-common"].map((p) => p.toLowerCase())),
  );
  return common;
}

/** Returns the problems with `password` for an account with this email and username (empty when acceptable). */
export async function passwordPolicyErrors(
  password: string,
  context: { email: string; username: string },
  path = "password",
): Promise<FieldError[]> {
  // Unicode category Cc: C0 controls, DEL and C1 controls.
  if (/\p{Cc}/u.test(password)) {
    return [{ path, message: "the password must not contain control characters (such as NUL, tab or newline)" }];
  }
  if (password.trim() === "") return [{ path, message: "the password must not be only white space" }];
  const candidate = password.normalize("NFKC").toLowerCase();
  const email = context.email.trim().toLowerCase();
  const local = email.split("@")[0] ?? "";
  const username = context.username.trim().toLowerCase();
  if ((await commonPasswords()).has(candidate)) {
    return [{ path, message: "this password is too common; choose another" }];
  }
  // Short names would refuse too much ("ab" is inside many good passwords); 4 characters and up count.
  const contains = (word: string) => word.length >= 4 && candidate.includes(word);
  if (candidate === email || contains(local) || contains(username)) {
    return [{ path, message: "the password must not contain your email or username" }];
  }
  return [];
}
