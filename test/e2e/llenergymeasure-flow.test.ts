import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { envPrefix } from "../../src/images/credentials.js";
import { referrersTag } from "../../src/images/registry.js";
import { actionsReleaseEnv, podmanEnv, podmanFiles } from "../support/actions-env.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startProvenanceWorld, type ProvenanceWorld } from "../support/provenance.js";
import { CURRENT_PYTHON, CURRENT_UV } from "../support/python.js";
import { REGISTRY_BIN, startRegistry, type LocalRegistry } from "../support/registry.js";
import { createRepo, examplePyproject, exampleVersionFiles, git, PACKAGE_ROOT, runPyrelease, runSemanticRelease, type ReleaseRun, type TempRepo } from "../support/repo.js";
import { describeHits, scanForSecrets } from "../support/secrets.js";
import { startTokenServer, type TokenServer } from "../support/token-server.js";
import { needPythonTools, needTool } from "../support/tools.js";

/**
 * llenergymeasure's release flow end to end, as the team would run it with
 * `.releaserc.example.json`, through the real semantic-release CLI and `pyrelease`:
 * squash merges that wait for the release PR, `pyrelease bump` preparing that PR, the
 * milestone of the merged work, the gpu-ci gate on the merge commit, uv building the
 * dists, PyPI through trusted publishing (with attestations, against the loopback
 * Sigstore), three GHCR-style images on a base in a real token-auth registry, the draft,
 * and `pyrelease changelog sync` once a human publishes it. The configuration is used
 * verbatim; only endpoints are pointed at the stand-ins.
 */

const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, ".releaserc.example.json"), "utf8"));
const BACKENDS = ["pytorch", "vllm", "tensorrt"];
const M5 = "M5 — Zeus + vLLM";
/** What GitHub Actions calls the job's actor; with `packages: write`, GITHUB_TOKEN is its ghcr.io password. */
const ACTOR = "release-bot";

/** Their hand-kept changelog as it stands at v0.9.3 (their heading style, newest first). */
const CHANGELOG = `# Changelog

All notable changes to this project, newest first.

## [v0.9.3](https://github.com/o/r/releases/tag/v0.9.3) (2024-12-02)

### Fixed

- **Docker**: images no longer run as root.

## [v0.9.0](https://github.com/o/r/releases/tag/v0.9.0) (2024-11-15)

### Added

- **Backends**: TensorRT-LLM behind the \`tensorrt\` extra.
`;

let github: GitHubServer;
let world: ProvenanceWorld;
let tokens: TokenServer;
let registry: LocalRegistry;
let work: string;
const repos: TempRepo[] = [];

function needAll(): boolean {
  return (
    needPythonTools() &&
    needTool([CURRENT_UV, "--version"], "python3-venv (jest's global setup installs uv into the current toolchain)") &&
    needTool(["podman", "--version"], "podman") &&
    needTool([REGISTRY_BIN, "--version"], "docker-registry") &&
    needTool(["openssl", "version"], "openssl")
  );
}

