import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, test, expect } from "@jest/globals";
import { fail } from "../../src/resume/fail.js";
import { startGitHubServer } from "../support/github-server.js";
import { makeProject, pluginContext } from "../support/plugin-context.js";
import { startPypiServer } from "../support/pypi-server.js";
import { exampleHistory, git, runPyrelease, runSemanticRelease, TEST_PYPI_OPTIONS } from "../support/repo.js";
import { describeHits, scanForSecrets } from "../support/secrets.js";
import { needPythonTools } from "../support/tools.js";

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const ARTIFACTS_START = "<!-- pyrelease:artifacts:start -->";

describe("pyrelease resume", () => {
  test("a tag pushed by hand: check-version, then resume publishes it and creates the draft with notes", async () => {
    if (!needPythonTools()) return;
    const pypi = await startPypiServer();
    const github = await startGitHubServer();
    cleanups.push(() => pypi.close(), () => github.close());
    const repo = exampleHistory("1.1.0", { releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl } } });
    cleanups.push(() => repo.cleanup());
    repo.tag("v1.1.0");
    const env = {
      GITHUB_REF_TYPE: "tag",
      GITHUB_REF_NAME: "v1.1.0",
      GITHUB_TOKEN: github.token,
      GITHUB_API_URL: github.url,
      ACTIONS_ID_TOKEN_REQUEST_URL: pypi.idTokenRequestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: pypi.requestToken,
    };
    const checked = await runPyrelease(repo.dir, ["check-version", "--tag", "v1.1.0"], env);
    assert.equal(checked.code, 0, checked.output);
    const resumed = await runPyrelease(repo.dir, ["resume"], env);
    assert.equal(resumed.code, 0, resumed.output);
    expect(pypi.files().map((f) => f.filename).sort()).toEqual(["llenergymeasure_demo-1.1.0-py3-none-any.whl", "llenergymeasure_demo-1.1.0.tar.gz"]);
    const [draft] = github.releases();
    assert.equal(draft.tag_name, "v1.1.0");
    assert.equal(draft.draft, true);
    assert.match(draft.body ?? "", /### Added[\s\S]*zeus energy backend/, "notes written from the commits since v1.0.0");
    assert.ok(draft.body?.includes(ARTIFACTS_START), "and the artifacts section");
  });

  test("a release whose PyPI upload failed halfway is finished without duplicates; a second resume is a no-op", async () => {
    if (!needPythonTools()) return;
    const pypi = await startPypiServer();
    const github = await startGitHubServer();
    cleanups.push(() => pypi.close(), () => github.close());
    const repo = exampleHistory("1.1.0", {
      releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl, retry: { attempts: 2, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 } } },
    });
    cleanups.push(() => repo.cleanup());
    const summary = join(repo.root, "summary.md");
    writeFileSync(summary, "");
    const env = {
      GITHUB_TOKEN: github.token,
      GITHUB_API_URL: github.url,
      ACTIONS_ID_TOKEN_REQUEST_URL: pypi.idTokenRequestUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: pypi.requestToken,
      GITHUB_STEP_SUMMARY: summary,
    };
    // The first file lands; the second is refused (429 is not retried by twine): the release stops halfway.
    pypi.injectFault("upload", { status: 429, reason: "Too Many Requests" }, 1, 1);
    const first = await runSemanticRelease(repo.dir, ["--no-ci"], env);
    assert.notEqual(first.code, 0, first.output);
    assert.match(first.output, /EUPLOAD/);
    // semantic-release pushed the tag before publishing
    expect(repo.remoteTags().sort()).toEqual(["v1.0.0", "v1.1.0"]);
    assert.equal(pypi.files().length, 1, "half the release is on the index");
    assert.equal(github.releases().length, 1);
    assert.ok(!github.releases()[0].body?.includes(ARTIFACTS_START), "no artifacts section yet");
    // The job summary of the failed run says what failed and the command that finishes it.
    const failed = readFileSync(summary, "utf8");
    assert.match(failed, /## Release v1\.1\.0 stopped halfway/);
    assert.match(failed, /- `EUPLOAD` Uploading /);
    assert.match(failed, /```sh\nnpx pyrelease resume --tag v1\.1\.0\n```/);

    // Someone moves main on meanwhile: resume must publish the tagged commit, not HEAD.
    repo.commit("feat: after the release", { "pyproject.toml": readFileSync(join(repo.dir, "pyproject.toml"), "utf8").replace('version = "1.1.0"', 'version = "1.2.0"') });

    const resumed = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env);
    assert.equal(resumed.code, 0, resumed.output);
    const stored = pypi.uploads().filter((u) => u.outcome === "stored").map((u) => u.filename).sort();
    // each file stored exactly once
    expect(stored).toEqual(["llenergymeasure_demo-1.1.0-py3-none-any.whl", "llenergymeasure_demo-1.1.0.tar.gz"]);
    assert.equal(pypi.uploads().filter((u) => u.outcome === "identical").length, 0, "the file already there was not sent again");
    const releases = github.releases();
    assert.equal(releases.length, 1, "the draft was reused");
    assert.ok(releases[0].draft, "still a draft for the curator");
    assert.ok(releases[0].body?.includes(ARTIFACTS_START), "artifacts section written");
    for (const file of pypi.files()) assert.ok(releases[0].body!.includes(file.sha256), `${file.filename}'s sha256 is in the release`);
    const manifest = JSON.parse(readFileSync(join(repo.dir, "dist", "release-manifest.json"), "utf8"));
    assert.match(JSON.stringify(manifest), /1\.1\.0/);
    assert.equal(git(repo.dir, ["worktree", "list"]).split("\n").length, 1, "the temporary worktree is gone");

    const uploadsBefore = pypi.uploads().length;
    const bodyBefore = releases[0].body;
    const again = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env);
    assert.equal(again.code, 0, again.output);
    assert.equal(pypi.uploads().length, uploadsBefore, "nothing uploaded by a second resume");
    assert.equal(github.releases().length, 1);
    assert.equal(github.releases()[0].body, bodyBefore, "the release is unchanged");
    assert.match(again.output, /already published|already up to date/);

    const hits = scanForSecrets({ secrets: Object.fromEntries([...pypi.secrets(), github.token].map((s, i) => [`secret #${i}`, s])), outputs: { first: first.output, resumed: resumed.output, again: again.output }, paths: [repo.dir, summary] });
    expect(hits).toEqual([]);
  });

  test("an unknown tag is ENORELEASETAG with exit 1; a missing --tag is a usage error", async () => {
    const repo = exampleHistory("1.1.0");
    cleanups.push(() => repo.cleanup());
    const missing = await runPyrelease(repo.dir, ["resume", "--tag", "v9.9.9"]);
    assert.equal(missing.code, 1, missing.output);
    assert.match(missing.stderr, /ENORELEASETAG There is no release tag v9\.9\.9/);
    assert.doesNotMatch(missing.output, /\n\s+at .+:\d+:\d+/);
    const usage = await runPyrelease(repo.dir, ["resume"]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: pyrelease resume --tag/);
  });
});

