// Builds the dashboard into web/dist (served as static assets) and copies the API docs' script beside it.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";

if (existsSync("web/vite.config.ts")) {
  execFileSync("npx", ["vite", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"], { stdio: "inherit" });
}
mkdirSync("web/dist/vendor", { recursive: true });
copyFileSync(
  "node_modules/@scalar/api-reference/dist/browser/standalone.js",
  "web/dist/vendor/scalar-api-reference.js",
);
