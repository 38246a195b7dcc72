import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadReleaseConfig } from "../../src/config/load.js";
import { createRepo } from "../support/repo.js";

/** `pyrelease` commands find the configuration where semantic-release finds it, shareable configs included. */
test("a YAML .releaserc extending the preset: the preset's tagFormat and branches under the user's keys", async () => {
  const repo = createRepo({ template: null });
  try {
    rmSync(join(repo.dir, ".releaserc.json"));
    writeFileSync(join(repo.dir, ".releaserc.yaml"), "extends: semantic-release-config-pyproject\npyproject:\n  path: pkg/pyproject.toml\n");
    const config = await loadReleaseConfig(repo.dir);
    assert.equal(config.tagFormat, "v${version}");
    assert.ok(config.branches.some((b: { name?: string; prerelease?: string }) => b.name === "next" && b.prerelease === "rc"));
    expect(config.pyproject).toEqual({ path: "pkg/pyproject.toml" });
    assert.equal(config.extends, undefined);
  } finally {
    repo.cleanup();
  }
});

test("the user's keys override the shareable config's; an unloadable extends is EINVALIDCONFIG", async () => {
  const repo = createRepo({ template: null, releaserc: { tagFormat: "release-${version}" } });
  try {
    assert.equal((await loadReleaseConfig(repo.dir)).tagFormat, "release-${version}");
    writeFileSync(join(repo.dir, ".releaserc.json"), JSON.stringify({ extends: "no-such-shareable-config" }));
    await assert.rejects(loadReleaseConfig(repo.dir), (error: any) => error.code === "EINVALIDCONFIG" && /no-such-shareable-config/.test(error.message + error.details));
  } finally {
    repo.cleanup();
  }
});
