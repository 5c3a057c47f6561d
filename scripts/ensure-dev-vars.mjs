// Copies .dev.vars.example to .dev.vars when that is missing, so local runs have development secrets.
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("[start] created .dev.vars from .dev.vars.example (development secrets)");
}
