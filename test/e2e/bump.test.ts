import { describe, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { onCleanup } from "../support/cleanup.js";
import { CURRENT_PYTHON, CURRENT_UV } from "../support/python.js";
import { createRepo, examplePyproject, exampleVersionFiles, git, runPyrelease, runSemanticRelease, type TempRepo } from "../support/repo.js";

/**
 * `pyrelease bump` through the built CLI on temporary repositories: the release-PR flow.
 * uv is the current toolchain's; the example project has no dependencies, so it locks offline.
 */
function uvLock(dir: string, args: string[] = []): { code: number; output: string } {
  const result = spawnSync(CURRENT_UV, ["lock", "--offline", "--python", CURRENT_PYTHON, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, UV_PYTHON_DOWNLOADS: "never", UV_NO_CONFIG: "1" } });
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

function repoWith(options: Parameters<typeof createRepo>[0]): TempRepo {
  const repo = createRepo(options);
  onCleanup(() => repo.cleanup());
  return repo;
}

/**
 * v1.0.0 released with a uv.lock left at 0.8.0 (the stale lock real projects carry), then
 * two ordinary merges that did not bump anything.
 */
function unbumpedHistory(): TempRepo {
  const repo = repoWith({ files: { "pyproject.toml": examplePyproject("0.8.0") } });
  assert.equal(uvLock(repo.dir).code, 0, "uv lock");
  repo.commit("feat: first release", { "pyproject.toml": examplePyproject("1.0.0") });
  repo.tag("v1.0.0");
  repo.commit("feat(backends): add the zeus energy backend (#12)", { "src/llenergymeasure_demo/zeus.py": "BACKEND = 'zeus'\n" });
  repo.commit("fix(cli): report the backend in --version output (#13)");
  return repo;
}

describe("pyrelease bump", () => {
  test("writes the next version into pyproject.toml and uv.lock only, prints the PR, and the release that follows passes verify mode", async () => {
    const repo = unbumpedHistory();
    const pyprojectBefore = repo.read("pyproject.toml");
    const lockBefore = repo.read("uv.lock");
    const outputs = join(repo.root, "github-output");
    const run = await runPyrelease(repo.dir, ["bump"], { GITHUB_OUTPUT: outputs, GITHUB_TOKEN: "ghp_not_needed_0123456789abcdef" });
    assert.equal(run.code, 0, run.output);

    assert.match(run.stdout, /^chore: release 1\.1\.0\n\n/, "the title, then the body");
    assert.match(run.stdout, /add the zeus energy backend/);
    assert.match(run.stdout, /report the backend in --version output/);
    assert.match(run.stderr, /Wrote 1\.1\.0 into pyproject\.toml and uv\.lock \(was 1\.0\.0\)/);

    expect(git(repo.dir, ["diff", "--name-only"]).split("\n").sort()).toEqual(["pyproject.toml", "uv.lock"]);
    assert.equal(repo.read("pyproject.toml"), pyprojectBefore.replace('version = "1.0.0"', 'version = "1.1.0"'), "only the version line of pyproject.toml");
    assert.equal(repo.read("uv.lock"), lockBefore.replace('version = "0.8.0"', 'version = "1.1.0"'), "only the project's own entry of uv.lock");
    const check = uvLock(repo.dir, ["--check"]);
    assert.equal(check.code, 0, `uv lock --check agrees: ${check.output}`);

    const github = readFileSync(outputs, "utf8");
    assert.match(github, /^version=1\.1\.0$/m);
    assert.match(github, /^pep440=1\.1\.0$/m);
    assert.match(github, /^tag=v1\.1\.0$/m);
    assert.match(github, /^title=chore: release 1\.1\.0$/m);
    assert.match(github, /^files=pyproject\.toml uv\.lock$/m);
    const body = /^body<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\1$/m.exec(github);
    assert.ok(body, `a multi-line body output: ${github}`);
    assert.match(body[2], /add the zeus energy backend/);

    // The release PR merges; the release that follows is a verify-mode release of exactly that version.
    repo.commit("chore: release 1.1.0 (#14)");
    const release = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.equal(release.code, 0, release.output);
    assert.match(release.output, /Release plan: llenergymeasure-demo 1\.1\.0 \(semver 1\.1\.0\), tag v1\.1\.0 on the default channel; pyproject\.toml already holds it/);
    assert.doesNotMatch(release.output, /EVERSIONMISMATCH|ESTALELOCK|EDIRTYTREE/);
  });

  test("nothing to release: nothing written, empty outputs", async () => {
    const repo = repoWith({ files: exampleVersionFiles("1.0.0") });
    repo.commit("feat: first release");
    repo.tag("v1.0.0");
    const outputs = join(repo.root, "github-output");
    const run = await runPyrelease(repo.dir, ["bump"], { GITHUB_OUTPUT: outputs });
    assert.equal(run.code, 0, run.output);
    assert.match(run.stderr, /No release is due, nothing written: There are no relevant changes/);
    assert.equal(run.stdout, "");
    assert.equal(git(repo.dir, ["status", "--porcelain", "--untracked-files=no"]), "");
    assert.match(readFileSync(outputs, "utf8"), /^version=$/m);
  });

  test("a version problem stops it before anything is written, every problem named", async () => {
    const repo = repoWith({ files: exampleVersionFiles("1.0.0") });
    repo.commit("feat: first release", { VERSION: "1.0.0\n" });
    repo.tag("v1.0.0");
    repo.commit("feat: sampling", { "src/llenergymeasure_demo/_version.py": "__version__ = version = '1.0.0'\n" });
    const run = await runPyrelease(repo.dir, ["bump"]);
    assert.equal(run.code, 1, run.output);
    assert.match(run.stderr, /EHARDCODEDVERSION/);
    assert.match(run.stderr, /ESTRAYVERSION .*disagree with 1\.1\.0: VERSION/);
    assert.equal(git(repo.dir, ["status", "--porcelain", "--untracked-files=no"]), "", "nothing written");
  });

  test('versionMode "scm" has no version to bump', async () => {
    const repo = repoWith({ files: exampleVersionFiles("1.0.0"), releaserc: { pyproject: { versionMode: "scm" } } });
    repo.commit("feat: first release");
    const run = await runPyrelease(repo.dir, ["bump"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /EINVALIDCONFIG .*pyproject\.versionMode/);
    assert.match(run.stderr, /the release tag is the version/);
  });
});
