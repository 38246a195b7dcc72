import { describe, test, afterAll, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createRepo, examplePyproject, exampleVersionFiles, exampleHistory, git, runSemanticRelease, runPyrelease, type TempRepo } from "../support/repo.js";
import { CURRENT_PYTHON, CURRENT_UV } from "../support/python.js";

/**
 * The real semantic-release CLI, with the preset, on temporary repositories.
 * Dry runs need no credential at all: no GitHub token, no PyPI route, no registry login.
 */
const repos: TempRepo[] = [];
/** A frame of this package's code in a stack trace (semantic-release's CLI prints its own frames on any failure). */
const OUR_STACK_FRAME = /\bat .*dist\/(src|index)/;
afterAll(() => repos.forEach((repo) => repo.cleanup()));
const track = (repo: TempRepo) => (repos.push(repo), repo);

describe("dry run on a laptop", () => {
  test("versions agree: succeeds without credentials and prints the plan", async () => {
    const repo = track(exampleHistory("1.1.0"));
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /The next release version is 1\.1\.0/);
    assert.match(run.output, /Release plan: llenergymeasure-demo 1\.1\.0 \(semver 1\.1\.0\), tag v1\.1\.0 on the default channel/);
    assert.match(run.output, /GitHub release v1\.1\.0 will be created as a DRAFT/);
    assert.match(run.output, /llenergymeasure_demo-1\.1\.0\.tar\.gz/, "the sdist a real run would build");
    assert.match(run.output, /llenergymeasure_demo-1\.1\.0-\S*\.whl/, "the wheel a real run would build");
    // a dry run pushes no tag
    expect(repo.remoteTags()).toEqual(["v1.0.0"]);
  });

  test("versions disagree: EVERSIONMISMATCH names both versions and the ways out", async () => {
    const repo = track(exampleHistory("1.0.1"));
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /EVERSIONMISMATCH The commits call for minor release 1\.1\.0 \(semver 1\.1\.0\), but pyproject\.toml says 1\.0\.1/);
    assert.match(run.output, /versionMode/);
    assert.doesNotMatch(run.output, OUR_STACK_FRAME, "no stack trace for a user mistake");
    // semantic-release prints the details through marked-terminal: the example keeps its own line
    const details = run.output.slice(run.output.indexOf("EVERSIONMISMATCH The commits"));
    assert.match(details, /\n {4}version = "1\.1\.0"\n/, "the TOML example on a line of its own");
    assert.match(details, /\nOr let the release write it: set "pyproject": \{ "versionMode": "write" \}/);
    assert.doesNotMatch(details, /commit[^\n]*version = "1\.1\.0"/, "not run into the sentence before it");
  });

  test("the next branch releases X.Y.Z-rc.N against pyproject X.Y.ZrcN", async () => {
    const repo = track(exampleHistory("1.1.0"));
    repo.commit("chore: branch next");
    git(repo.dir, ["checkout", "-q", "-b", "next"]);
    repo.commit("feat: faster sampling", exampleVersionFiles("1.1.0rc1"));
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /The next release version is 1\.1\.0-rc\.1/);
    assert.match(run.output, /Release plan: llenergymeasure-demo 1\.1\.0rc1 \(semver 1\.1\.0-rc\.1\), tag v1\.1\.0-rc\.1 on channel "next"/);
  });

  test("a Poetry project is read from [tool.poetry]", async () => {
    const poetry = `[tool.poetry]\nname = "poetry-demo"\nversion = "0.2.0"\ndescription = "demo"\nauthors = ["A <a@example.com>"]\n\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n`;
    const repo = track(createRepo({ template: null, files: { "pyproject.toml": poetry.replace("0.2.0", "0.1.0"), "poetry_demo/__init__.py": "" } }));
    repo.commit("feat: first");
    repo.tag("v0.1.0");
    repo.commit("feat: second", { "pyproject.toml": poetry });
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /pyproject\.toml: poetry-demo 0\.1\.0|pyproject\.toml: poetry-demo 0\.2\.0/);
    assert.match(run.output, /Release plan: poetry-demo 0\.2\.0/);
  });
});

