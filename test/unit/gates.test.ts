import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { describeCheck, gateOutcome, requiredChecks, type CheckRun, type CommitStatus } from "../../src/gates/checks.js";
import { formatDuration, parseDuration, readGatesOptions } from "../../src/gates/options.js";
import { holdSummary, noticeCommand } from "../../src/gates/report.js";
import { readOnUnbumped, unbumpedHold } from "../../src/gates/unbumped.js";
import { milestoneTitle, referencesVerdict } from "../../src/cadence/gate.js";
import { readCadenceOptions } from "../../src/cadence/options.js";

const run = (id: number, name: string, status: string, conclusion: string | null = null): CheckRun => ({ id, name, status, conclusion, html_url: `https://github.com/o/r/runs/${id}` });
const status = (context: string, state: string): CommitStatus => ({ context, state, target_url: `https://ci.example/${context}` });

test("each required check's state from check runs and commit statuses", () => {
  const cases: [string, CheckRun[], CommitStatus[], string][] = [
    ["no report yet", [], [], "missing"],
    ["queued", [run(1, "gpu-ci", "queued")], [], "pending"],
    ["in progress", [run(1, "gpu-ci", "in_progress")], [], "pending"],
    ["success", [run(1, "gpu-ci", "completed", "success")], [], "success"],
    ["neutral counts as passed (branch protection does)", [run(1, "gpu-ci", "completed", "neutral")], [], "success"],
    ["skipped counts as passed", [run(1, "gpu-ci", "completed", "skipped")], [], "success"],
    ["failure", [run(1, "gpu-ci", "completed", "failure")], [], "failure"],
    ["cancelled", [run(1, "gpu-ci", "completed", "cancelled")], [], "failure"],
    ["timed out", [run(1, "gpu-ci", "completed", "timed_out")], [], "failure"],
    ["a re-run that passed replaces the failed run", [run(1, "gpu-ci", "completed", "failure"), run(2, "gpu-ci", "completed", "success")], [], "success"],
    ["a re-run in progress replaces the passed run", [run(2, "gpu-ci", "in_progress"), run(1, "gpu-ci", "completed", "success")], [], "pending"],
    ["another name does not count", [run(1, "lint", "completed", "success")], [], "missing"],
    ["a commit status", [], [status("gpu-ci", "success")], "success"],
    ["a pending commit status", [], [status("gpu-ci", "pending")], "pending"],
    ["an error status is a failure", [], [status("gpu-ci", "error")], "failure"],
    ["both exist: both must pass", [run(1, "gpu-ci", "completed", "success")], [status("gpu-ci", "failure")], "failure"],
  ];
  for (const [name, runs, statuses, expected] of cases) assert.equal(requiredChecks(["gpu-ci"], runs, statuses)[0].state, expected, name);
});

test("the gate's outcome and how a check is described", () => {
  const checks = (...states: string[]) => states.map((state, i) => ({ name: `c${i}`, state: state as "success" }));
  assert.equal(gateOutcome(checks("success", "success")), "pass");
  assert.equal(gateOutcome(checks("success", "pending")), "pending");
  assert.equal(gateOutcome(checks("missing", "success")), "pending");
  assert.equal(gateOutcome(checks("pending", "failure")), "fail", "a failure decides at once");
  assert.equal(describeCheck({ name: "gpu-ci", state: "failure", detail: "timed_out", url: "https://x/1" }), "gpu-ci (timed_out, https://x/1)");
  assert.equal(describeCheck({ name: "gpu-ci", state: "missing" }), "gpu-ci (not reported yet)");
});

test("durations and gates options", () => {
  const cases: [unknown, number | undefined][] = [[90, 90_000], ["90", 90_000], ["90s", 90_000], ["45m", 2_700_000], ["2h", 7_200_000], ["500ms", 500], [0.2, 200], ["1.5h", 5_400_000], ["soon", undefined], [-1, undefined], ["5 d", undefined], [null, undefined]];
  for (const [input, expected] of cases) assert.equal(parseDuration(input), expected, String(input));
  assert.equal(formatDuration(1_800_000), "30m");
  assert.equal(formatDuration(7_200_000), "2h");
  assert.equal(formatDuration(45_000), "45s");
  assert.equal(formatDuration(250), "250ms");

  expect(readGatesOptions({})).toEqual({ options: { checks: [], timeoutMs: 1_800_000, intervalMs: 30_000, onTimeout: "fail" }, problems: [] });
  expect(readGatesOptions({ gates: { checks: ["gpu-ci", "gpu-ci", "lint"], timeout: "2h", interval: 10, onTimeout: "wait" } }).options).toEqual({ checks: ["gpu-ci", "lint"], timeoutMs: 7_200_000, intervalMs: 10_000, onTimeout: "wait" });
  expect(readGatesOptions({ gates: { checks: "gpu-ci", timeout: "soon", interval: 0, onTimeout: "skip", when: 1 } }).problems.map((p) => p.key)).toEqual([
    "gates.checks",
    "gates.timeout",
    "gates.interval",
    "gates.onTimeout",
    "gates.when",
  ]);
});

