import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { planLines } from "../../src/commands/plan.js";
import { onCleanup } from "../support/cleanup.js";
import { examplePyproject, exampleHistory, runPyrelease } from "../support/repo.js";
import { STACK_FRAME } from "../support/plugin-context.js";

/** `pyrelease plan`: a short plan by default, semantic-release's log behind --verbose, and a refusal as codes, never a stack trace. */

test("a concise plan: the version, what each plugin would do, the warnings; the whole log with --verbose", async () => {
  const repo = exampleHistory("1.1.0");
  onCleanup(() => repo.cleanup());
  const plan = await runPyrelease(repo.dir, ["plan"]);
  assert.equal(plan.code, 0, plan.output);
  const lines = plan.stdout.trim().split("\n");
  assert.ok(lines.length <= 10, `${lines.length} lines:\n${plan.stdout}`);
  assert.match(lines[0], /^Plan: 1\.0\.0 → 1\.1\.0 \(PEP 440 1\.1\.0\), minor release, tag v1\.1\.0, channel default\.$/);
  assert.match(plan.stdout, /^ {2}PyPI: will build llenergymeasure_demo-1\.1\.0\.tar\.gz and llenergymeasure_demo-1\.1\.0-\*\.whl into dist/m);
  assert.match(plan.stdout, /^ {2}GitHub release v1\.1\.0 will be created as a DRAFT/m);
  assert.match(plan.stdout, /^ {2}⚠ No GitHub token/m);
  assert.doesNotMatch(plan.output, /\[semantic-release\]|Analyzing commit/);
  assert.match(lines.at(-1)!, /Nothing was built, pushed or uploaded\. `pyrelease plan --verbose` shows semantic-release's whole log\./);

  const verbose = await runPyrelease(repo.dir, ["plan", "--verbose"]);
  assert.equal(verbose.code, 0, verbose.output);
  assert.match(verbose.stdout, /\[semantic-release\] › ℹ {2}Start step "verifyRelease"/);
  assert.match(verbose.stdout, /Plan: 1\.0\.0 → 1\.1\.0/);
  assert.equal((await runPyrelease(repo.dir, ["plan", "--bogus"])).code, 2);
});

test("gates and a milestone cadence that a plan cannot check (it holds no token) are named, and the plan goes on", async () => {
  const repo = exampleHistory("1.1.0", { releaserc: { gates: { checks: ["gpu-ci"] }, cadence: { minor: "milestone" } } });
  onCleanup(() => repo.cleanup());
  const plan = await runPyrelease(repo.dir, ["plan"]);
  assert.equal(plan.code, 0, plan.output);
  assert.match(plan.stdout, /^Plan: 1\.0\.0 → 1\.1\.0 \(PEP 440 1\.1\.0\), minor release, tag v1\.1\.0/);
  assert.match(plan.stdout, /⚠ minor release 1\.1\.0: without a GitHub token \(GITHUB_TOKEN or GH_TOKEN\) the milestone v1\.1\.0 cannot be checked; this dry run goes on as if it were closed/);
  assert.match(plan.stdout, /⚠ minor release 1\.1\.0: without a GitHub token \(GITHUB_TOKEN or GH_TOKEN\) the checks gpu-ci cannot be read; this dry run goes on as if they were green/);
  assert.match(plan.stdout, /^ {2}PyPI: will build llenergymeasure_demo-1\.1\.0\.tar\.gz/m);
});

test("a refusal is its codes, messages and fixes: no AggregateError, no stack trace", async () => {
  const repo = exampleHistory("1.1.0", { files: { "src/llenergymeasure_demo/_version.py": '__version__ = "1.0.0"\n' } });
  onCleanup(() => repo.cleanup());
  repo.commit("fix: drop a typo", { "pyproject.toml": examplePyproject("1.1.0").replace('version = "1.1.0"', 'version = "1.1.0-rc.1"') });
  const plan = await runPyrelease(repo.dir, ["plan"]);
  assert.equal(plan.code, 1, plan.output);
  assert.match(plan.stderr, /✖ E[A-Z0-9]+ /);
  assert.match(plan.stderr, /EHARDCODEDVERSION/);
  assert.doesNotMatch(plan.output, /AggregateError/);
  assert.doesNotMatch(plan.output, STACK_FRAME);
  assert.match(plan.stderr, /Nothing was built, pushed or uploaded/);
});

test("planLines: the step's lines and every warning of the preset's plugins, each once", () => {
  const log = [
    '[1:00:00 AM] [semantic-release] › ℹ  Start step "verifyConditions" of plugin "semantic-release-config-pyproject/pypi"',
    "[1:00:00 AM] [semantic-release] [semantic-release-config-pyproject/pypi] › ℹ  PyPI: python3 runs build 1.6.1 and twine 7.0.0",
    "[1:00:00 AM] [semantic-release] [semantic-release-config-pyproject/pypi] › ⚠  No way to authenticate to PyPI was found.",
    '[1:00:00 AM] [semantic-release] › ℹ  Start step "analyzeCommits" of plugin "semantic-release-config-pyproject/analyze"',
    "[1:00:00 AM] [semantic-release] [semantic-release-config-pyproject/analyze] › ℹ  Analyzing commit: feat: x",
    "[1:00:00 AM] [semantic-release] [semantic-release-config-pyproject/analyze] › ℹ  minor release 2.1.0 held: milestone v2.1.0 has 2 open issues",
    '[1:00:00 AM] [semantic-release] › ℹ  Start step "verifyRelease" of plugin "semantic-release-config-pyproject/pypi"',
    "[1:00:00 AM] [semantic-release] [semantic-release-config-pyproject/pypi] › ℹ  PyPI: will build x into dist",
    "[1:00:00 AM] [semantic-release] [@semantic-release/github] › ℹ  someone else's plugin",
    "[1:00:00 AM] [semantic-release] [semantic-release-config-pyproject/pypi] › ⚠  No way to authenticate to PyPI was found.",
    "    a continuation line",
  ].join("\n");
  expect(planLines(log, "verifyRelease")).toEqual(["PyPI: will build x into dist", "⚠ No way to authenticate to PyPI was found."]);
  expect(planLines(log, "analyzeCommits")).toEqual(["minor release 2.1.0 held: milestone v2.1.0 has 2 open issues", "⚠ No way to authenticate to PyPI was found."]);
});
