import { afterAll, describe, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { CURRENT_PYTHON } from "../support/python.js";
import { createRepo, examplePyproject, exampleHistory, git, runPyrelease, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { scanForSecrets } from "../support/secrets.js";
import { needPythonTools } from "../support/tools.js";

/**
 * The draft release as the durable store (CONTRACT "Where a release's artifacts live"):
 * every dist is kept as an asset of the draft before PyPI gets it, and `pyrelease resume`
 * takes those very files back instead of rebuilding them. setuptools does not rebuild an
 * sdist byte-identically (the gzip header and the members carry the build time), so a
 * rebuild of a half-published release could never be uploaded next to the published sdist.
 */

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const RETRY = { attempts: 2, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 };
const SDIST = "energy_probe-1.1.0.tar.gz";
const WHEEL = "energy_probe-1.1.0-py3-none-any.whl";

/** A small setuptools project (pure Python, src layout) at `version`. */
function setuptoolsProject(version: string): Record<string, string> {
  return {
    "pyproject.toml": `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "energy-probe"
version = "${version}"
description = "Reads energy counters"
readme = "README.md"
requires-python = ">=3.9"
license = { text = "MIT" }

[tool.setuptools.packages.find]
where = ["src"]
`,
    "README.md": "# energy-probe\n\nReads energy counters.\n",
    "src/energy_probe/__init__.py": '"""Energy counters."""\n',
  };
}

/** v1.0.0 released, then a feature that bumps pyproject to 1.1.0. */
function setuptoolsHistory(pypi: PypiServer): TempRepo {
  const repo = createRepo({ template: null, files: setuptoolsProject("1.0.0"), releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl, retry: RETRY } } });
  cleanups.push(() => repo.cleanup());
  repo.commit("feat: first release");
  repo.tag("v1.0.0");
  repo.commit("feat: read RAPL counters", setuptoolsProject("1.1.0"));
  return repo;
}

async function servers(project: string): Promise<{ pypi: PypiServer; github: GitHubServer; env: Record<string, string> }> {
  const pypi = await startPypiServer({ project });
  const github = await startGitHubServer();
  cleanups.push(() => pypi.close(), () => github.close());
  const env = {
    GITHUB_TOKEN: github.token,
    GITHUB_API_URL: github.url,
    ACTIONS_ID_TOKEN_REQUEST_URL: pypi.idTokenRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: pypi.requestToken,
  };
  return { pypi, github, env };
}

