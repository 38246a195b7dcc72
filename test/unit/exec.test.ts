import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { mask, run, tail } from "../../src/exec.js";

test("tail: the last lines of a long output, marked as cut", () => {
  assert.equal(tail("a\nb\nc", 5), "a\nb\nc");
  assert.equal(tail("1\n2\n3\n4\n", 2), "…\n3\n4");
  assert.equal(tail("\n\nonly\n\n"), "only");
});

test("mask: every known secret becomes ***; values too short to mask safely are left", () => {
  const cases: [string, (string | undefined)[], string][] = [
    ["token pypi-AgEIcHlwaS5vcmc and pypi-AgEIcHlwaS5vcmc again", ["pypi-AgEIcHlwaS5vcmc"], "token *** and *** again"],
    ["a=abc", ["abc"], "a=abc"],
    ["nothing", [undefined, ""], "nothing"],
    ["two s3cret-one s3cret-two", ["s3cret-one", "s3cret-two"], "two *** ***"],
  ];
  for (const [text, secrets, expected] of cases) assert.equal(mask(text, secrets), expected);
});

test("run: an argv array (no shell), never rejecting, secrets masked in the command and the output", async () => {
  const secret = "ghs_0123456789abcdef";
  const script = "process.stdout.write(process.argv[1] + ' $HOME;'); process.stderr.write('err ' + process.env.TOKEN); process.exit(3)";
  const result = await run(process.execPath, ["-e", script, secret], { env: { TOKEN: secret }, secrets: [secret] });
  expect({ exitCode: result.exitCode, failed: result.failed, stdout: result.stdout, stderr: result.stderr }).toEqual({ exitCode: 3, failed: true, stdout: "*** $HOME;", stderr: "err ***" });
  assert.ok(!result.command.includes(secret) && result.command.includes("***"));
  const missing = await run("/nonexistent/tool", []);
  assert.equal(missing.failed, true);
  assert.notEqual(missing.exitCode, 0);
});
