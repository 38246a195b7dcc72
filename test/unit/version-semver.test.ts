import { test } from "@jest/globals";
import assert from "node:assert/strict";
import { compareSemver, isPrerelease, minorsLater, parseSemver, prereleaseIdentifier, stableCore } from "../../src/version/semver.js";

test("semver as semver writes it, nothing looser", () => {
  const cases: [string, boolean][] = [
    ["2.0.0", true],
    ["2.0.0-rc.1", true],
    ["2.0.0+build.5", true],
    ["v2.0.0", false],
    [" 2.0.0", false],
    ["2.0", false],
    ["02.0.0", false],
    ["2.0.0-rc.01", false],
  ];
  for (const [text, ok] of cases) assert.equal(parseSemver(text) !== null, ok, text);
});

test("prereleases, their identifier, and the release they lead to", () => {
  const cases: [string, boolean, string | undefined, string | undefined][] = [
    ["2.0.0", false, undefined, "2.0.0"],
    ["2.0.0-rc.1", true, "rc", "2.0.0"],
    ["2.1.0-beta", true, "beta", "2.1.0"],
    ["2.0.0+build", false, undefined, "2.0.0"],
    ["not semver", false, undefined, undefined],
  ];
  for (const [version, pre, identifier, core] of cases) {
    assert.equal(isPrerelease(version), pre, version);
    assert.equal(prereleaseIdentifier(version), identifier, version);
    assert.equal(stableCore(version), core, version);
  }
});

test("semver precedence (semver.org §11)", () => {
  const ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "10.0.0"];
  for (let i = 1; i < ordered.length; i++) assert.ok(compareSemver(ordered[i - 1], ordered[i]) < 0, `${ordered[i - 1]} < ${ordered[i]}`);
  assert.equal(compareSemver("1.0.0", "1.0.0"), 0);
});

test("minor releases later", () => {
  const cases: [string, number, string | undefined][] = [
    ["2.1.0", 1, "2.2.0"],
    ["2.1.3", 2, "2.3.0"],
    ["2.1.0-rc.1", 1, "2.2.0"],
    ["0.9.0", 1, "0.10.0"],
    ["x", 1, undefined],
  ];
  for (const [version, minors, expected] of cases) assert.equal(minorsLater(version, minors), expected, `${version} + ${minors}`);
});
