import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { releaseType } from "../../src/analyze/release-type.js";
import { nextVersion, type NextVersionFacts } from "../../src/version/next.js";
import { readAnalyzeOptions } from "../../src/analyze/options.js";

const getNextVersion = (await import("semantic-release/lib/get-next-version.js" as string)).default as (context: unknown) => string;
const quiet = { log() {} };

test("a deprecation is at least a minor release; majorOnZero false keeps breaking changes on 0.x minor", () => {
  const cases: [string, Parameters<typeof releaseType>[0], string | null][] = [
    ["refactor that deprecates: minor, not nothing", { analyzed: null, deprecating: ["abc1234"], lastVersion: "2.0.0", majorOnZero: true }, "minor"],
    ["fix that deprecates: minor, not patch", { analyzed: "patch", deprecating: ["abc1234"], lastVersion: "2.0.0", majorOnZero: true }, "minor"],
    ["feat that deprecates: still minor", { analyzed: "minor", deprecating: ["abc1234"], lastVersion: "2.0.0", majorOnZero: true }, "minor"],
    ["breaking and deprecating: major", { analyzed: "major", deprecating: ["abc1234"], lastVersion: "2.0.0", majorOnZero: true }, "major"],
    ["no deprecation: the analyzer's verdict", { analyzed: "patch", deprecating: [], lastVersion: "2.0.0", majorOnZero: true }, "patch"],
    ["nothing at all", { analyzed: null, deprecating: [], lastVersion: "2.0.0", majorOnZero: true }, null],
    ["breaking on 0.9.0, majorOnZero true: major (1.0.0)", { analyzed: "major", deprecating: [], lastVersion: "0.9.0", majorOnZero: true }, "major"],
    ["breaking on 0.9.0, majorOnZero false: minor", { analyzed: "major", deprecating: [], lastVersion: "0.9.0", majorOnZero: false }, "minor"],
    ["breaking on 0.9.0-rc.1, majorOnZero false: minor", { analyzed: "major", deprecating: [], lastVersion: "0.9.0-rc.1", majorOnZero: false }, "minor"],
    ["breaking on 1.2.0, majorOnZero false: major", { analyzed: "major", deprecating: [], lastVersion: "1.2.0", majorOnZero: false }, "major"],
    ["breaking before any release, majorOnZero false: semantic-release's 1.0.0 stands", { analyzed: "major", deprecating: [], lastVersion: undefined, majorOnZero: false }, "major"],
    ["an unknown analyzer answer is no release", { analyzed: "premajor", deprecating: [], lastVersion: "1.0.0", majorOnZero: true }, null],
  ];
  for (const [name, facts, expected] of cases) assert.equal(releaseType(facts).type, expected, name);
  expect(releaseType({ analyzed: null, deprecating: ["abc1234"], lastVersion: "2.0.0", majorOnZero: true }).reasons).toEqual([
    "abc1234 deprecates public API (a DEPRECATED: note): a minor release, not no release",
  ]);
  assert.match(releaseType({ analyzed: "major", deprecating: [], lastVersion: "0.9.0", majorOnZero: false }).reasons[0], /0\.9\.0 with analyze\.majorOnZero false: a minor release, not 1\.0\.0/);
});

test("the next version matches semantic-release's own get-next-version on every kind of branch", () => {
  const main = { type: "release" as const, name: "main", tags: [] };
  const next = { type: "prerelease" as const, name: "next", prerelease: "rc", channel: "next", tags: [{ version: "2.1.0-rc.1" }, { version: "2.0.0" }] };
  const beta = { type: "prerelease" as const, name: "beta", prerelease: "beta", channel: "beta", tags: [{ version: "2.0.0" }] };
  const maintenance = { type: "maintenance" as const, name: "1.x", channel: "1.x", tags: [{ version: "1.4.2" }] };
  const cases: NextVersionFacts[] = [
    { type: "patch", branch: main, lastRelease: { version: "2.0.3", channels: [null] } },
    { type: "minor", branch: main, lastRelease: { version: "2.0.3", channels: [null] } },
    { type: "major", branch: main, lastRelease: { version: "2.0.3", channels: [null] } },
    { type: "minor", branch: main, lastRelease: { version: "2.1.0-rc.2", channels: ["next"] } },
    { type: "minor", branch: main, lastRelease: {} },
    { type: "minor", branch: next, lastRelease: { version: "2.1.0-rc.1", channels: ["next"] } },
    { type: "major", branch: next, lastRelease: { version: "2.1.0-rc.1", channels: ["next"] } },
    { type: "patch", branch: next, lastRelease: { version: "2.0.0", channels: [null] } },
    { type: "minor", branch: beta, lastRelease: { version: "2.0.0", channels: [null] } },
    { type: "minor", branch: beta, lastRelease: {} },
    { type: "patch", branch: maintenance, lastRelease: { version: "1.4.2", channels: ["1.x"] } },
  ];
  for (const facts of cases) {
    const theirs = getNextVersion({ branch: facts.branch, nextRelease: { type: facts.type, channel: (facts.branch as { channel?: string }).channel ?? null }, lastRelease: facts.lastRelease, logger: quiet });
    assert.equal(nextVersion(facts), theirs, JSON.stringify(facts));
  }
});

test("analyze options", () => {
  expect(readAnalyzeOptions({})).toEqual({ options: { majorOnZero: true }, problems: [] });
  expect(readAnalyzeOptions({ analyze: { majorOnZero: false } }).options).toEqual({ majorOnZero: false });
  expect(readAnalyzeOptions({ analyze: { majorOnZero: "no", zero: 1 } }).problems.map((p) => p.key)).toEqual(["analyze.majorOnZero", "analyze.zero"]);
  expect(readAnalyzeOptions({ analyze: [] }).problems.map((p) => p.key)).toEqual(["analyze"]);
});
