import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { equalPep440, normalizePep440, pep440AtLeast, releasePep440, samePep440, semverToPep440 } from "../../src/version/pep440.js";

const conversions: [string, string][] = [
  ["1.2.0", "1.2.0"],
  ["1.2.0-rc.1", "1.2.0rc1"],
  ["2.0.0-rc.12", "2.0.0rc12"],
  ["1.2.0-beta.3", "1.2.0b3"],
  ["1.2.0-b.3", "1.2.0b3"],
  ["1.2.0-alpha.1", "1.2.0a1"],
  ["1.2.0-a.1", "1.2.0a1"],
  ["1.2.0-c.2", "1.2.0rc2"],
  ["1.2.0-pre.2", "1.2.0rc2"],
  ["1.2.0-preview.4", "1.2.0rc4"],
  ["1.2.0-dev.0", "1.2.0.dev0"],
  ["1.2.0-rc", "1.2.0rc0"],
  ["10.20.30-RC.1", "10.20.30rc1"],
];

for (const [semver, pep440] of conversions) {
  test(`semver ${semver} → PEP 440 ${pep440}`, () => {
    expect(semverToPep440(semver)).toEqual({ ok: true, pep440 });
    assert.equal(normalizePep440(pep440), pep440, "the result is already in normal form");
  });
}

const refusals: [string, string][] = [
  ["1.2.0-next.1", "prerelease-id"],
  ["1.2.0-canary.3", "prerelease-id"],
  ["1.2.0-rc.1.2", "prerelease-shape"],
  ["1.2.0-rc.x", "prerelease-shape"],
  ["1.2.0+build.5", "build-metadata"],
  ["1.2.0-rc.1+sha.abc", "build-metadata"],
  ["1.2", "not-semver"],
  ["v1.2.0", "not-semver"],
];

for (const [semver, reason] of refusals) {
  test(`semver ${semver} is refused (${reason})`, () => {
    const result = semverToPep440(semver);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.reason, reason);
  });
}

test("releasePep440 throws EPRERELEASEID naming the identifier", () => {
  assert.throws(() => releasePep440("1.0.0-next.1"), (error: any) => error.code === "EPRERELEASEID" && error.message.includes('"next"'));
  assert.throws(() => releasePep440("1.0.0+abc"), (error: any) => error.code === "EPRERELEASEID" && error.message.includes("build metadata"));
});

const comparisons: [string, string, boolean][] = [
  ["2.0.0.rc1", "2.0.0rc1", true],
  ["2.0.0-rc.1", "2.0.0rc1", true],
  ["2.0.0RC1", "2.0.0rc1", true],
  ["2.0.0.a1", "2.0.0a1", true],
  ["2.0.0.b1", "2.0.0b1", true],
  ["2.0.0.dev0", "2.0.0.dev0", true],
  ["2.0.0dev0", "2.0.0.dev0", true],
  ["2.0.0", "2.0.0rc1", false],
  ["2.0", "2.0.0", false],
  ["2.0.1", "2.0.0", false],
  ["not a version", "not a version", false],
];

for (const [a, b, same] of comparisons) {
  test(`${a} ${same ? "==" : "!="} ${b}`, () => assert.equal(samePep440(a, b), same));
}

test("semver that semver itself refuses is refused here too", () => {
  for (const version of ["01.2.0", "1.2.0-rc.01", " 1.2.0-rc.1x", "1.2.0-", "=1.2.0"]) assert.equal(semverToPep440(version).ok, false, version);
});

test("PEP 440 equality by value, and tool versions at or above a minimum", () => {
  const equal: [string, string, boolean][] = [
    ["2.0", "2.0.0", true],
    ["2.0.0rc1", "2.0.0.rc1", true],
    ["2.0.0", "2.0.1", false],
    ["not a version", "not a version", false],
  ];
  for (const [a, b, expected] of equal) assert.equal(equalPep440(a, b), expected, `${a} = ${b}`);
  const atLeast: [string, string, boolean][] = [
    ["5.1.0", "5.1", true],
    ["6.0.0", "5.1", true],
    ["5.0.0", "5.1", false],
    ["5.1.0rc1", "5.1", false],
    ["not a version", "5.1", false],
  ];
  for (const [version, minimum, expected] of atLeast) assert.equal(pep440AtLeast(version, minimum), expected, `${version} >= ${minimum}`);
});