describe("the fail step", () => {
  test("the real CLI, failing before the tag: the job summary lists the codes and says to run it again", async () => {
    if (!needPythonTools()) return;
    const repo = exampleHistory("1.0.5");
    cleanups.push(() => repo.cleanup());
    const summary = join(repo.root, "summary.md");
    writeFileSync(summary, "");
    const github = await startGitHubServer();
    cleanups.push(() => github.close());
    const run = await runSemanticRelease(repo.dir, ["--no-ci"], { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url, PYPI_TOKEN: "pypi-unused-0123456789", GITHUB_STEP_SUMMARY: summary });
    assert.notEqual(run.code, 0, run.output);
    expect(repo.remoteTags()).toEqual(["v1.0.0"]);
    const text = readFileSync(summary, "utf8");
    assert.match(text, /^## Release v1\.1\.0 failed before anything was tagged\n/);
    assert.match(text, /- `EVERSIONMISMATCH` The commits call for/);
    assert.doesNotMatch(text, /pyrelease resume/);
  });

  test("after the tag exists: logs the exact resume command and appends it to the job summary", async () => {
    const project = makeProject();
    cleanups.push(() => project.cleanup());
    git(project.dir, ["tag", "v2.0.0"]);
    const summary = join(project.dir, "..", "summary.md");
    writeFileSync(summary, "# earlier step\n");
    const { context, output } = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: { GITHUB_STEP_SUMMARY: summary } });
    context.errors = [Object.assign(new Error("upload failed"), { code: "EUPLOAD" })];
    await fail({}, context);
    assert.match(output(), /npx pyrelease resume --tag v2\.0\.0/);
    const text = readFileSync(summary, "utf8");
    assert.match(text, /^# earlier step\n/, "appended, not overwritten");
    assert.match(text, /```sh\nnpx pyrelease resume --tag v2\.0\.0\n```/);
    assert.match(text, /`EUPLOAD`/);
  });

  test("before the tag: no resume command, but the codes and 'run it again' in the log and the job summary", async () => {
    const project = makeProject();
    cleanups.push(() => project.cleanup());
    const summary = join(project.dir, "..", "summary.md");
    writeFileSync(summary, "");
    const { context, output } = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: { GITHUB_STEP_SUMMARY: summary } });
    context.errors = [Object.assign(new Error("The commits call for minor release 2.0.0, but pyproject.toml says 1.9.0."), { code: "EVERSIONMISMATCH" })];
    await fail({}, context);
    assert.doesNotMatch(output(), /pyrelease resume/);
    assert.match(output(), /Nothing was tagged/);
    const text = readFileSync(summary, "utf8");
    assert.match(text, /^## Release v2\.0\.0 failed before anything was tagged\n/);
    assert.match(text, /- `EVERSIONMISMATCH` The commits call for minor release 2\.0\.0/);
    assert.doesNotMatch(text, /pyrelease resume/);

    // A failure in verifyConditions comes before semantic-release knows the version.
    writeFileSync(summary, "");
    delete context.nextRelease;
    context.errors = [Object.assign(new Error("No GitHub token was found in GITHUB_TOKEN or GH_TOKEN."), { code: "ENOGHTOKEN" })];
    await fail({}, context);
    assert.match(readFileSync(summary, "utf8"), /^## Release failed before anything was tagged\n[\s\S]*`ENOGHTOKEN`/);
  });
});
