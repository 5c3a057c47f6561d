import { readdirSync, rmSync } from "node:fs";
import { defineConfig, type Plugin } from "vite";

/**
 * Builds the dashboard (web/index.html + web/src) into web/dist, which wrangler serves as static
 * assets at `/`. Paths are taken from this file's folder, so the build works from any directory.
 */
const root = new URL(".", import.meta.url).pathname;
const outDir = `${root}dist`;

/**
 * Replaces the build in place instead of emptying web/dist first: a running `wrangler dev` watches
 * that folder and stops serving it if the folder disappears under it. Assets of earlier builds are
 * removed once the new ones are written.
 */
function pruneOldAssets(): Plugin {
  return {
    name: "prune-old-assets",
    writeBundle(_options, bundle) {
      const current = new Set(Object.keys(bundle));
      let files: string[] = [];
      try {
        files = readdirSync(`${outDir}/assets`);
      } catch {
        return;
      }
      for (const file of files) {
        if (!current.has(`assets/${file}`)) rmSync(`${outDir}/assets/${file}`, { force: true });
      }
    },
  };
}

export default defineConfig({
  root,
  base: "/",
  // web/public is copied as is to the root of web/dist: the service worker must be served at /sw.js.
  publicDir: `${root}public`,
  plugins: [pruneOldAssets()],
  build: {
    outDir,
    emptyOutDir: false,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npx vite --config web/vite.config.ts` for UI work against a running Worker on 8787.
    proxy: {
      "/api": "http://127.0.0.1:8787",
      "/ws": { target: "ws://127.0.0.1:8787", ws: true },
    },
  },
});