beforeAll(async () => {
  needAll();
  work = mkdtempSync(join(tmpdir(), "pyrelease-llem-"));
  for (const [name, text] of Object.entries(podmanFiles(work))) writeFileSync(join(work, name), text);
  github = await startGitHubServer();
  world = await startProvenanceWorld();
  // ghcr.io's part: a registry that takes only tokens, granted to the job's actor for o/r/*.
  tokens = await startTokenServer({ users: { [ACTOR]: { password: github.token, grants: [{ repository: "o/*", actions: ["pull", "push"] }] } } });
  registry = await startRegistry({ auth: { token: tokens } });
});
afterAll(async () => {
  await github?.close();
  await world?.close();
  await registry?.stop();
  await tokens?.close();
  repos.forEach((repo) => repo.cleanup());
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `.releaserc.example.json` with only its endpoints swapped for the stand-ins, and the gate looking often. */
function releaserc(namespace: string): Record<string, unknown> {
  const { extends: _preset, ...options } = example;
  return {
    ...options,
    pypi: { ...options.pypi, python: CURRENT_PYTHON, buildArgs: ["--no-build-isolation"], repositoryUrl: world.pypi.uploadUrl, indexUrl: world.pypi.indexUrl },
    images: { ...options.images, repository: `${registry.host}/${namespace}`, builder: "podman", tlsVerify: false },
    gates: { ...options.gates, interval: "250ms" },
    provenance: { ...options.provenance, ...world.provenance() },
  };
}

/** A repository released as v0.9.3 with their CHANGELOG.md. */
function releasedRepo(namespace: string, files: Record<string, string> = {}): TempRepo {
  const repo = createRepo({ files: { ...exampleVersionFiles("0.9.3"), "CHANGELOG.md": CHANGELOG, ...files }, releaserc: releaserc(namespace) });
  repos.push(repo);
  repo.commit("chore: import llenergymeasure-demo");
  repo.tag("v0.9.3");
  return repo;
}

interface Run {
  run: Promise<ReleaseRun>;
  summary: () => string;
  output: () => string;
}

/** The release workflow's job: GitHub Actions on `main`, with the permissions the README lists. */
function releaseJob(repo: TempRepo, name: string, event = "push"): Run {
  const summary = join(repo.root, `${name}-summary.md`);
  const output = join(repo.root, `${name}-output.txt`);
  const prefix = envPrefix(registry.host);
  const env = actionsReleaseEnv(github, world.pypi, "main", {
    GITHUB_EVENT_NAME: event,
    GITHUB_WORKFLOW_REF: "o/r/.github/workflows/release.yml@refs/heads/main",
    GITHUB_ACTOR: ACTOR,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_OUTPUT: output,
    [`${prefix}_USERNAME`]: ACTOR,
    [`${prefix}_PASSWORD`]: github.token,
    ...podmanEnv(work),
  });
  const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : "");
  return { run: runSemanticRelease(repo.dir, [], env), summary: () => read(summary), output: () => read(output) };
}

function uvLockCheck(dir: string): { code: number; output: string } {
  const result = spawnSync(CURRENT_UV, ["lock", "--check", "--offline", "--python", CURRENT_PYTHON], { cwd: dir, encoding: "utf8", env: { ...process.env, UV_PYTHON_DOWNLOADS: "never", UV_NO_CONFIG: "1" } });
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

/** Tracked files changed in the working tree, and files git does not know (what a PR would carry). */
function changedFiles(repo: TempRepo): string[] {
  const changed = git(repo.dir, ["diff", "--name-only"]).split("\n");
  const untracked = git(repo.dir, ["ls-files", "--others", "--exclude-standard"]).split("\n");
  return [...changed, ...untracked].filter(Boolean).sort();
}

/** Every tag of an image repository apart from the referrers-schema index its provenance hangs on. */
async function versionTags(name: string): Promise<string[]> {
  return (await registry.tags(name)).filter((tag) => !/^sha256-[0-9a-f]{64}$/.test(tag));
}

describe("llenergymeasure's flow with .releaserc.example.json", () => {
  let repo: TempRepo;
  let prBody: string;
  let merge: string;

  test("ordinary squash merges exit 0 and wait for the release PR; a breaking change on 0.x stays 0.10.0", async () => {
    if (!needAll()) return;
    repo = releasedRepo("o/r");
    github.addMilestone({ title: M5, open_issues: 1, closed_issues: 2 });
    github.addWorkItem({ number: 101, title: "Zeus energy backend", milestone: M5, pull_request: true, state: "closed" });
    github.addWorkItem({ number: 102, title: "vLLM shm-size", milestone: M5, pull_request: true, state: "closed" });
    github.addWorkItem({ number: 103, title: "--backend option", milestone: M5, pull_request: true, state: "closed" });
    github.addWorkItem({ number: 104, title: "chore: release 0.10.0", pull_request: true, state: "closed" });

    repo.commit("feat(backends): Zeus energy backend (#101)", { "src/llenergymeasure_demo/zeus.py": "BACKEND = 'zeus'\n" });
    const first = releaseJob(repo, "merge-101");
    const waited = await first.run;
    assert.equal(waited.code, 0, waited.output);
    assert.match(waited.output, /1 commit waits for a release: bump pyproject\.toml to 0\.10\.0 \(a minor release; it still holds 0\.9\.3, the last release\)/);
    assert.match(waited.stdout, /^::notice title=Release 0\.10\.0 waits for a version bump::/m);
    assert.match(first.summary(), /## Release 0\.10\.0 waits for a version bump/);
    assert.equal(first.output(), "held=unbumped\n");

    repo.commit("fix(vllm): the shared-memory size reaches the container (#102)");
    repo.commit("feat(cli)!: `--backend` replaces the positional backend argument (#103)", { "src/llenergymeasure_demo/cli.py": repo.read("src/llenergymeasure_demo/cli.py").replace('prog="llem-demo")', 'prog="llem-demo")\n    parser.add_argument("--backend")') });
    const second = await releaseJob(repo, "merge-103").run;
    assert.equal(second.code, 0, second.output);
    assert.match(second.output, /breaking change on 0\.9\.3 with analyze\.majorOnZero false: a minor release, not 1\.0\.0/);
    assert.match(second.output, /3 commits wait for a release: bump pyproject\.toml to 0\.10\.0/);

    expect(repo.remoteTags()).toEqual(["v0.9.3"]);
    expect(github.releases()).toEqual([]);
    expect(world.pypi.uploads()).toEqual([]);
    expect(await registry.catalog()).toEqual([]);
    assert.equal(github.requests().filter((r) => r.route.includes("/commits/{ref}/")).length, 0, "a waiting run asks no gate");
  });

  test("pyrelease bump prepares the release PR: pyproject.toml and uv.lock at 0.10.0, nothing else; the title and the draft notes", async () => {
    if (!needAll()) return;
    assert.ok(repo, "needs the merges above");
    const outputs = join(repo.root, "bump-output.txt");
    const bump = await runPyrelease(repo.dir, ["bump"], { GITHUB_OUTPUT: outputs, GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url });
    assert.equal(bump.code, 0, bump.output);
    assert.match(bump.stdout, /^chore: release 0\.10\.0\n\n/);
    prBody = bump.stdout.slice("chore: release 0.10.0\n\n".length).trim();
    assert.match(prBody, /^## v0\.10\.0 — \d{4}-\d{2}-\d{2}$/m);
    assert.match(prBody, /### ⚠ Breaking changes[\s\S]*`--backend` replaces the positional backend argument/);
    assert.match(prBody, /### Added[\s\S]*Zeus energy backend/);
    assert.match(prBody, /### Fixed[\s\S]*the shared-memory size reaches the container/);
    assert.match(bump.stderr, /Wrote 0\.10\.0 into pyproject\.toml and uv\.lock \(was 0\.9\.3\)/);
    assert.match(bump.stderr, /regardless of gates\.checks \(gpu-ci\) and the milestone cadence: they hold the release once the PR is merged/);

    expect(changedFiles(repo)).toEqual(["pyproject.toml", "uv.lock"]);
    assert.equal(repo.read("pyproject.toml"), examplePyproject("0.10.0"));
    assert.equal(repo.read("uv.lock"), exampleVersionFiles("0.10.0")["uv.lock"]);
    const check = uvLockCheck(repo.dir);
    assert.equal(check.code, 0, `uv agrees with the bumped lock: ${check.output}`);
    const out = readFileSync(outputs, "utf8");
    assert.match(out, /^title=chore: release 0\.10\.0$/m);
    assert.match(out, /^files=pyproject\.toml uv\.lock$/m);
    assert.match(out, /^tag=v0\.10\.0$/m);
  });

  test("the release PR merges while the milestone is open: held, exit 0, and gpu-ci is not even asked", async () => {
    if (!needAll()) return;
    assert.ok(prBody, "needs the bump above");
    merge = repo.commit("chore: release 0.10.0 (#104)");
    const job = releaseJob(repo, "merge-104");
    const held = await job.run;
    assert.equal(held.code, 0, held.output);
    assert.match(held.output, /minor release 0\.10\.0 held: milestone "M5 — Zeus \+ vLLM" \(#103, #102, #101\) has 1 open issue/);
    assert.equal(job.output(), "held=milestone\n");
    expect(repo.remoteTags()).toEqual(["v0.9.3"]);
    assert.equal(github.requests().filter((r) => r.route.includes("/commits/{ref}/")).length, 0);
  });

  test("milestone closed: the release waits for gpu-ci on the merge commit, then builds, tags, signs and publishes everything once; GPU CI's own trigger then finds nothing to do", async () => {
    if (!needAll()) return;
    assert.ok(merge, "needs the merged release PR");
    github.closeMilestone(M5);
    const gpu = github.addCheckRun({ head_sha: merge, name: "gpu-ci", status: "in_progress" });
    const job = releaseJob(repo, "milestone-closed", "milestone");
    // GPU CI finishes only after the release has looked at it (and found it running) twice.
    const looks = () => github.requests().filter((r) => r.route.endsWith("/check-runs") && r.path.includes(merge)).length;
    let ended = false;
    void job.run.finally(() => (ended = true));
    for (let waited = 0; looks() < 2 && !ended && waited < 120_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(looks() >= 2, `the gate looked at gpu-ci while it ran:\n${ended ? (await job.run).output : "(still running)"}`);
    assert.deepEqual(repo.remoteTags(), ["v0.9.3"], "nothing tagged while gpu-ci runs");
    github.updateCheckRun(gpu.id, { status: "completed", conclusion: "success" });
    const released = await job.run;
    assert.equal(released.code, 0, released.output);

    assert.match(released.output, /minor release 0\.10\.0: milestone "M5 — Zeus \+ vLLM" \(#103, #102, #101\) closed, releasing/);
    assert.ok(released.output.includes(`Release 0.10.0 needs gpu-ci green on ${merge.slice(0, 7)}`), "the merge commit is the one checked");
    assert.match(released.output, /Waiting for gpu-ci \(in_progress, https:\/\/github\.com\/o\/r\/runs\/\d+\)/);
    assert.match(released.output, /Checks passed on \w{7}: gpu-ci \(success/);
    assert.match(released.output, /builds with uv 0\.13\.9/);
    assert.doesNotMatch(job.output(), /held=/);

    // git: the tag is on the merge of the release PR.
    expect(repo.remoteTags().sort()).toEqual(["v0.10.0", "v0.9.3"]);
    assert.equal(git(repo.dir, ["rev-list", "-n", "1", "v0.10.0"]), merge);

    // PyPI: the sdist and the wheel, each uploaded once, each with the attestation the index checked.
    const files = world.pypi.files();
    expect(files.map((f) => f.filename).sort()).toEqual(["llenergymeasure_demo-0.10.0-py3-none-any.whl", "llenergymeasure_demo-0.10.0.tar.gz"]);
    expect(world.pypi.uploads().map((u) => `${u.filename} ${u.outcome}`).sort()).toEqual(files.map((f) => `${f.filename} stored`).sort());
    for (const file of files) assert.equal(file.attestations?.length, 1, `${file.filename} carries its PEP 740 attestation`);

    // The registry: three images on one base, each tagged v0.10.0 and latest and nothing else.
    const draft = github.releases().find((r) => r.tag_name === "v0.10.0");
    assert.ok(draft, "a release for v0.10.0");
    assert.equal(draft.draft, true, "left as a draft for the curator");
    for (const backend of BACKENDS) {
      const name = `o/r/${backend}`;
      expect(await versionTags(name)).toEqual(["latest", "v0.10.0"]);
      const digest = await registry.digest(name, "v0.10.0");
      assert.ok(digest);
      assert.equal(await registry.digest(name, "latest"), digest);
      assert.ok(draft.body?.includes(`${registry.host}/${name}@${digest}`), `the draft pins ${name} by digest`);
      expect((await registry.tags(name)).filter((tag) => tag.startsWith("sha256-"))).toEqual([referrersTag(digest)]);
    }
    expect(await versionTags("o/r/base")).toEqual([]);
    assert.match(released.output, /base image \S+\/o\/r\/base@sha256:[0-9a-f]{64}/);

    // The draft: the notes the PR carried, and the dists kept as assets.
    for (const line of prBody.split("\n").filter((l) => l.startsWith("- "))) assert.ok(draft.body?.includes(line), `the draft keeps the PR's note: ${line}`);
    const assets = draft.assets.map((a) => a.name);
    for (const file of files) {
      assert.ok(assets.includes(file.filename), `${file.filename} kept on the draft`);
      assert.ok(assets.includes(`${file.filename}.publish.attestation`));
    }
    assert.ok(assets.includes("SHA256SUMS"));
    assert.ok(assets.includes("release-manifest.json"));

    // GPU CI's completion starts the workflow again (workflow_run): it finds nothing to release and changes nothing.
    const again = await releaseJob(repo, "gpu-ci-completed", "workflow_run").run;
    assert.equal(again.code, 0, again.output);
    assert.doesNotMatch(again.output, /Published release/);
    expect(world.pypi.uploads().length).toEqual(files.length);
    expect(repo.remoteTags().sort()).toEqual(["v0.10.0", "v0.9.3"]);
    expect(github.releases().filter((r) => r.tag_name === "v0.10.0").length).toEqual(1);
    for (const backend of BACKENDS) expect(await versionTags(`o/r/${backend}`)).toEqual(["latest", "v0.10.0"]);

    // No credential in any output or file the release wrote.
    const hits = scanForSecrets({
      secrets: { githubToken: github.token, ...Object.fromEntries(world.pypi.secrets().map((secret, i) => [`pypi-${i}`, secret])) },
      outputs: { release: released.output, again: again.output, summary: job.summary() },
      paths: [join(repo.dir, "dist")],
    });
    assert.equal(hits.length, 0, describeHits(hits));
  }, 600_000);

  test("published by a human: changelog sync puts the curated entry on top of CHANGELOG.md in their heading style, without the artifacts table", async () => {
    if (!needAll()) return;
    const draft = github.releases().find((r) => r.tag_name === "v0.10.0");
    assert.ok(draft, "needs the release above");
    // The curator drops the collapsed block and rewrites one note, then publishes.
    const curated = draft.body!.replace(/\n<!-- pyrelease:curator:start -->[\s\S]*?<!-- pyrelease:curator:end -->\n/, "\n").replace(/- \*\*backends:\*\* Zeus energy backend[^\n]*/, "- **Backends**: Zeus, an energy backend (`pip install llenergymeasure[zeus]`)");
    assert.notEqual(curated, draft.body, "the curator changed something");
    const published = github.editRelease(draft.id, { body: curated, draft: false });

    const sync = await runPyrelease(repo.dir, ["changelog", "sync", "--tag", "v0.10.0"], { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url });
    assert.equal(sync.code, 0, sync.output);
    const changelog = repo.read("CHANGELOG.md");
    const date = published.published_at!.slice(0, 10);
    const heading = `## [v0.10.0](https://github.com/o/r/releases/tag/v0.10.0) (${date})`;
    assert.ok(changelog.startsWith(`# Changelog\n\nAll notable changes to this project, newest first.\n\n${heading}\n\n`), changelog.slice(0, 400));
    const entry = changelog.slice(changelog.indexOf(heading), changelog.indexOf("## [v0.9.3]"));
    assert.match(entry, /- \*\*Backends\*\*: Zeus, an energy backend/);
    assert.match(entry, /### Fixed/);
    assert.doesNotMatch(entry, /Artifacts|sha256|pyrelease:artifacts|## v0\.10\.0 —/);
    assert.ok(changelog.endsWith(CHANGELOG.slice(CHANGELOG.indexOf("## [v0.9.3]"))), "every older entry kept, byte for byte");
    expect(changedFiles(repo)).toEqual(["CHANGELOG.md"]);
  });
});

describe("stray versions stop the release before anything is built, tagged or uploaded", () => {
  test("a leftover VERSION file and a uv.lock the hand-made bump forgot: ESTRAYVERSION and ESTALELOCK together", async () => {
    if (!needAll()) return;
    const repo = releasedRepo("o/stale", { VERSION: "2.0.0\n" });
    github.addWorkItem({ number: 201, title: "vLLM shm-size", pull_request: true, state: "closed" });
    repo.commit("fix(vllm): the shared-memory size reaches the container (#201)");
    // Bumped by hand, as today: pyproject.toml only.
    const bump = repo.commit("chore: release 0.9.4 (#202)", { "pyproject.toml": examplePyproject("0.9.4") });
    github.addCheckRun({ head_sha: bump, name: "gpu-ci", status: "completed", conclusion: "success" });
    const uploadsBefore = world.pypi.uploads().length;
    const releasesBefore = github.releases().length;

    const job = releaseJob(repo, "stale");
    const refused = await job.run;
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /ESTRAYVERSION .*disagree with 0\.9\.4: VERSION/);
    assert.match(refused.output, /ESTALELOCK uv\.lock records llenergymeasure-demo 0\.9\.3, but pyproject\.toml holds 0\.9\.4/);
    assert.match(refused.output, /uv lock\n/, "the command that fixes the lock");
    assert.match(job.summary(), /ESTRAYVERSION/);
    assert.match(job.summary(), /ESTALELOCK/);

    expect(repo.remoteTags()).toEqual(["v0.9.3"]);
    assert.equal(world.pypi.uploads().length, uploadsBefore, "nothing uploaded");
    assert.equal(github.releases().length, releasesBefore, "no draft");
    const dist = join(repo.dir, "dist");
    expect(existsSync(dist) ? readdirSync(dist).filter((name) => !name.startsWith(".")) : []).toEqual([]);
    for (const name of ["o/stale/base", ...BACKENDS.map((backend) => `o/stale/${backend}`)]) expect(await registry.tags(name)).toEqual([]);
  }, 300_000);
});
