import { afterAll, beforeAll, describe, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleVersionFiles, exampleHistory, git, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { REGISTRY_BIN, startRegistry, type LocalRegistry } from "../support/registry.js";
import { hasTool, needPythonTools, needTool } from "../support/tools.js";
import { actionsReleaseEnv, podmanEnv, podmanFiles } from "../support/actions-env.js";

/**
 * Whole releases of the example project: the real semantic-release CLI with the preset,
 * in a GitHub Actions-like environment, against loopback stand-ins for GitHub and PyPI
 * (with its OIDC endpoints) and a real registry fed by real podman builds.
 */
let github: GitHubServer;
let pypi: PypiServer;
let registry: LocalRegistry | undefined;
let work: string;
const repos: TempRepo[] = [];
const imagesReady = hasTool(["podman", "--version"]) && hasTool([REGISTRY_BIN, "--version"]);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pyrelease-release-"));
  for (const [name, text] of Object.entries(podmanFiles(work))) writeFileSync(join(work, name), text);
  github = await startGitHubServer();
  pypi = await startPypiServer();
  if (imagesReady) registry = await startRegistry();
});

afterAll(async () => {
  await github?.close();
  await pypi?.close();
  await registry?.stop();
  repos.forEach((repo) => repo.cleanup());
  rmSync(work, { recursive: true, force: true });
});

function needAll(): boolean {
  return needPythonTools() && needTool(["podman", "--version"], "podman") && needTool([REGISTRY_BIN, "--version"], "docker-registry");
}

const MATRIX = { backend: ["pytorch", "vllm"], cuda: ["cuda11", "cuda12"] };

function releaseConfig() {
  return {
    pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl },
    images: {
      repository: `${registry!.host}/llenergymeasure`,
      matrix: MATRIX,
      dockerfile: "docker/Dockerfile.{backend}",
      buildArgs: { CUDA: "{cuda}", VERSION: "{pep440}" },
      latest: { cuda: "cuda12" },
      builder: "podman",
      tlsVerify: false,
    },
  };
}

function actionsEnv(branch: string, summary: string): Record<string, string> {
  return actionsReleaseEnv(github, pypi, branch, { GITHUB_STEP_SUMMARY: summary, ...podmanEnv(work) });
}

const sha256Pattern = /[0-9a-f]{64}/;

describe("a real release of the example", () => {
  let repo: TempRepo;
  let summary: string;

  test("main: PyPI once each through OIDC, images pinned by digest, a draft that records it all", async () => {
    if (!needAll()) return;
    repo = exampleHistory("1.1.0", { releaserc: releaseConfig() });
    repos.push(repo);
    repo.commit("fix(cli): report the backend in --version output");
    summary = join(repo.root, "summary.md");
    const run = await runSemanticRelease(repo.dir, [], actionsEnv("main", summary));
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Published release 1\.1\.0/);
    assert.match(run.output, /GitHub: the token may create releases in o\/r/, "proved before the tag");
    expect(repo.remoteTags().sort()).toEqual(["v1.0.0", "v1.1.0"]);

    // PyPI: the sdist and the wheel, uploaded once each.
    const files = pypi.files().filter((f) => f.version === "1.1.0");
    expect(files.map((f) => f.packagetype).sort()).toEqual(["bdist_wheel", "sdist"]);
    assert.equal(pypi.uploads().filter((u) => u.outcome === "stored").length, 2);

    // The draft: still a draft, the generated notes kept, every artifact recorded.
    const releases = github.releases().filter((r) => r.tag_name === "v1.1.0");
    assert.equal(releases.length, 1, "one release for the tag");
    const [draft] = releases;
    assert.equal(draft.draft, true, "the release waits for a human");
    const body = draft.body ?? "";
    assert.match(body, /### Added/);
    assert.match(body, /zeus energy backend/);
    assert.match(body, /pip install llenergymeasure-demo==1\.1\.0/);
    for (const file of files) {
      assert.ok(body.includes(file.filename), `${file.filename} listed`);
      assert.ok(body.includes(file.sha256), `${file.filename}'s sha256 (the index's) listed`);
    }

    // Images: every entry pushed; its pin in the draft is the registry's digest.
    for (const backend of MATRIX.backend) {
      for (const cuda of MATRIX.cuda) {
        const digest = await registry!.digest(`llenergymeasure/${backend}`, `1.1.0-${cuda}`);
        assert.match(digest ?? "", /^sha256:[0-9a-f]{64}$/, `${backend}:1.1.0-${cuda} exists`);
        assert.ok(body.includes(`${registry!.host}/llenergymeasure/${backend}@${digest}`), `${backend} ${cuda} pinned by the registry's digest`);
      }
      const tags = await registry!.tags(`llenergymeasure/${backend}`);
      expect(tags).toEqual(["1.1.0", "1.1.0-cuda11", "1.1.0-cuda12", "latest"]);
      assert.equal(await registry!.digest(`llenergymeasure/${backend}`, "latest"), await registry!.digest(`llenergymeasure/${backend}`, "1.1.0-cuda12"));
    }

    // The draft keeps the very files PyPI got, with SHA256SUMS, before anything went to PyPI.
    const kept = new Map(draft.assets.map((asset) => [asset.name, asset.digest]));
    for (const file of files) assert.equal(kept.get(file.filename), `sha256:${file.sha256}`, `${file.filename} kept in the draft`);
    const sums = github.assetBytes(draft.id, "SHA256SUMS")!.toString();
    for (const file of files) assert.ok(sums.includes(`${file.sha256}  ${file.filename}\n`), sums);

    // The machine-readable record (beside the dists, not left in the repository root, and in the draft) and the job summary.
    assert.ok(!existsSync(join(repo.dir, "release-manifest.json")), "nothing left untracked in the repository root");
    const manifest = JSON.parse(readFileSync(join(repo.dir, "dist", "release-manifest.json"), "utf8"));
    expect(JSON.parse(github.assetBytes(draft.id, "release-manifest.json")!.toString())).toEqual(manifest);
    assert.equal(manifest.pep440, "1.1.0");
    assert.equal(manifest.files.length, 2);
    assert.equal(manifest.images.length, 4);
    assert.match(readFileSync(summary, "utf8"), sha256Pattern);

    // No secret reaches the log. `::add-mask::` lines are commands the Actions runner consumes, never shows.
    const log = run.output.split("\n").filter((line) => !line.startsWith("::add-mask::")).join("\n");
    assert.match(run.output, /^::add-mask::/m, "the minted token is masked in GitHub Actions");
    for (const secret of [github.token, ...pypi.secrets()]) {
      const at = log.indexOf(secret);
      assert.equal(at, -1, `a token leaked into the output: …${log.slice(Math.max(0, at - 200), at)}<secret>`);
    }
  });

  test("next: a prerelease 1.2.0rc1 never moves latest", async () => {
    if (!needAll()) return;
    assert.ok(repo, "needs the main release above");
    const latestBefore = await registry!.digest("llenergymeasure/pytorch", "latest");
    git(repo.dir, ["checkout", "-q", "-b", "next"]);
    repo.commit("feat(sampling): adaptive sampling interval", exampleVersionFiles("1.2.0rc1"));
    const run = await runSemanticRelease(repo.dir, [], actionsEnv("next", summary));
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Published release 1\.2\.0-rc\.1 on next channel/);
    assert.ok(pypi.files().some((f) => f.version === "1.2.0rc1" && f.packagetype === "sdist"), "PyPI got 1.2.0rc1");
    const tags = await registry!.tags("llenergymeasure/pytorch");
    // A prerelease gets its own tags only: latestTags ({pep440}, latest) are for stable main releases.
    assert.ok(tags.includes("1.2.0rc1-cuda12") && !tags.includes("1.2.0rc1"), tags.join(","));
    assert.equal(await registry!.digest("llenergymeasure/pytorch", "latest"), latestBefore, "latest still names the stable image");
    const draft = github.releases().find((r) => r.tag_name === "v1.2.0-rc.1");
    assert.equal(draft?.draft, true);
    assert.equal(draft?.prerelease, true);
  });
});

