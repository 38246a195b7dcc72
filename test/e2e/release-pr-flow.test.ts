import { afterAll, beforeAll, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, exampleVersionFiles, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { needPythonTools } from "../support/tools.js";
import { actionsReleaseEnv } from "../support/actions-env.js";

/**
 * llenergymeasure's flow on a `push: main` workflow with the real semantic-release CLI:
 * ordinary merges wait (exit 0) until a release PR bumps pyproject.toml, and the bump
 * releases only once the `gpu-ci` check is green on the merge commit.
 */
let github: GitHubServer;
let pypi: PypiServer;
let repo: TempRepo;

beforeAll(async () => {
  github = await startGitHubServer();
  pypi = await startPypiServer();
});
afterAll(async () => {
  await github?.close();
  await pypi?.close();
  repo?.cleanup();
});

const releaserc = (extra: Record<string, unknown> = {}) => ({
  pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl },
  gates: { checks: ["gpu-ci"], timeout: "90s", interval: "250ms" },
  ...extra,
});

function release(name: string) {
  const files = { summary: join(repo.root, `${name}-summary.md`), output: join(repo.root, `${name}-output.txt`) };
  const env = actionsReleaseEnv(github, pypi, "main", { GITHUB_STEP_SUMMARY: files.summary, GITHUB_OUTPUT: files.output });
  return { files, run: runSemanticRelease(repo.dir, [], env) };
}
const read = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

test("ordinary merges wait with exit 0; the release PR's merge releases once gpu-ci is green", async () => {
  if (!needPythonTools()) return;
  repo = createRepo({ files: exampleVersionFiles("1.0.0"), releaserc: releaserc() });
  repo.commit("feat: first release");
  repo.tag("v1.0.0");

  repo.commit("fix(vllm): shm-size reaches the container (#42)");
  const first = release("first");
  const waited = await first.run;
  assert.equal(waited.code, 0, waited.output);
  assert.match(waited.output, /1 commit waits for a release: bump pyproject\.toml to 1\.0\.1 \(a patch release; it still holds 1\.0\.0, the last release\)/);
  assert.match(waited.stdout, /^::notice title=Release 1\.0\.1 waits for a version bump::1 commit waits for a release: bump pyproject\.toml to 1\.0\.1/m);
  assert.match(read(first.files.summary), /^## Release 1\.0\.1 waits for a version bump\n\n1 commit waits/);
  assert.equal(read(first.files.output), "held=unbumped\n");
  assert.doesNotMatch(waited.output, /EVERSIONMISMATCH/);
  assert.equal(github.requests().filter((r) => r.route.includes("/commits/{ref}/")).length, 0, "an unbumped run asks no gate");
  // The pre-tag probes run only for a release: a waiting merge mints no PyPI token and writes nothing on GitHub.
  expect(pypi.requests().map((r) => r.step)).toEqual([]);
  assert.equal(github.requests().filter((r) => r.method !== "GET").length, 0, "no release-notes preview, no write");

  repo.commit("fix(cli): --version names the backend (#43)");
  const second = await release("second").run;
  assert.equal(second.code, 0, second.output);
  assert.match(second.output, /2 commits wait for a release: bump pyproject\.toml to 1\.0\.1/);
  expect(repo.remoteTags()).toEqual(["v1.0.0"]);
  assert.equal(github.releases().length, 0);
  assert.equal(pypi.uploads().length, 0);

  // The release PR (what `pyrelease bump` prepares) is merged; GPU CI starts on the merge commit.
  const merge = repo.commit("chore: release 1.0.1 (#44)", exampleVersionFiles("1.0.1"));
  const gpu = github.addCheckRun({ head_sha: merge, name: "gpu-ci", status: "in_progress" });
  const third = release("third");
  // GPU CI finishes only once the release has looked at it (and found it running) twice.
  const looks = () => github.requests().filter((r) => r.route.endsWith("/check-runs") && r.path.includes(merge)).length;
  for (let waited = 0; looks() < 2 && waited < 120_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  github.updateCheckRun(gpu.id, { status: "completed", conclusion: "success" });
  const released = await third.run;
  assert.equal(released.code, 0, released.output);
  assert.match(released.output, /Waiting for gpu-ci \(in_progress, https:\/\/github\.com\/o\/r\/runs\/\d+\) on \w{7}: looking every 250ms/);
  assert.ok(released.output.includes(`Release 1.0.1 needs gpu-ci green on ${merge.slice(0, 7)}`), "the merge commit is the one checked");
  assert.match(released.output, /Checks passed on \w{7}: gpu-ci \(success/);
  assert.match(released.output, /Published release 1\.0\.1/);
  expect(repo.remoteTags().sort()).toEqual(["v1.0.0", "v1.0.1"]);
  assert.ok(pypi.files().some((f) => f.version === "1.0.1"), "PyPI got 1.0.1");
  const draft = github.releases().find((r) => r.tag_name === "v1.0.1");
  assert.equal(draft?.draft, true);
  assert.match(draft?.body ?? "", /shm-size reaches the container/);
  assert.doesNotMatch(read(third.files.output), /held=/);
}, 300_000);

test("a version that is neither the last nor the next is still EVERSIONMISMATCH; onUnbumped fail keeps the old behaviour", async () => {
  if (!needPythonTools()) return;
  assert.ok(repo, "needs the release above");
  const stray = repo.commit("fix: sampler drift", exampleVersionFiles("1.0.5"));
  github.addCheckRun({ head_sha: stray, name: "gpu-ci", status: "completed", conclusion: "success" });
  const mismatch = await release("mismatch").run;
  assert.notEqual(mismatch.code, 0);
  assert.match(mismatch.output, /EVERSIONMISMATCH The commits call for patch release 1\.0\.2 \(semver 1\.0\.2\), but pyproject\.toml says 1\.0\.5/);

  const strict = repo.commit("fix: sampler drift, again", {
    ...exampleVersionFiles("1.0.1"),
    ".releaserc.json": JSON.stringify({ extends: "semantic-release-config-pyproject", ...releaserc({ pyproject: { onUnbumped: "fail" } }) }),
  });
  github.addCheckRun({ head_sha: strict, name: "gpu-ci", status: "completed", conclusion: "success" });
  const failed = await release("strict").run;
  assert.notEqual(failed.code, 0);
  assert.match(failed.output, /EVERSIONMISMATCH The commits call for patch release 1\.0\.2 \(semver 1\.0\.2\), but pyproject\.toml says 1\.0\.1/);
  expect(repo.remoteTags().sort()).toEqual(["v1.0.0", "v1.0.1"]);
}, 300_000);
