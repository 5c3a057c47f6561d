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

/** The WCAG contrast ratio of the first visible element matching each selector against what is behind it. */
export function contrastRatios(page: Page, selectors: string[]): Promise<{ selector: string; ratio: number }[]> {
  return page.evaluate((sels) => {
    const parse = (css: string): [number, number, number, number] => {
      const m = css.match(/rgba?\(([^)]+)\)/);
      if (!m) return [0, 0, 0, 0];
      const parts = (m[1] as string)
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, parts[3] ?? 1];
    };
    const luminance = ([r, g, b]: number[]) => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r as number) + 0.7152 * lin(g as number) + 0.0722 * lin(b as number);
    };
    /** The background actually behind an element: its ancestors' colours composited from the page up. */
    const backgroundOf = (el: Element): number[] => {
      const layers: [number, number, number, number][] = [];
      for (let node: Element | null = el; node; node = node.parentElement) {
        const bg = parse(getComputedStyle(node).backgroundColor);
        if (bg[3] > 0) layers.push(bg);
        if (bg[3] >= 1) break;
      }
      let colour = [255, 255, 255];
      for (const [r, g, b, a] of layers.reverse())
        colour = [
          r * a + (colour[0] as number) * (1 - a),
          g * a + (colour[1] as number) * (1 - a),
          b * a + (colour[2] as number) * (1 - a),
        ];
      return colour;
    };
    const out: { selector: string; ratio: number }[] = [];
    for (const sel of sels) {
      const el = [...document.querySelectorAll(sel)].find((e) => (e as HTMLElement).offsetParent !== null);
      if (!el) {
        out.push({ selector: sel, ratio: 0 });
        continue;
      }
      const [r, g, b, a] = parse(getComputedStyle(el).color);
      const bg = backgroundOf(el);
      const fg = [
        r * a + (bg[0] as number) * (1 - a),
        g * a + (bg[1] as number) * (1 - a),
        b * a + (bg[2] as number) * (1 - a),
      ];
      const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x) as [number, number];
      out.push({ selector: sel, ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100 });
    }
    return out;
  }, selectors);
}