test("an unbumped pyproject waits; any other version is not this gate's business", () => {
  const facts = { pyprojectVersion: "1.0.0", path: "pyproject.toml", lastVersion: "1.0.0", nextVersion: "1.0.1", releaseType: "patch", commitCount: 1 };
  expect(unbumpedHold(facts)).toEqual({
    kind: "unbumped",
    title: "Release 1.0.1 waits for a version bump",
    message: "1 commit waits for a release: bump pyproject.toml to 1.0.1 (a patch release; it still holds 1.0.0, the last release)",
  });
  assert.match(unbumpedHold({ ...facts, commitCount: 3, nextVersion: "1.1.0", releaseType: "minor" })!.message, /^3 commits wait for a release: bump pyproject\.toml to 1\.1\.0 \(a minor release/);
  assert.ok(unbumpedHold({ ...facts, pyprojectVersion: "1.0" }), "PEP 440: 1.0 is 1.0.0");
  assert.match(unbumpedHold({ ...facts, lastVersion: "1.1.0-rc.1", pyprojectVersion: "1.1.0rc1", nextVersion: "1.1.0-rc.2" })!.message, /bump pyproject\.toml to 1\.1\.0rc2/);
  assert.equal(unbumpedHold({ ...facts, pyprojectVersion: "1.0.1" }), undefined, "bumped: release");
  assert.equal(unbumpedHold({ ...facts, pyprojectVersion: "1.0.5" }), undefined, "neither last nor next: EVERSIONMISMATCH decides");
  assert.equal(unbumpedHold({ ...facts, pyprojectVersion: "not a version" }), undefined);
  assert.equal(unbumpedHold({ ...facts, lastVersion: undefined }), undefined, "before the first release there is no last version");

  expect(readOnUnbumped({})).toEqual({ onUnbumped: "wait", problems: [] });
  expect(readOnUnbumped({ pyproject: { onUnbumped: "fail" } })).toEqual({ onUnbumped: "fail", problems: [] });
  expect(readOnUnbumped({ pyproject: { onUnbumped: "skip" } }).problems.map((p) => p.key)).toEqual(["pyproject.onUnbumped"]);
});

test("a hold as a notice annotation and a summary section, escaped as @actions/core escapes them", () => {
  const hold = { kind: "unbumped" as const, title: "Release 1.0.1: waits, for a bump", message: "50% done\nnext line::notice::x" };
  assert.equal(noticeCommand(hold), "::notice title=Release 1.0.1%3A waits%2C for a bump::50%25 done%0Anext line::notice::x\n");
  assert.equal(holdSummary(hold), "## Release 1.0.1: waits, for a bump\n\n50% done\nnext line::notice::x\n\n");
});

test("milestone titles from the template, and the references rule", () => {
  assert.equal(milestoneTitle("v{version}", "2.1.0"), "v2.1.0");
  assert.equal(milestoneTitle("Release {major}.{minor}", "2.1.0"), "Release 2.1");
  assert.equal(milestoneTitle("{pep440}", "2.1.0-rc.1"), "2.1.0rc1");
  expect(readCadenceOptions({ cadence: { milestone: "v{version}-{cuda}", milestoneBy: "pr" } }).problems.map((p) => p.key)).toEqual(["cadence.milestone", "cadence.milestoneBy"]);
  expect(readCadenceOptions({ cadence: { milestone: "" } }).problems.map((p) => p.key)).toEqual(["cadence.milestone"]);

  const gated = { type: "minor" as const, version: "0.10.0" };
  const m3 = { title: "M3 — Docker + vLLM", state: "open" as const, open_issues: 2 };
  const m2 = { title: "M2 — Zeus", state: "closed" as const, open_issues: 0 };
  expect(referencesVerdict(gated, [])).toEqual({
    release: false,
    message: 'minor release 0.10.0 held: no issue or pull request the commits reference belongs to a milestone; assign the work to its milestone, or set cadence.minor to "immediate"',
  });
  assert.match(referencesVerdict(gated, [{ number: 7, milestone: null }]).message, /\(#7 belong to none\)/);
  expect(referencesVerdict(gated, [{ number: 12, milestone: m3 }, { number: 14, milestone: m3 }, { number: 9, milestone: m2 }, { number: 7, milestone: null }])).toEqual({
    release: false,
    message: 'minor release 0.10.0 held: milestone "M3 — Docker + vLLM" (#12, #14) has 2 open issues',
  });
  expect(referencesVerdict(gated, [{ number: 12, milestone: { ...m3, state: "closed", open_issues: 0 } }, { number: 9, milestone: m2 }])).toEqual({
    release: true,
    message: 'minor release 0.10.0: milestones "M3 — Docker + vLLM" (#12), "M2 — Zeus" (#9) closed, releasing',
  });
});
