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
      // Two files at a time: most of the slow files wait on a Worker, a browser or a queue rather than
      // compute, so on 2 cores this halves the run (Vitest's default would be one, cores minus one).
      maxWorkers: 2,
      // The Worker logs a JSON line per request (and per ingest batch and order): thousands per run, not
      // printed (spies still see them: test/worker/request-id-logs.test.ts). A root-only option.
      onConsoleLog: (log) => !/^\{"msg":"(request|ingest batch|order placed|order refused)"/.test(log),
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
                  // Notification providers: test credentials; the tests answer for the providers at the
                  // wire (test/worker/support/provider-wire.ts), never the real services.
                  RESEND_API_KEY: "re_test_key",
                  EMAIL_FROM: "Kimchi Edge <alerts@kimchi-edge.test>",
                  TWILIO_ACCOUNT_SID: "ACtest0000000000000000000000000000",
                  TWILIO_AUTH_TOKEN: "test-twilio-token",
                  TWILIO_FROM: "+15005550006",
                  TELEGRAM_BOT_TOKEN: "123456:test-bot-token",
                  TELEGRAM_WEBHOOK_SECRET: "test-telegram-webhook-secret",
                  TELEGRAM_BOT_USERNAME: "kimchi_edge_test_bot",
                  // Rate limits off: tests call as many users and addresses as they like; the rate-limit test
                  // turns them on with TEST_RATE_LIMIT (below) in place of the real limits.
                  RATE_LIMITS: "off",
                  // Three sockets a fan-out shard: every stream test with more sockets spans shards.
                  FANOUT_SHARD_CEILING: "3",
                  VAPID_PRIVATE_JWK:
                    '{"kty":"EC","crv":"P-256","x":"aNoR1lt_mkoV3xTM-i5kpPTf98PsdkHPS_T9dy3MQrA","y":"Wz1Jpie8339hyV6o71saB2Bm63-Y96-WfQFR9kQTBFM","d":"2Z9Br_8fY6m-QgW3MeD7IEjLtobAZft-7cl2esEWKhU"}',
                },
                // A rate limit low enough for a test to reach (test/worker/rate-limit.test.ts).
                ratelimits: { TEST_RATE_LIMIT: { namespace_id: "9001", simple: { limit: 3, period: 10 } } },
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
            // The dashboard is built once here, never by a file while other files' Workers run.
            globalSetup: ["./test/e2e/support/build-web.global.ts"],
            environment: "node",
            testTimeout: 120_000,
            hookTimeout: 240_000,
          },
        },
      ],
    },
  };
});
