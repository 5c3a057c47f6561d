/**
 * Chromium for the browser tests: Debian's package (installed by `.ci/run`), driven by
 * playwright-core through `executablePath`, so no browser download is needed.
 */
import { existsSync, mkdirSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";

/** Where the test run saves its screenshots (git-ignored). */
export const RESULTS_DIR = new URL("../../../test-results/", import.meta.url).pathname;

const CANDIDATES = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** Launches headless Chromium with the flags a container needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find((p): p is string => Boolean(p && existsSync(p)));
  if (!executablePath) throw new Error("Chromium not found: apt-get install chromium (see .ci/run)");
  mkdirSync(RESULTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Every console error and uncaught exception a page produces, for the "no errors" check. */
export function collectErrors(page: Page, into: string[]): void {
  page.on("console", (message) => {
    if (message.type() === "error") into.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => into.push(`pageerror: ${error.message}`));
}

/** Waits until the element matching `selector` has exactly `text`. */
export async function waitForText(page: Page, selector: string, text: string, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([sel, expected]) => document.querySelector(sel as string)?.textContent?.trim() === expected,
    [selector, text] as const,
    { timeout },
  );
}

/** The symbols of the visible board rows, top to bottom. */
export function visibleSymbols(page: Page): Promise<string[]> {
  return page.$$eval("#board-table tbody tr:not([hidden])", (rows) =>
    rows.map((r) => (r as HTMLElement).dataset.symbol ?? ""),
  );
}

/**
 * How many pixels of the canvases inside `selector` are close to one of `colours` (hex). Proves a
 * chart drew its series, not only its grid and axes.
 */
export function countChartPixels(page: Page, selector: string, colours: string[]): Promise<number> {
  return page.evaluate(
    ([sel, hexes]) => {
      const targets = (hexes as string[]).map((hex) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)));
      let count = 0;
      for (const canvas of document.querySelectorAll<HTMLCanvasElement>(`${sel} canvas`)) {
        const ctx = canvas.getContext("2d");
        if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
        const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
        for (let i = 0; i < data.length; i += 4) {
          if ((data[i + 3] as number) < 200) continue;
          for (const [r, g, b] of targets as number[][]) {
            if (
              Math.abs((data[i] as number) - (r as number)) < 24 &&
              Math.abs((data[i + 1] as number) - (g as number)) < 24 &&
              Math.abs((data[i + 2] as number) - (b as number)) < 24
            ) {
              count++;
              break;
            }
          }
        }
      }
      return count;
    },
    [selector, colours] as const,
  );
}