describe("every mistake in the version truth has its code", () => {
  const cases: { name: string; code: RegExp; setup: (repo: TempRepo) => void; env?: Record<string, string>; releaserc?: Record<string, unknown> }[] = [
    { name: "no pyproject.toml", code: /EINVALIDPYPROJECT pyproject\.toml cannot be read: the file does not exist/, setup: (r) => r.commit("feat: x", { "pyproject.toml": "" }) && rm(r, "pyproject.toml") },
    { name: "broken TOML", code: /EINVALIDPYPROJECT pyproject\.toml cannot be read: invalid TOML at line/, setup: (r) => r.commit("feat: x", { "pyproject.toml": "[project\nname=1" }) },
    { name: "no version", code: /ENOPYPROJECTVERSION/, setup: (r) => r.commit("feat: x", { "pyproject.toml": examplePyproject("1.1.0").replace(/^version = .*$/m, "") }) },
    { name: "dynamic version", code: /EDYNAMICVERSION/, setup: (r) => r.commit("feat: x", { "pyproject.toml": examplePyproject("1.1.0").replace(/^version = .*$/m, 'dynamic = ["version"]') }) },
    { name: "version not PEP 440", code: /EINVALIDPEP440 The version "1\.1\.0-next\.1"/, setup: (r) => r.commit("feat: x", exampleVersionFiles("1.1.0-next.1")) },
    { name: "hard-coded __version__", code: /EHARDCODEDVERSION .*src\/llenergymeasure_demo\/_version\.py:2/, setup: (r) => r.commit("feat: x", { ...exampleVersionFiles("1.1.0"), "src/llenergymeasure_demo/_version.py": '# generated\n__version__ = "1.1.0"\n' }) },
    { name: "prerelease identifier PyPI has no word for", code: /EPRERELEASEID Prerelease identifier\(s\) "next"/, setup: (r) => r.commit("feat: x", exampleVersionFiles("1.1.0")), releaserc: { branches: ["main", { name: "next", prerelease: "next" }] } },
    { name: "tag-triggered run whose tag is not pyproject's", code: /ETAGMISMATCH Tag v1\.2\.0 does not match the version 1\.1\.0/, setup: (r) => r.commit("feat: x", exampleVersionFiles("1.1.0")), env: { GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v1.2.0" } },
    { name: "a misspelled option", code: /EINVALIDCONFIG .*pyproject\.versionMode/, setup: (r) => r.commit("feat: x", exampleVersionFiles("1.1.0")), releaserc: { pyproject: { versionMode: "overwrite" } } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const repo = track(createRepo({ files: exampleVersionFiles("1.0.0"), releaserc: c.releaserc }));
      repo.commit("feat: first release");
      repo.tag("v1.0.0");
      c.setup(repo);
      const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"], c.env);
      assert.notEqual(run.code, 0, run.output);
      assert.match(run.output, c.code);
      assert.doesNotMatch(run.output, OUR_STACK_FRAME, "no stack trace");
    });
  }

  test("several problems are reported together", async () => {
    const repo = track(createRepo({ files: exampleVersionFiles("1.0.0"), releaserc: { pyproject: { versionMode: "x" } } }));
    repo.commit("feat: first release", { "src/llenergymeasure_demo/v.py": '__version__ = "1.0.0"\n' });
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.match(run.output, /EINVALIDCONFIG/);
    assert.match(run.output, /EHARDCODEDVERSION/);
  });
});

/** `uv lock` with the current toolchain's uv, offline: the example project has no dependencies. */
function uvLock(dir: string, args: string[] = []): { code: number; output: string } {
  const result = spawnSync(CURRENT_UV, ["lock", "--offline", "--python", CURRENT_PYTHON, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, UV_PYTHON_DOWNLOADS: "never", UV_NO_CONFIG: "1" } });
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

const HATCH_VCS_PYPROJECT = `[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

[project]
name = "llenergymeasure-demo"
description = "demo"
readme = "README.md"
dynamic = ["version"]

[tool.hatch.version]
source = "vcs"

[tool.hatch.build.targets.wheel]
packages = ["src/llenergymeasure_demo"]
`;

describe("every version problem in one run", () => {
  test("leaving hatch-vcs: the lines to change, the version to write, the stale _version.py and VERSION file, together", async () => {
    const repo = track(createRepo({ files: exampleVersionFiles("1.0.0") }));
    repo.commit("feat: first release");
    repo.tag("v1.0.0");
    repo.commit("feat: sampling", {
      "pyproject.toml": HATCH_VCS_PYPROJECT,
      "src/llenergymeasure_demo/_version.py": "# file generated by setuptools-scm\n__version__ = version = '1.0.0'\n__version_tuple__ = version_tuple = (1, 0, 0)\n",
      VERSION: "0.8.0\n",
    });
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /EDYNAMICVERSION pyproject\.toml declares the version as dynamic \(hatch-vcs\)/);
    assert.match(run.output, /line 2 `requires = \["hatchling", "hatch-vcs"\]`: drop `hatch-vcs`/);
    assert.match(run.output, /line 9 `dynamic = \["version"\]`: remove "version" from `dynamic` and write `version = "1\.1\.0"`/, "the release's version, known by now");
    assert.match(run.output, /line 11 `\[tool\.hatch\.version\]`: delete this table/);
    assert.match(run.output, /"versionMode": "scm"/);
    assert.match(run.output, /EHARDCODEDVERSION A hard-coded version was found in 2 place\(s\): src\/llenergymeasure_demo\/_version\.py:2, src\/llenergymeasure_demo\/_version\.py:3/);
    assert.match(run.output, /__version__ = version\("llenergymeasure-demo"\)/, "the replacement names the real distribution");
    assert.match(run.output, /ESTRAYVERSION 1 file\(s\) repeat the version and disagree with 1\.1\.0: VERSION/);
    assert.doesNotMatch(run.output, OUR_STACK_FRAME);
  });

  test("a static version: mismatch, hard-coded copy, stale VERSION and stale uv.lock, together, before anything is built", async () => {
    const repo = track(createRepo({ files: exampleVersionFiles("1.0.0") }));
    assert.equal(uvLock(repo.dir).code, 0, "uv lock");
    repo.commit("feat: first release", { VERSION: "1.0.0\n" });
    repo.tag("v1.0.0");
    // bumped by hand, to the wrong version, and only in pyproject.toml
    repo.commit("feat: sampling", { "pyproject.toml": examplePyproject("1.0.1"), "src/llenergymeasure_demo/__init__.py": '__version__: str = "1.0.1"\n' });
    const check = uvLock(repo.dir, ["--check"]);
    assert.notEqual(check.code, 0, "the real uv agrees that the lock is stale");
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /EVERSIONMISMATCH The commits call for minor release 1\.1\.0/);
    assert.match(run.output, /EHARDCODEDVERSION .*src\/llenergymeasure_demo\/__init__\.py:1/);
    assert.match(run.output, /ESTRAYVERSION .*disagree with 1\.1\.0: VERSION/);
    assert.match(run.output, /ESTALELOCK uv\.lock records llenergymeasure-demo 1\.0\.0, but pyproject\.toml holds 1\.0\.1/);
    assert.match(run.output, /uv lock\n/, "the command that fixes it");
    assert.ok(!existsSync(join(repo.dir, "dist")), "nothing built");
  });

  test("nothing wrong: VERSION and uv.lock agree", async () => {
    const repo = track(createRepo({ files: { ...exampleVersionFiles("1.0.0"), VERSION: "1.0.0\n" } }));
    repo.commit("feat: first release");
    repo.tag("v1.0.0");
    repo.commit("feat: sampling", { ...exampleVersionFiles("1.1.0"), VERSION: "v1.1.0\n" });
    assert.equal(uvLock(repo.dir).code, 0);
    repo.commit("chore: lock");
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Release plan: llenergymeasure-demo 1\.1\.0/);
  });

  test("a user-listed version file with a pattern", async () => {
    const repo = track(createRepo({ files: exampleVersionFiles("1.0.0"), releaserc: { pyproject: { versionFiles: [{ path: "docs/conf.py", pattern: 'release = "(.+)"' }, "CITATION.txt"] } } }));
    repo.commit("feat: first release");
    repo.tag("v1.0.0");
    repo.commit("feat: sampling", { ...exampleVersionFiles("1.1.0"), "docs/conf.py": 'project = "demo"\nrelease = "1.0.0"\n' });
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /ESTRAYVERSION 2 file\(s\) .*: docs\/conf\.py, CITATION\.txt/);
    assert.match(run.output, /docs\/conf\.py:2.*holds.*1\.0\.0/);
    assert.match(run.output, /CITATION\.txt.*does not exist/);
  });
});

