import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { gatedRelease, milestoneVerdict } from "../../src/cadence/gate.js";
import { nextStableVersion } from "../../src/version/next.js";
import { readCadenceOptions, type CadenceOptions } from "../../src/cadence/options.js";
import type { Branch } from "../../src/context.js";

const MILESTONE = { minor: "milestone", major: "milestone", milestone: "v{version}", milestoneBy: "title" } as const;
const main: Branch = { name: "main", type: "release", main: true };
const maintenance: Branch = { name: "1.x", type: "maintenance", range: ">=1.3.0 <2.0.0" };
const next: Branch = { name: "next", type: "prerelease", prerelease: "rc" };

test("the next version on release and maintenance branches, like semantic-release computes it", () => {
  const cases: [string | undefined, "major" | "minor" | "patch", string][] = [
    ["2.0.3", "minor", "2.1.0"],
    ["2.0.3", "major", "3.0.0"],
    ["2.0.3", "patch", "2.0.4"],
    [undefined, "minor", "1.0.0"],
    ["2.1.0-rc.2", "minor", "2.1.0"],
    ["3.0.0-rc.1", "major", "3.0.0"],
  ];
  for (const [last, type, expected] of cases) assert.equal(nextStableVersion(last, type), expected, `${last} + ${type}`);
});

test("which releases wait for a milestone", () => {
  const cases: [string, string | null, Branch, CadenceOptions, string | undefined][] = [
    ["minor on main", "minor", main, MILESTONE, "v2.1.0"],
    ["major on main", "major", main, MILESTONE, "v3.0.0"],
    ["minor on a maintenance branch", "minor", maintenance, MILESTONE, "v2.1.0"],
    ["patch: never held", "patch", main, MILESTONE, undefined],
    ["no release", null, main, MILESTONE, undefined],
    ["prerelease branch: not held", "minor", next, MILESTONE, undefined],
    ["minor with cadence.minor immediate", "minor", main, { ...MILESTONE, minor: "immediate" }, undefined],
  ];
  for (const [name, type, branch, options, expected] of cases) {
    assert.equal(gatedRelease(type, branch, "2.0.3", options)?.milestone, expected, name);
  }
});

test("the verdict and the log line", () => {
  const gated = { type: "minor" as const, version: "2.1.0", milestone: "v2.1.0" };
  const cases: [Parameters<typeof milestoneVerdict>[1], boolean, string][] = [
    [{ title: "v2.1.0", state: "open", open_issues: 2 }, false, "minor release 2.1.0 held: milestone v2.1.0 has 2 open issues"],
    [{ title: "v2.1.0", state: "open", open_issues: 1 }, false, "minor release 2.1.0 held: milestone v2.1.0 has 1 open issue"],
    [{ title: "v2.1.0", state: "open", open_issues: 0 }, false, "minor release 2.1.0 held: milestone v2.1.0 is still open (no open issues left: close it to release)"],
    [{ title: "v2.1.0", state: "closed", open_issues: 0 }, true, "minor release 2.1.0: milestone v2.1.0 is closed, releasing"],
    [null, false, 'minor release 2.1.0 held: there is no milestone titled v2.1.0 (create it, close it when its work is done, or set cadence.minor to "immediate")'],
  ];
  for (const [milestone, release, message] of cases) expect(milestoneVerdict(gated, milestone)).toEqual({ release, message });
});

test("cadence options", () => {
  expect(readCadenceOptions({})).toEqual({ options: { minor: "immediate", major: "immediate", milestone: "v{version}", milestoneBy: "title" }, problems: [] });
  expect(readCadenceOptions({ cadence: { major: "milestone" } }).options).toEqual({ minor: "immediate", major: "milestone", milestone: "v{version}", milestoneBy: "title" });
  expect(readCadenceOptions({ cadence: { minor: "weekly", patch: "milestone", when: 1 } }).problems.map((p) => p.key)).toEqual(["cadence.minor", "cadence.patch", "cadence.when"]);
});
