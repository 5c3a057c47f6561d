import { describe, expect, it } from "vitest";
import { call, newAccount, register, uniqueEmail } from "./support/auth";
import { expectProblem } from "./support/http";

describe("passwords of white space or control characters are refused", () => {
  const refused: [string, string][] = [
    ["eight spaces", " ".repeat(8)],
    ["ten NUL characters", "\u0000".repeat(10)],
    ["eight ideographic spaces", "\u3000".repeat(8)],
    ["a tab among letters", "kimchi\tpremium"],
    ["a good phrase with a newline in it", "kimchi premium\nrises"],
    ["a good phrase with a DEL in it", "kimchi premium\u007frises"],
  ];

  for (const [name, password] of refused) {
    it(`refuses ${name} at registration`, async () => {
      const email = uniqueEmail("pwchar");
      const problem = await expectProblem(await register({ email, username: "pw", password }), 400, "password");
      expect(problem.type).toBe("/problems/weak-password");
      const again = await register({ email, username: "pw", password: "a good long kimchi phrase" });
      expect(again.status).toBe(201); // nothing was created by the refused attempt
    });
  }

  it("refuses them as a new password too, and keeps spaces inside a password welcome", async () => {
    const account = await newAccount("pwchange");
    const change = (new_password: string) =>
      call("/api/users/me/password", {
        method: "POST",
        token: account.tokens.access_token,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ current_password: account.password, new_password }),
      });
    await expectProblem(await change(" ".repeat(12)), 400, "new_password");
    await expectProblem(await change("line one\r\nline two"), 400, "new_password");
    expect((await change("  spaces   inside are fine  ")).status).toBe(204);
  });
});