/** The sdist `python -m build` makes of `tag` in a fresh clone, with the release's SOURCE_DATE_EPOCH: what a rebuild would give. */
function rebuildSdist(repo: TempRepo, tag: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "pyrelease-rebuild-"));
  try {
    execFileSync("git", ["clone", "-q", "--branch", tag, repo.remote, join(dir, "src")]);
    const epoch = git(repo.dir, ["log", "-1", "--format=%ct", tag]);
    execFileSync(CURRENT_PYTHON, ["-m", "build", "--sdist", "--no-isolation", "--outdir", join(dir, "out"), join(dir, "src")], { env: { ...process.env, SOURCE_DATE_EPOCH: epoch }, stdio: "ignore" });
    return readFileSync(join(dir, "out", readdirSync(join(dir, "out")).find((f) => f.endsWith(".tar.gz"))!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("resume takes the files from the draft release", () => {
  test("setuptools, half-published (wheel uploaded, sdist refused): resume uploads the sdist the draft keeps, not a rebuild; resuming the finished release is a no-op", async () => {
    needPythonTools();
    const { pypi, github, env } = await servers("energy-probe");
    const repo = setuptoolsHistory(pypi);
    // twine uploads wheels first: the wheel lands, the sdist is refused (429 is not retried by twine): the release stops halfway, after its tag.
    pypi.injectFault("upload", { status: 429, reason: "Too Many Requests" }, 1, 1);
    const first = await runSemanticRelease(repo.dir, ["--no-ci"], env);
    assert.notEqual(first.code, 0, first.output);
    assert.match(first.output, /EUPLOAD/);
    expect(repo.remoteTags().sort()).toEqual(["v1.0.0", "v1.1.0"]);
    expect(pypi.files().map((f) => f.filename)).toEqual([WHEEL]);

    // Before PyPI got anything, the draft kept both files, and SHA256SUMS records them.
    const [draft] = github.releases();
    assert.equal(draft.draft, true);
    expect(draft.assets.map((a) => a.name).sort()).toEqual(["SHA256SUMS", WHEEL, SDIST].sort());
    const keptSdist = github.assetBytes(draft.id, SDIST)!;
    const keptWheel = github.assetBytes(draft.id, WHEEL)!;
    assert.equal(sha256(keptWheel), pypi.files()[0].sha256, "the draft keeps the very wheel PyPI has");
    assert.equal(github.assetBytes(draft.id, "SHA256SUMS")!.toString(), [`${sha256(keptWheel)}  ${WHEEL}`, `${sha256(keptSdist)}  ${SDIST}`].sort((a, b) => (a.split("  ")[1] < b.split("  ")[1] ? -1 : 1)).join("\n") + "\n");

    // Why it matters: a rebuild of the tag makes another sdist than the one the release built and recorded
    // (and once that sdist is on the index, PyPI refuses any rebuild of it: the old resume's EFILEEXISTS).
    assert.notEqual(sha256(rebuildSdist(repo, "v1.1.0")), sha256(keptSdist), "setuptools does not rebuild the sdist byte-identically");

    const resumed = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env);
    assert.equal(resumed.code, 0, resumed.output);
    assert.match(resumed.output, new RegExp(`Took ${SDIST.replace(/\./g, "\\.")} from the draft release`));
    assert.match(resumed.output, /keeps every file of v1\.1\.0: nothing is rebuilt/);
    assert.doesNotMatch(resumed.output, /-m build/, "nothing was built");
    const byName = new Map(pypi.files().map((f) => [f.filename, f.sha256]));
    expect([byName.get(SDIST), byName.get(WHEEL)]).toEqual([sha256(keptSdist), sha256(keptWheel)]);
    expect(pypi.uploads().filter((u) => u.outcome === "stored").map((u) => u.filename)).toEqual([WHEEL, SDIST]);
    assert.equal(pypi.uploads().filter((u) => u.outcome === "rejected").length, 0, "nothing refused: no EFILEEXISTS");
    const finished = github.releases()[0];
    assert.ok(finished.draft, "still a draft for the curator");
    for (const file of pypi.files()) assert.ok(finished.body!.includes(file.sha256), `${file.filename}'s sha256 in the artifacts section`);
    expect(JSON.parse(github.assetBytes(draft.id, "release-manifest.json")!.toString()).files.map((f: { sha256: string }) => f.sha256).sort()).toEqual([sha256(keptSdist), sha256(keptWheel)].sort());

    // The release is finished and its setuptools sdist is on the index: resuming it again builds nothing, so nothing clashes.
    const uploads = pypi.uploads().length;
    const assets = JSON.stringify(github.releases()[0].assets);
    const body = github.releases()[0].body;
    const again = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env);
    assert.equal(again.code, 0, again.output);
    assert.equal(pypi.uploads().length, uploads, "nothing uploaded to PyPI");
    assert.equal(JSON.stringify(github.releases()[0].assets), assets, "no asset added, replaced or removed");
    assert.equal(github.releases()[0].body, body);
    assert.match(again.output, /already published/);

    const hits = scanForSecrets({ secrets: Object.fromEntries([...pypi.secrets(), github.token].map((s, i) => [`secret #${i}`, s])), outputs: { first: first.output, resumed: resumed.output, again: again.output }, paths: [repo.dir] });
    expect(hits).toEqual([]);
  });

  test("no file kept in a draft (a tag pushed by hand, the sdist uploaded by hand): resume rebuilds, says the sdist is not byte-identical, sets it aside and finishes with the wheel", async () => {
    needPythonTools();
    const { pypi, github, env } = await servers("energy-probe");
    const repo = setuptoolsHistory(pypi);
    repo.tag("v1.1.0");
    const published = rebuildSdist(repo, "v1.1.0");
    pypi.addFile(SDIST, published, "energy-probe", "1.1.0");

    const resumed = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env);
    assert.equal(resumed.code, 0, resumed.output);
    assert.match(resumed.output, /There is no GitHub release for v1\.1\.0 yet: its files are built/);
    assert.match(resumed.output, new RegExp(`Rebuilt ${SDIST.replace(/\./g, "\\.")} is NOT byte-identical to the copy on`));
    assert.match(resumed.output, new RegExp(`Rebuilt ${WHEEL.replace(/\./g, "\\.")} \\(sha256 [0-9a-f]{64}\\): not on`));
    assert.doesNotMatch(resumed.output, /EFILEEXISTS/);
    const byName = new Map(pypi.files().map((f) => [f.filename, f.sha256]));
    assert.equal(byName.get(SDIST), sha256(published), "the index keeps its sdist");
    assert.ok(byName.get(WHEEL), "the wheel is uploaded");
    const [draft] = github.releases();
    expect(draft.assets.map((a) => a.name).sort()).toEqual(["SHA256SUMS", WHEEL, "release-manifest.json"].sort());
    assert.equal(github.assetBytes(draft.id, WHEEL)!.toString("hex"), readFileSync(join(repo.dir, "dist", WHEEL)).toString("hex"));

    // Now the draft keeps the wheel: a second resume takes it back, builds nothing, uploads nothing.
    const uploads = pypi.uploads().length;
    const again = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /nothing is rebuilt/);
    assert.equal(pypi.uploads().length, uploads);
  });

  test("hatchling rebuilds byte-identically: resume without kept files says so for the file the index has", async () => {
    needPythonTools();
    const { pypi, github, env } = await servers("llenergymeasure-demo");
    const repo = exampleHistory("1.1.0", { releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl, retry: RETRY } } });
    cleanups.push(() => repo.cleanup());
    repo.tag("v1.1.0");
    pypi.addFile("llenergymeasure_demo-1.1.0.tar.gz", rebuildSdist(repo, "v1.1.0"), "llenergymeasure-demo", "1.1.0");
    const resumed = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env);
    assert.equal(resumed.code, 0, resumed.output);
    assert.match(resumed.output, /Rebuilt llenergymeasure_demo-1\.1\.0\.tar\.gz: byte-identical to the copy on/);
    expect(pypi.uploads().filter((u) => u.outcome === "stored").map((u) => u.filename)).toEqual(["llenergymeasure_demo-1.1.0-py3-none-any.whl"]);
    expect(github.releases()[0].assets.map((a) => a.name).sort()).toEqual(["SHA256SUMS", "llenergymeasure_demo-1.1.0-py3-none-any.whl", "llenergymeasure_demo-1.1.0.tar.gz", "release-manifest.json"]);
  });

  test("a kept file whose bytes differ from SHA256SUMS is EDRAFTASSET: nothing is uploaded or rebuilt", async () => {
    needPythonTools();
    const { pypi, github, env } = await servers("llenergymeasure-demo");
    const repo = exampleHistory("1.1.0", { releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl, retry: RETRY } } });
    cleanups.push(() => repo.cleanup());
    repo.tag("v1.1.0");
    const draft = github.addRelease({ tag_name: "v1.1.0", draft: true, body: "## Notes" });
    github.addAsset(draft.id, "llenergymeasure_demo-1.1.0.tar.gz", Buffer.from("replaced by hand"));
    github.addAsset(draft.id, "SHA256SUMS", Buffer.from(`${"a".repeat(64)}  llenergymeasure_demo-1.1.0.tar.gz\n`), "text/plain");
    const resumed = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env);
    assert.equal(resumed.code, 1, resumed.output);
    assert.match(resumed.stderr, /EDRAFTASSET The draft release of v1\.1\.0 holds other bytes for llenergymeasure_demo-1\.1\.0\.tar\.gz than its SHA256SUMS records/);
    assert.match(resumed.stderr, /delete that asset from the draft/);
    assert.doesNotMatch(resumed.output, /\n\s+at .+:\d+:\d+/);
    assert.equal(pypi.uploads().length, 0);
    assert.doesNotMatch(resumed.output, /-m build/);
  });
});
