/**
 * Builds the dashboard (web/dist) once, before any browser test starts. Not in each file's
 * `beforeAll`: wrangler dev reloads its Worker whenever the static assets change, so a file building
 * while another file's Worker runs would restart that Worker mid-test (its objects' memory and the
 * local queue's messages gone): alerts that never arrived and 503s under CI's file order.
 */
import { execFileSync } from "node:child_process";

export default function setup(): void {
  const root = new URL("../../..", import.meta.url).pathname;
  execFileSync("node", ["scripts/build-web.mjs"], { cwd: root, stdio: "inherit" });
}