describe("uncommitted changes to tracked files (EDIRTYTREE)", () => {
  const dirtyRepo = () => {
    const repo = track(exampleHistory("1.1.0"));
    repo.write("src/llenergymeasure_demo/cli.py", "# an edit in progress\n");
    repo.write("README.md", "edited\n");
    repo.write("notes.txt", "untracked files are not changes to tracked files\n");
    git(repo.dir, ["add", "README.md"]);
    return repo;
  };

  test("a real run refuses them, listing each, before anything is built or tagged", async () => {
    const repo = dirtyRepo();
    const run = await runSemanticRelease(repo.dir, ["--no-ci"]);
    assert.notEqual(run.code, 0);
    assert.match(run.output, /EDIRTYTREE 2 tracked file\(s\) have uncommitted changes: README\.md, src\/llenergymeasure_demo\/cli\.py/);
    assert.match(run.output, /README\.md \(modified, staged\)/);
    assert.match(run.output, /src\/llenergymeasure_demo\/cli\.py \(modified\)/);
    assert.doesNotMatch(run.output, /EDIRTYTREE[^\n]*notes\.txt/);
    expect(repo.remoteTags()).toEqual(["v1.0.0"]);
    assert.ok(!existsSync(join(repo.dir, "dist")), "nothing built");
  });

  test("a dry run (a laptop with edits in progress) only warns", async () => {
    const repo = dirtyRepo();
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /⚠ +EDIRTYTREE 2 tracked file\(s\) have uncommitted changes: .*A dry run only warns/);
  });
});

