import { defineConfig } from "vite";

/**
 * Builds the dashboard (web/index.html + web/src) into web/dist, which wrangler serves as static
 * assets at `/`. Paths are taken from this file's folder, so the build works from any directory.
 */
const root = new URL(".", import.meta.url).pathname;

export default defineConfig({
  root,
  base: "/",
  publicDir: false,
  build: {
    outDir: `${root}dist`,
    emptyOutDir: true,
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
