import { describe, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pyproject from "../../src/plugins/pyproject.js";
import { fileAtCommit, modifiedTrackedFiles, tagCommit, trackedFiles } from "../../src/pyproject/git.js";
import { readLockedVersion } from "../../src/pyproject/lock.js";
import { onCleanup } from "../support/cleanup.js";
import { errorsOf, makeProject, pluginContext, type Project } from "../support/plugin-context.js";
import { CURRENT_PYTHON, CURRENT_UV } from "../support/python.js";
import { examplePyproject, exampleVersionFiles, git } from "../support/repo.js";

/**
 * The pyproject plugin's steps called in-process the way semantic-release calls them, on a
 * committed copy of the example project (real git, real uv.lock files written by uv).
 */
function project(files: Record<string, string | null> = {}): Project {
  const made = makeProject(files);
  onCleanup(() => made.cleanup());
  return made;
}

function uvLock(dir: string): void {
  const result = spawnSync(CURRENT_UV, ["lock", "--offline", "--python", CURRENT_PYTHON], { cwd: dir, encoding: "utf8", env: { ...process.env, UV_PYTHON_DOWNLOADS: "never", UV_NO_CONFIG: "1" } });
  assert.equal(result.status, 0, result.stderr);
}

async function codesOf(step: Promise<unknown>): Promise<string[]> {
  try {
    await step;
    return [];
  } catch (error) {
    return errorsOf(error).map((e) => e.code);
  }
}

describe("verifyConditions logs, verifyRelease reports every problem at once", () => {
  test("hard-coded copy, stray VERSION, stale uv.lock and mismatch", async () => {
    const p = project({ ...exampleVersionFiles("1.9.0"), VERSION: "1.8.0\n", "src/llenergymeasure_demo/__about__.py": "version = '1.9.0'\n" });
    uvLock(p.dir);
    writeFileSync(join(p.dir, "uv.lock"), readFileSync(join(p.dir, "uv.lock"), "utf8").replace('version = "1.9.0"', 'version = "1.8.0"'));
    git(p.dir, ["add", "uv.lock"]);
    git(p.dir, ["commit", "-qm", "chore: a lock left at 1.8.0"]);

    const conditions = pluginContext({ cwd: p.dir, version: "2.0.0" });
    await pyproject.verifyConditions({}, conditions.context);
    expect(conditions.output().match(/\[warn\] (E[A-Z]+)/g)).toEqual(["[warn] EHARDCODEDVERSION", "[warn] ESTRAYVERSION", "[warn] ESTALELOCK"]);

    const release = pluginContext({ cwd: p.dir, version: "2.0.0" });
    expect(await codesOf(pyproject.verifyRelease({}, release.context))).toEqual(["EVERSIONMISMATCH", "EHARDCODEDVERSION", "ESTRAYVERSION", "ESTALELOCK"]);
  });

  test("a problem that stops the run brings the version problems along", async () => {
    const p = project({ "pyproject.toml": examplePyproject("2.0.0").replace(/^version = .*$/m, 'dynamic = ["version"]') });
    const { context } = pluginContext({ cwd: p.dir });
    expect(await codesOf(pyproject.verifyConditions({ pyproject: { versionMode: "sometimes" } }, context))).toEqual(["EINVALIDCONFIG", "EDYNAMICVERSION"]);
  });

  test("an untracked leftover _version.py in verify mode is a finding, marked as such", async () => {
    const p = project();
    writeFileSync(join(p.dir, "src/llenergymeasure_demo/_version.py"), "__version__ = version = '1.9.0'\n");
    const { context } = pluginContext({ cwd: p.dir });
    try {
      await pyproject.verifyRelease({}, context);
      assert.fail("must throw");
    } catch (error) {
      const [hardcoded] = errorsOf(error);
      assert.equal(hardcoded.code, "EHARDCODEDVERSION");
      assert.match(hardcoded.details, /_version\.py:1`: `__version__ = version = '1\.9\.0'` \(not committed: left by an earlier build; delete it\)/);
    }
  });

  test("write mode: prepare writes a prerelease into pyproject.toml and uv.lock in PEP 440, then has nothing left to do", async () => {
    const p = project({ "pyproject.toml": examplePyproject("1.0.0"), "uv.lock": null });
    uvLock(p.dir);
    git(p.dir, ["add", "uv.lock"]);
    git(p.dir, ["commit", "-qm", "chore: lock"]);
    const config = { pyproject: { versionMode: "write" } };
    const { context, output } = pluginContext({ cwd: p.dir, version: "1.1.0-rc.1" });
    await pyproject.verifyRelease(config, context);
    await pyproject.prepare(config, context);
    assert.match(output(), /will be written \(now 1\.0\.0\), and into uv\.lock/);
    assert.match(output(), /Wrote version 1\.1\.0rc1 into pyproject\.toml and uv\.lock \(was 1\.0\.0\)/);
    expect(await readLockedVersion(p.dir, join(p.dir, "pyproject.toml"), "llenergymeasure-demo")).toMatchObject({ file: "uv.lock", version: "1.1.0rc1" });
    await pyproject.prepare(config, context);
    assert.match(output(), /pyproject\.toml already holds 1\.1\.0rc1/);
  });
});

test("git helpers: changed tracked files, tracked paths, a tag's commit and a file in it", async () => {
  const p = project();
  git(p.dir, ["tag", "v2.0.0"]);
  writeFileSync(join(p.dir, "pyproject.toml"), examplePyproject("2.1.0"));
  writeFileSync(join(p.dir, "scratch.txt"), "untracked\n");
  expect(await modifiedTrackedFiles(p.dir)).toEqual([{ status: " M", path: "pyproject.toml" }]);
  expect([...(await trackedFiles(p.dir, ["pyproject.toml", "scratch.txt"]))]).toEqual(["pyproject.toml"]);
  assert.equal(await tagCommit(p.dir, "v2.0.0"), p.gitHead);
  assert.equal(await tagCommit(p.dir, "v9.9.9"), undefined);
  assert.match((await fileAtCommit(p.dir, p.gitHead, "pyproject.toml"))!, /^version = "2\.0\.0"/m, "the commit's file, not the working tree's");
  assert.equal(await fileAtCommit(p.dir, p.gitHead, "absent.toml"), undefined);
});