describe("pyrelease check-version", () => {
  test("passes on the matching tag, in either spelling", async () => {
    const repo = track(createRepo({ files: exampleVersionFiles("2.0.0rc1") }));
    for (const tag of ["v2.0.0-rc.1", "v2.0.0rc1", "v2.0.0.rc1"]) {
      const run = await runPyrelease(repo.dir, ["check-version", "--tag", tag]);
      assert.equal(run.code, 0, run.output);
      assert.match(run.stdout, /holds 2\.0\.0rc1/);
    }
  });

  test("exits 1 with ETAGMISMATCH otherwise", async () => {
    const repo = track(createRepo({ files: exampleVersionFiles("2.0.0") }));
    const run = await runPyrelease(repo.dir, ["check-version", "--tag", "v2.0.1"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Tag v2\.0\.1 is not in this clone: checking the working tree's pyproject\.toml/);
    assert.match(run.stderr, /ETAGMISMATCH Tag v2\.0\.1 does not match the version 2\.0\.0 in pyproject\.toml/);
  });

  /** v0.4.3 released; v0.4.4 pushed by mistake on a commit that still holds 0.4.3; the bump came after. */
  const mistaggedHistory = () => {
    const repo = track(createRepo({ files: exampleVersionFiles("0.4.3") }));
    repo.commit("feat: first");
    repo.tag("v0.4.3");
    repo.commit("fix: a fix");
    repo.tag("v0.4.4");
    repo.commit("chore: release 0.4.4", exampleVersionFiles("0.4.4"));
    return repo;
  };

  test("reads the tagged commit's pyproject.toml, not the working tree's, and never advises deleting the tag", async () => {
    const repo = mistaggedHistory();
    const good = await runPyrelease(repo.dir, ["check-version", "--tag", "v0.4.3"]);
    assert.equal(good.code, 0, good.output);
    assert.match(good.stdout, /pyproject\.toml at v0\.4\.3 \([0-9a-f]{12}\) holds 0\.4\.3, the version of tag v0\.4\.3/);

    const bad = await runPyrelease(repo.dir, ["check-version", "--tag", "v0.4.4"]);
    assert.equal(bad.code, 1, "the working tree holds 0.4.4, the tagged commit does not");
    assert.match(bad.stderr, /ETAGMISMATCH Tag v0\.4\.4 does not match the version 0\.4\.3 in pyproject\.toml at [0-9a-f]{12}/);
    assert.match(bad.stderr, /Leave the tag where it is/);
    assert.doesNotMatch(bad.stderr, /--delete|tag -d|delete the tag/i);
  });

  test("takes the tag of a tag-triggered run from GitHub Actions or GitLab", async () => {
    const repo = mistaggedHistory();
    const github = await runPyrelease(repo.dir, ["check-version"], { GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v0.4.3" });
    assert.equal(github.code, 0, github.output);
    assert.match(github.stdout, /the version of tag v0\.4\.3/);
    const gitlab = await runPyrelease(repo.dir, ["check-version"], { CI_COMMIT_TAG: "v0.4.4" });
    assert.equal(gitlab.code, 1);
    assert.match(gitlab.stderr, /ETAGMISMATCH Tag v0\.4\.4/);
    const branch = await runPyrelease(repo.dir, ["check-version"], { GITHUB_REF_TYPE: "branch", GITHUB_REF_NAME: "main" });
    assert.equal(branch.code, 2, "a branch name is not a tag");
    assert.match(branch.stderr, /No tag to check/);
  });

  test('versionMode "scm": the tag is the version', async () => {
    const hatchVcs = examplePyproject("1.0.0").replace(/^version = .*$/m, 'dynamic = ["version"]').replace("[tool.hatch.build.targets.wheel]", '[tool.hatch.version]\nsource = "vcs"\n\n[tool.hatch.build.targets.wheel]');
    const repo = track(createRepo({ files: { "pyproject.toml": hatchVcs }, releaserc: { pyproject: { versionMode: "scm" } } }));
    repo.commit("feat: first");
    repo.tag("v1.2.0rc1");
    const run = await runPyrelease(repo.dir, ["check-version", "--tag", "v1.2.0rc1"]);
    assert.equal(run.code, 0, run.output);
    assert.match(run.stdout, /keeps a dynamic version \(hatch-vcs\); versionMode "scm" builds the tag's version 1\.2\.0rc1/);
  });
});

function rm(repo: TempRepo, path: string) {
  git(repo.dir, ["rm", "-q", path]);
  git(repo.dir, ["commit", "-q", "-m", "chore: remove"]);
  return true;
}

describe("pyrelease plan", () => {
  test("shows the next release with every credential removed", async () => {
    const repo = track(exampleHistory("1.1.0"));
    const run = await runPyrelease(repo.dir, ["plan"], { GITHUB_TOKEN: "ghp_should_not_be_used_0123456789", PYPI_TOKEN: "pypi-should-not-be-used-0123" });
    assert.equal(run.code, 0, run.output);
    assert.match(run.stdout, /Plan: 1\.0\.0 → 1\.1\.0 \(PEP 440 1\.1\.0\), minor release, tag v1\.1\.0, channel default\.\n[\s\S]*GitHub release v1\.1\.0 will be created as a DRAFT/);
    assert.match(run.stdout, /No GitHub token/, "the token given was not used");
    expect(repo.remoteTags()).toEqual(["v1.0.0"]);
  });
});
