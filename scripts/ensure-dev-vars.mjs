// Copies .dev.vars.example to .dev.vars when that is missing, so local runs have development secrets;
// when it exists, appends the settings the example gained since it was made (keeping the values set).
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("[start] created .dev.vars from .dev.vars.example (development secrets)");
} else {
  const names = (text) =>
    new Set(
      text
        .split("\n")
        .map((l) => /^([A-Z0-9_]+)=/.exec(l)?.[1])
        .filter(Boolean),
    );
  const have = names(readFileSync(".dev.vars", "utf8"));
  const missing = readFileSync(".dev.vars.example", "utf8")
    .split("\n")
    .filter((l) => {
      const name = /^([A-Z0-9_]+)=/.exec(l)?.[1];
      return name && !have.has(name);
    });
  if (missing.length > 0) {
    appendFileSync(".dev.vars", `\n${missing.join("\n")}\n`);
    console.log(`[start] added to .dev.vars from the example: ${missing.map((l) => l.split("=")[0]).join(", ")}`);
  }
}
