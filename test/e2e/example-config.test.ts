import { afterAll, beforeAll, test } from "@jest/globals";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exampleHistory, PACKAGE_ROOT, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";

/**
 * `.releaserc.example.json` is llenergymeasure's setup (milestone cadence, images from
 * 2.0.0). It must stay a working configuration: a dry run with it, on the real CLI.
 */
const example = JSON.parse(readFileSync(join(PACKAGE_ROOT, ".releaserc.example.json"), "utf8"));
let github: GitHubServer;
const repos: TempRepo[] = [];
beforeAll(async () => (github = await startGitHubServer()));
afterAll(async () => {
  await github.close();
  repos.forEach((repo) => repo.cleanup());
});

function exampleRepo(): TempRepo {
  const { extends: _preset, ...options } = example;
  const repo = exampleHistory("1.1.0", { releaserc: { ...options, pypi: { ...options.pypi, ...TEST_PYPI_OPTIONS } } });
  repos.push(repo);
  return repo;
}

const env = () => ({ GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url });

test("an open milestone holds the minor release", async () => {
  github.addMilestone({ title: "v1.1.0", open_issues: 2 });
  const run = await runSemanticRelease(exampleRepo().dir, ["--dry-run", "--no-ci"], env());
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /minor release 1\.1\.0 held: milestone v1\.1\.0 has 2 open issues/);
  assert.doesNotMatch(run.output, /The next release version is/);
});

test("once the milestone is closed the plan goes through; images wait for 2.0.0 (since)", async () => {
  github.closeMilestone("v1.1.0");
  const run = await runSemanticRelease(exampleRepo().dir, ["--dry-run", "--no-ci"], env());
  assert.equal(run.code, 0, run.output);
  assert.match(run.output, /The next release version is 1\.1\.0/);
  assert.match(run.output, /Images: .*2\.0\.0/, "the since rule is explained");
  assert.doesNotMatch(run.output, /would push/);
});
