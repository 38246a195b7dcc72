import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { branchOf, prereleaseIdentifiers } from "../../src/version/branch.js";

test("resume: a prerelease resumes on its prerelease channel", () => {
  expect(branchOf("2.1.0-rc.2", ["2.0.0"])).toEqual({ name: "rc", type: "prerelease", prerelease: "rc", channel: "rc" });
});

test("resume: the newest stable release is a main-branch release (it may move latest)", () => {
  assert.equal(branchOf("2.1.0", ["1.0.0", "2.0.0", "2.1.0", "2.2.0-rc.1"]).type, "release");
});

test("resume: an older stable release came from a maintenance branch (latest must not move backwards)", () => {
  const branch = branchOf("1.4.2", ["1.4.1", "2.0.0"]);
  assert.equal(branch.type, "maintenance");
  assert.equal(branch.main, undefined);
});

test("the prerelease identifiers a branch configuration names, globs left out", () => {
  const branches = ["+([0-9])?(.{+([0-9]),x}).x", "main", { name: "next", prerelease: "rc" }, { name: "beta", prerelease: true }, { name: "alpha", prerelease: "alpha" }, { name: "rc", prerelease: "rc" }, { name: "pre/*", prerelease: "${name.replace(/^pre\\//g, '')}" }, { name: "x", prerelease: false }];
  expect(prereleaseIdentifiers(branches)).toEqual(["rc", "beta", "alpha"]);
  expect(prereleaseIdentifiers([])).toEqual([]);
});