describe("a mismatch publishes nothing", () => {
  test("EVERSIONMISMATCH: no tag, no upload, no draft, no image", async () => {
    if (!needAll()) return;
    const repo = exampleHistory("1.0.1", { releaserc: { ...releaseConfig(), images: { ...releaseConfig().images, repository: `${registry!.host}/mismatch` } } });
    repos.push(repo);
    const uploadsBefore = pypi.uploads().length;
    const releasesBefore = github.releases().length;
    const run = await runSemanticRelease(repo.dir, [], actionsEnv("main", join(repo.root, "summary.md")));
    assert.notEqual(run.code, 0);
    assert.match(run.output, /EVERSIONMISMATCH/);
    // no tag pushed
    expect(repo.remoteTags()).toEqual(["v1.0.0"]);
    assert.equal(pypi.uploads().length, uploadsBefore, "nothing uploaded");
    assert.equal(github.releases().length, releasesBefore, "no release created");
    // no image pushed
    expect(await registry!.tags("mismatch/pytorch")).toEqual([]);
    assert.ok(!existsSync(join(repo.dir, "dist")), "nothing built");
  });
});

describe("versionMode write", () => {
  test("prepare writes the release version into pyproject.toml, comments and layout kept, and builds that version", async () => {
    if (!needPythonTools()) return;
    const repo = exampleHistory("1.0.0", {
      releaserc: { pyproject: { versionMode: "write" }, pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl, publish: false } },
    });
    repos.push(repo);
    const before = repo.read("pyproject.toml");
    const uploadsBefore = pypi.uploads().length;
    // Its own GitHub: the shared stand-in already has a v1.1.0 draft, which keeps the first test's files.
    const ownGithub = await startGitHubServer();
    const run = await runSemanticRelease(repo.dir, [], actionsReleaseEnv(ownGithub, pypi, "main")).finally(() => ownGithub.close());
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Wrote version 1\.1\.0 into pyproject\.toml and uv\.lock \(was 1\.0\.0\)/);
    assert.equal(repo.read("pyproject.toml"), before.replace('version = "1.0.0"  # the single source of truth', 'version = "1.1.0"  # the single source of truth'), "only the version changed");
    assert.equal(repo.read("uv.lock"), exampleVersionFiles("1.1.0")["uv.lock"], "and uv.lock's record of the project");
    assert.ok(existsSync(join(repo.dir, "dist", "llenergymeasure_demo-1.1.0.tar.gz")), "the dists carry the written version");
    assert.equal(pypi.uploads().length, uploadsBefore, "publish: false uploads nothing");
  });
});
