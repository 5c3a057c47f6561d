import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/**
 * Two projects: the Worker's tests run inside workerd (Durable Objects, D1 and Queues for real);
 * Node-side tests (collectors, end-to-end with a running Worker) run in Node.
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations(new URL("./migrations", import.meta.url).pathname);
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  COLLECTOR_TOKEN: "test-collector-token",
                  TEST_MIGRATIONS: migrations,
                  OBJECT_MODEL_RUNS: process.env.OBJECT_MODEL_RUNS ?? "",
                  // Test-only keys and admin (test/worker/support/auth.ts signs tokens with them).
                  JWT_SIGNING_KEY: "test-current:FPER8fHohLDsGi0Z2Ef1Nk4uSUph0y4pmzEZ5UBQk5s",
                  JWT_PREVIOUS_KEYS: "test-previous:Z4CWzpo9mvSiLJYHQnI4Pe11CcBTHpXYILgihteD8_Q",
                  ADMIN_EMAIL: "admin@kimchi-edge.test",
                  ADMIN_PASSWORD: "test-operator-passphrase-1",
                },
              },
            }),
          ],
          test: {
            name: "worker",
            include: ["test/worker/**/*.test.ts"],
            setupFiles: ["./test/worker/setup.ts"],
            // Property tests run hundreds of requests; on a loaded machine that takes many seconds.
            testTimeout: 60_000,
          },
        },
        {
          // The collectors (Node): adapters against the local venue simulator, the pusher against a real Worker.
          test: {
            name: "collectors",
            include: ["collectors/**/*.test.ts", "test/collectors/**/*.test.ts"],
            environment: "node",
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
        {
          test: {
            name: "node",
            include: ["test/node/**/*.test.ts"],
            environment: "node",
            testTimeout: 60_000,
            hookTimeout: 120_000,
          },
        },
        {
          // The dashboard in Chromium against a real Worker (wrangler dev): slow to start, so generous limits.
          test: {
            name: "e2e",
            include: ["test/e2e/**/*.test.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 240_000,
          },
        },
      ],
    },
  };
});
