import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import type { CheckRun, CommitStatus } from "../../src/gates/checks.js";
import { waitForChecks, type ChecksReader } from "../../src/gates/wait.js";

/** The checks a commit shows on each look, and a clock that moves only when the gate sleeps. */
function world(looks: { runs: Partial<CheckRun>[]; statuses?: CommitStatus[] }[]) {
  let time = 0;
  let look = 0;
  const asked: string[] = [];
  const reader: ChecksReader = {
    async listCheckRuns(_ref, name) {
      asked.push(name!);
      const runs = looks[Math.min(look, looks.length - 1)].runs.map((r, i) => ({ id: i, status: "completed", conclusion: "success", ...r }) as CheckRun);
      return runs.filter((r) => r.name === name);
    },
    async getCombinedStatus() {
      const statuses = looks[Math.min(look, looks.length - 1)].statuses ?? [];
      look++;
      return { statuses };
    },
  };
  return { reader, asked, now: () => time, sleep: async (ms: number) => void (time += ms), looks: () => look };
}

const SHA = "0123456789abcdef";

test("pass at once, fail at once, pass after waiting, or time out: each after the right number of looks", async () => {
  const log: string[] = [];
  const options = { names: ["tests"], timeoutMs: 60_000, intervalMs: 20_000, log: (line: string) => log.push(line) };

  const green = world([{ runs: [{ name: "tests" }] }]);
  expect(await waitForChecks(green.reader, SHA, { ...options, now: green.now, sleep: green.sleep })).toMatchObject({ outcome: "pass", waitedMs: 0 });

  const red = world([{ runs: [{ name: "tests", conclusion: "failure" }] }]);
  assert.equal((await waitForChecks(red.reader, SHA, { ...options, now: red.now, sleep: red.sleep })).outcome, "fail");

  const later = world([{ runs: [{ name: "tests", status: "in_progress", conclusion: null }] }, { runs: [{ name: "tests", status: "in_progress", conclusion: null }] }, { runs: [{ name: "tests" }] }]);
  expect(await waitForChecks(later.reader, SHA, { ...options, now: later.now, sleep: later.sleep })).toMatchObject({ outcome: "pass", waitedMs: 40_000 });
  assert.equal(later.looks(), 3);

  log.length = 0;
  const never = world([{ runs: [] }]);
  const result = await waitForChecks(never.reader, SHA, { ...options, now: never.now, sleep: never.sleep });
  expect({ outcome: result.outcome, waitedMs: result.waitedMs, looks: never.looks() }).toEqual({ outcome: "pending", waitedMs: 60_000, looks: 4 });
  assert.equal(log.length, 1, "it says what it waits for once, not on every look");
  assert.match(log[0], /^Waiting for .*tests.* on 0123456: looking every/);
});

test("a dry run looks once; a commit status counts like a check run", async () => {
  const pending = world([{ runs: [], statuses: [{ context: "tests", state: "pending" }] }]);
  const once = await waitForChecks(pending.reader, SHA, { names: ["tests"], timeoutMs: 60_000, intervalMs: 1_000, once: true, log: () => {}, now: pending.now, sleep: pending.sleep });
  expect({ outcome: once.outcome, looks: pending.looks() }).toEqual({ outcome: "pending", looks: 1 });
  const status = world([{ runs: [{ name: "lint" }], statuses: [{ context: "tests", state: "success" }] }]);
  const both = await waitForChecks(status.reader, SHA, { names: ["lint", "tests"], timeoutMs: 1, intervalMs: 1, log: () => {}, now: status.now, sleep: status.sleep });
  assert.equal(both.outcome, "pass");
  expect(status.asked).toEqual(["lint", "tests"]);
});
