import { afterAll, beforeAll, expect, test } from "@jest/globals";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CURRENT_PYTHON } from "../support/python.js";
import { createRepo, exampleVersionFiles, git, PACKAGE_ROOT, runSemanticRelease, type TempRepo } from "../support/repo.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";

/**
 * `.releaserc.example.json` is the configuration llenergymeasure adopts (release PRs, the
 * gpu-ci gate, milestones by the work merged, GHCR images on a base, majorOnZero off). It
 * must stay a working configuration: dry runs of the real CLI with it verbatim, only the
 * interpreter pointed at the test toolchain (uv from its venv, no build isolation).
 * test/e2e/llenergymeasure-flow.test.ts plays the whole flow with it for real.
 */
const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, ".releaserc.example.json"), "utf8"));
let github: GitHubServer;
let repo: TempRepo;
const M5 = "M5 — Zeus + vLLM";

beforeAll(async () => {
  github = await startGitHubServer();
  const { extends: preset, ...options } = example;
  assert.equal(preset, "semantic-release-config-pyproject");
  repo = createRepo({ files: exampleVersionFiles("0.9.3"), releaserc: { ...options, pypi: { ...options.pypi, python: CURRENT_PYTHON, buildArgs: ["--no-build-isolation"] } } });
  repo.commit("chore: import the project");
  repo.tag("v0.9.3");
  github.addMilestone({ title: M5, open_issues: 1, closed_issues: 2 });
  github.addWorkItem({ number: 101, title: "Zeus energy backend", milestone: M5, pull_request: true, state: "closed" });
  github.addWorkItem({ number: 102, title: "--backend option", milestone: M5, pull_request: true, state: "closed" });
  github.addWorkItem({ number: 103, title: "chore: release 0.10.0", pull_request: true, state: "closed" });
  repo.commit("feat(backends): Zeus energy backend (#101)");
  repo.commit("feat(cli)!: `--backend` replaces the positional backend argument (#102)");
});
afterAll(async () => {
  await github?.close();
  repo?.cleanup();
});

const dryRun = () => runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"], { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url });

test("ordinary merges wait for the release PR; a breaking change on 0.x calls for 0.10.0, not 1.0.0", async () => {
  const run = await dryRun();
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /2 commits wait for a release: bump pyproject\.toml to 0\.10\.0 \(a minor release; it still holds 0\.9\.3, the last release\)/);
  assert.match(run.output, /majorOnZero/, "the log says why the breaking change is a minor release");
  assert.doesNotMatch(run.output, /EINVALIDCONFIG|bump pyproject\.toml to 1\.0\.0/);
});

test("the merged release PR waits for its milestone, found through the (#N) of the merged work", async () => {
  repo.commit("chore: release 0.10.0 (#103)", exampleVersionFiles("0.10.0"));
  const run = await dryRun();
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /minor release 0\.10\.0 held: milestone "M5 — Zeus \+ vLLM" \(#102, #101\) has 1 open issue/);
});

test("milestone closed: the gpu-ci gate is looked at once; once it is green the plan releases 0.10.0 to GHCR, v0.10.0 and latest on every image", async () => {
  github.closeMilestone(M5);
  const pending = await dryRun();
  assert.equal(pending.code, 0, pending.output);
  assert.match(pending.output, /minor release 0\.10\.0: milestone "M5 — Zeus \+ vLLM" \(#102, #101\) closed, releasing/);
  assert.match(pending.output, /held: gpu-ci \(not reported yet\) not finished on \w{7} \(a real run waits up to 20m\)/);

  github.addCheckRun({ head_sha: git(repo.dir, ["rev-parse", "HEAD"]), name: "gpu-ci", status: "completed", conclusion: "success" });
  const green = await dryRun();
  assert.equal(green.code, 0, green.output);
  assert.match(green.output, /Checks passed on \w{7}: gpu-ci \(success/);
  assert.match(green.output, /The next release version is 0\.10\.0/);
  assert.match(green.output, /pyproject\.toml already holds it/);
  for (const backend of ["pytorch", "vllm", "tensorrt"]) {
    assert.match(green.output, new RegExp(`ghcr\\.io/henrycgbaker/llenergymeasure/${backend}:v0\\.10\\.0`), `${backend} gets v0.10.0`);
    assert.match(green.output, new RegExp(`ghcr\\.io/henrycgbaker/llenergymeasure/${backend}:latest`), `${backend} gets latest`);
  }
  assert.match(green.output, /ghcr\.io\/henrycgbaker\/llenergymeasure\/base/, "the base image is built first");
  assert.doesNotMatch(green.output, /:0\.10\.0\b/, "no unprefixed version tag");
}, 120_000);

test("the README's adoption section shows this very configuration", () => {
  const readme = readFileSync(join(PACKAGE_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Adopting it: the llenergymeasure flow"));
  const block = /```json\n([\s\S]*?)\n```/.exec(section);
  assert.ok(block, "a JSON block in the section");
  expect(JSON.parse(block[1])).toEqual(example);
});
