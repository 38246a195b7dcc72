import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { releaseTitle } from "../../src/commands/bump.js";
import { parseSyncArgs } from "../../src/commands/changelog.js";
import { reportError, withoutCredentials, type CommandIO } from "../../src/commands/io.js";
import { planLines } from "../../src/commands/plan.js";
import { getError } from "../../src/errors.js";

function io(): CommandIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { cwd: "/", env: {}, stdout: (t) => out.push(t), stderr: (t) => err.push(t), out, err };
}

test("plan and bump run without any credential this package reads", () => {
  const env = { GITHUB_TOKEN: "t", GH_TOKEN: "t", PYPI_TOKEN: "t", PYPI_ID_TOKEN: "t", TESTPYPI_ID_TOKEN: "t", ACTIONS_ID_TOKEN_REQUEST_URL: "u", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t", DOCKERHUB_USERNAME: "u", DOCKERHUB_TOKEN: "t", SIGSTORE_ID_TOKEN: "t", PATH: "/bin", GITHUB_REF_NAME: "main", MY_GITHUB_TOKEN_NOTE: "kept" };
  expect(withoutCredentials(env)).toEqual({ PATH: "/bin", GITHUB_REF_NAME: "main", MY_GITHUB_TOKEN_NOTE: "kept" });
});

test("a user's mistake is its code, message and fix; anything else its stack; exit 1 either way", () => {
  const user = io();
  assert.equal(reportError(new AggregateError([getError("ENOGHTOKEN"), getError("ENODRAFTRELEASE", { tag: "v1.0.0" })]), user), 1);
  const said = user.err.join("");
  assert.match(said, /^✖ ENOGHTOKEN No GitHub token/m);
  assert.match(said, /^✖ ENODRAFTRELEASE No GitHub release was found for v1\.0\.0\./m);
  assert.match(said, /GITHUB_TOKEN: \$\{\{ secrets\.GITHUB_TOKEN \}\}/);
  const ours = io();
  assert.equal(reportError(new TypeError("boom"), ours), 1);
  assert.match(ours.err.join(""), /^✖ TypeError: boom\n {4}at /);
});

test("the release PR title", () => assert.equal(releaseTitle("2.1.0rc1"), "chore: release 2.1.0rc1"));

test("plan: what the preset's plugins say in one step, then every warning, each once", () => {
  const P = "[semantic-release] [semantic-release-config-pyproject";
  const log = [
    `[10:00:00 AM] [semantic-release] › ℹ  Start step "verifyConditions" of plugin "x"`,
    `[10:00:00 AM] ${P}/pypi] › ℹ  PyPI: python3 builds with build 1.6.1`,
    `[10:00:00 AM] ${P}/pypi] › ⚠  PyPI: authenticating with the API token`,
    `[10:00:01 AM] [semantic-release] › ℹ  Start step "analyzeCommits" of plugin "y"`,
    `[10:00:01 AM] ${P}/analyze] › ℹ  Analyzing commit: feat: x`,
    `[10:00:01 AM] ${P}/analyze] › ℹ  Release type: a minor release`,
    `[10:00:02 AM] [semantic-release] › ℹ  Start step "verifyRelease" of plugin "z"`,
    `[10:00:02 AM] ${P}/pyproject] › ℹ  Release plan: demo 2.1.0`,
    `[10:00:02 AM] ${P}/pypi] › ℹ  PyPI: will build demo-2.1.0.tar.gz`,
    `[10:00:02 AM] ${P}/pypi] › ⚠  PyPI: authenticating with the API token`,
    `[10:00:02 AM] [semantic-release] [@semantic-release/github] › ℹ  not ours`,
  ].join("\n");
  expect(planLines(log, "verifyRelease")).toEqual(["Release plan: demo 2.1.0", "PyPI: will build demo-2.1.0.tar.gz", "⚠ PyPI: authenticating with the API token"]);
  expect(planLines(log, "analyzeCommits")).toEqual(["Release type: a minor release", "⚠ PyPI: authenticating with the API token"]);
  expect(planLines("", "verifyRelease")).toEqual([]);
});

test("changelog sync's arguments", () => {
  const cases: [string[], object][] = [
    [["sync", "--tag", "v1.0.0"], { tag: "v1.0.0", file: undefined, repo: undefined }],
    [["--tag=v1.0.0", "--file", "docs/CHANGES.md", "--repo", "o/r"], { tag: "v1.0.0", file: "docs/CHANGES.md", repo: "o/r" }],
    [["sync", "--help"], { help: true }],
    [["sync"], { problem: "--tag is required." }],
    [["sync", "--tag"], { problem: "--tag needs a value." }],
    [["sync", "--tag", "v1", "--colour", "red"], { problem: 'Unknown argument "--colour".' }],
    [["publish"], { problem: 'Unknown changelog command "publish".' }],
    [[], { problem: "Missing the changelog command." }],
  ];
  for (const [argv, expected] of cases) expect(parseSyncArgs(argv)).toEqual(expected);
});
