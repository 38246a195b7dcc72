import { describe, test, afterAll, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { createRepo, examplePyproject, exampleHistory, git, runSemanticRelease, runPyrelease, type TempRepo } from "../support/repo.js";

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
  });

  test("the next branch releases X.Y.Z-rc.N against pyproject X.Y.ZrcN", async () => {
    const repo = track(exampleHistory("1.1.0"));
    repo.commit("chore: branch next");
    git(repo.dir, ["checkout", "-q", "-b", "next"]);
    repo.commit("feat: faster sampling", { "pyproject.toml": examplePyproject("1.1.0rc1") });
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
    { name: "version not PEP 440", code: /EINVALIDPEP440 The version "1\.1\.0-next\.1"/, setup: (r) => r.commit("feat: x", { "pyproject.toml": examplePyproject("1.1.0-next.1") }) },
    { name: "hard-coded __version__", code: /EHARDCODEDVERSION .*src\/llenergymeasure_demo\/_version\.py:2/, setup: (r) => r.commit("feat: x", { "pyproject.toml": examplePyproject("1.1.0"), "src/llenergymeasure_demo/_version.py": '# generated\n__version__ = "1.1.0"\n' }) },
    { name: "prerelease identifier PyPI has no word for", code: /EPRERELEASEID Prerelease identifier\(s\) "next"/, setup: (r) => r.commit("feat: x", { "pyproject.toml": examplePyproject("1.1.0") }), releaserc: { branches: ["main", { name: "next", prerelease: "next" }] } },
    { name: "tag-triggered run whose tag is not pyproject's", code: /ETAGMISMATCH Tag v1\.2\.0 does not match the version 1\.1\.0/, setup: (r) => r.commit("feat: x", { "pyproject.toml": examplePyproject("1.1.0") }), env: { GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v1.2.0" } },
    { name: "a misspelled option", code: /EINVALIDCONFIG .*pyproject\.versionMode/, setup: (r) => r.commit("feat: x", { "pyproject.toml": examplePyproject("1.1.0") }), releaserc: { pyproject: { versionMode: "overwrite" } } },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const repo = track(createRepo({ files: { "pyproject.toml": examplePyproject("1.0.0") }, releaserc: c.releaserc }));
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
    const repo = track(createRepo({ files: { "pyproject.toml": examplePyproject("1.0.0") }, releaserc: { pyproject: { versionMode: "x" } } }));
    repo.commit("feat: first release", { "src/llenergymeasure_demo/v.py": '__version__ = "1.0.0"\n' });
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    assert.match(run.output, /EINVALIDCONFIG/);
    assert.match(run.output, /EHARDCODEDVERSION/);
  });
});

describe("pyrelease check-version", () => {
  test("passes on the matching tag, in either spelling", async () => {
    const repo = track(createRepo({ files: { "pyproject.toml": examplePyproject("2.0.0rc1") } }));
    for (const tag of ["v2.0.0-rc.1", "v2.0.0rc1", "v2.0.0.rc1"]) {
      const run = await runPyrelease(repo.dir, ["check-version", "--tag", tag]);
      assert.equal(run.code, 0, run.output);
      assert.match(run.stdout, /holds 2\.0\.0rc1/);
    }
  });

  test("exits 1 with ETAGMISMATCH otherwise", async () => {
    const repo = track(createRepo({ files: { "pyproject.toml": examplePyproject("2.0.0") } }));
    const run = await runPyrelease(repo.dir, ["check-version", "--tag", "v2.0.1"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ETAGMISMATCH Tag v2\.0\.1 does not match the version 2\.0\.0 in pyproject\.toml/);
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
