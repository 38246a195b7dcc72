import { test } from "@jest/globals";
import assert from "node:assert/strict";
import { compareVersions, isVersion } from "../../src/version/order.js";

test("versions in either form, in release order", () => {
  const ordered = ["0.9.0", "1.0.0", "2.0.0-rc.1", "2.0.0rc2", "2.0.0", "2.0.1", "2.1.0", "10.0.0"];
  for (let i = 1; i < ordered.length; i++) assert.ok(compareVersions(ordered[i - 1], ordered[i]) < 0, `${ordered[i - 1]} < ${ordered[i]}`);
  assert.equal(compareVersions("2.1.0-rc.1", "2.1.0rc1"), 0);
  // Semver prereleases PyPI has no word for: semver's order.
  assert.ok(compareVersions("2.0.0-nightly.2", "2.0.0-nightly.10") < 0);
  assert.ok(compareVersions("2.0.0-nightly.2", "2.0.0") < 0);
  // Neither: numbers within the text compared as numbers.
  assert.ok(compareVersions("2.0.0-nightly.9", "2.0.0rc1.x") !== 0);
});

test("what counts as a version", () => {
  const cases: [string, boolean][] = [
    ["2.1.0", true],
    ["2.1", true],
    ["2.1.0rc1", true],
    ["2.1.0-rc.1", true],
    ["2.1.0-nightly.1", true],
    ["2", false],
    ["2024-01-01", false],
    ["Unreleased", false],
  ];
  for (const [text, expected] of cases) assert.equal(isVersion(text), expected, text);
});
