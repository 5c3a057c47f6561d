import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_INGEST_BYTES } from "../../protocol/ingest";
import { SMALL_BODY_BYTES } from "../../workers/http/body-limit";
import { randomIp } from "./support/auth";
import { boardState, expectProblem } from "./support/http";
import { TOKEN } from "./support/ingest";

/** A body streamed in 64 KiB chunks, with no Content-Length (as a chunked upload sends it). */
function streamOf(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const size = Math.min(64 * 1024, bytes - sent);
      sent += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
  });
}

function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
  return exports.default.fetch(`http://gateway${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "CF-Connecting-IP": randomIp(), ...headers },
    body,
  });
}

describe("bodies over the limit are refused with 413", () => {
  it("refuses a streamed ingest body past 2 MiB with 413, and applies nothing", async () => {
    const before = await boardState();
    const res = await post("/internal/ingest", streamOf(MAX_INGEST_BYTES + 100_000), {
      Authorization: `Bearer ${TOKEN}`,
    });
    await expectProblem(res, 413, "(body)");
    expect(await boardState()).toEqual(before);
  });

  it("refuses a streamed registration body past 16 KiB with 413, whether or not it declares its length", async () => {
    await expectProblem(await post("/api/auth/register", streamOf(3 * 1024 * 1024)), 413, "(body)");
    const declared = `{"email":"${"a".repeat(SMALL_BODY_BYTES)}@example.com","username":"x","password":"y"}`;
    await expectProblem(await post("/api/auth/register", declared), 413, "(body)");
  });

  it("still reads a streamed body within the limit", async () => {
    const res = await post("/internal/ingest", new Blob([JSON.stringify({ nope: true })]).stream(), {
      Authorization: `Bearer ${TOKEN}`,
    });
    await expectProblem(res, 400, "batch_id");
  });
});
