import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { onCleanup } from "../support/cleanup.js";
import { analyzeCommits } from "../../src/plugins/analyze.js";
import { GitHubClient } from "../../src/github/client.js";
import type { Context } from "../../src/context.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { createRepo, git, GITHUB_REPO_URL } from "../support/repo.js";

const { getCommits } = (await import("semantic-release/lib/git.js" as string)) as {
  getCommits(from: string | undefined, to: string, options: { cwd: string; env: Record<string, string> }): Promise<Context["commits"]>;
};

/** A repository released as v2.0.0 plus one fix, the stand-in, and the context semantic-release hands analyzeCommits. */
async function setup(options: { readChecks?: boolean; env?: (server: GitHubServer) => Record<string, string | undefined> } = {}) {
  const server = await startGitHubServer({ readChecks: options.readChecks });
  const repo = createRepo({ template: null });
  onCleanup(() => (repo.cleanup(), server.close()));
  const base = repo.commit("chore: initial import");
  git(repo.dir, ["tag", "v2.0.0"]);
  const sha = repo.commit("fix(vllm): shm-size reaches the container (#42)");
  const logs: string[] = [];
  const log = (format: unknown, ...args: unknown[]) => logs.push(args.reduce<string>((text, arg) => text.replace("%s", String(arg)), String(format)));
  const summary = join(repo.root, "summary.md");
  const context: Context = {
    cwd: repo.dir,
    env: options.env ? options.env(server) : { GITHUB_TOKEN: server.token, GITHUB_API_URL: server.url, GITHUB_STEP_SUMMARY: summary },
    logger: { log, warn: log, error: log, success: log },
    options: { repositoryUrl: GITHUB_REPO_URL, tagFormat: "v${version}" },
    branch: { name: "main", type: "release", main: true },
    lastRelease: { version: "2.0.0", gitTag: "v2.0.0", gitHead: base },
    commits: await getCommits(base, "HEAD", { cwd: repo.dir, env: {} }),
  };
  const gateRequests = () => server.requests().filter((r) => r.route.includes("/commits/{ref}/"));
  return { server, repo, sha, context, logs, summary, gateRequests };
}

const FAST = { checks: ["gpu-ci"], timeout: "20s", interval: "100ms" };

test("a pending check holds the release until it passes; the log says what it waits for", async () => {
  const { server, sha, context, logs, gateRequests } = await setup();
  const gpu = server.addCheckRun({ head_sha: sha, name: "gpu-ci", status: "in_progress" });
  server.addCheckRun({ head_sha: sha, name: "lint", status: "completed", conclusion: "failure" });
  // The check finishes once the gate has looked at it three times (timing-free under load).
  const timer = setInterval(() => {
    if (gateRequests().filter((r) => r.route.endsWith("/check-runs")).length >= 3) server.updateCheckRun(gpu.id, { status: "completed", conclusion: "success" });
  }, 20);
  onCleanup(() => clearInterval(timer));

  assert.equal(await analyzeCommits({ gates: FAST }, context), "patch");
  assert.ok(logs.includes(`Release 2.0.1 needs gpu-ci green on ${sha.slice(0, 7)} (waiting up to 20s)`), logs.join("\n"));
  const waiting = logs.filter((line) => line.startsWith("Waiting for gpu-ci (in_progress, https://github.com/o/r/runs/"));
  assert.equal(waiting.length, 1, "said once while nothing changed");
  assert.ok(logs.some((line) => line.startsWith(`Checks passed on ${sha.slice(0, 7)}: gpu-ci (success`)));
  const reads = gateRequests();
  assert.ok(reads.length >= 4, `polled: ${reads.length} reads`);
  assert.ok(reads.every((r) => r.auth === "valid" && r.status === 200));
  expect([...new Set(reads.filter((r) => r.route.endsWith("check-runs")).map((r) => r.query.check_name))]).toEqual(["gpu-ci"]);
});

test("a failed check stops the release with EGATEFAILED, its name and link; a commit status counts too", async () => {
  const { server, sha, context } = await setup();
  const failed = server.addCheckRun({ head_sha: sha, name: "gpu-ci", status: "completed", conclusion: "timed_out" });
  server.addStatus({ sha, context: "docs/readthedocs", state: "success", target_url: "https://readthedocs.example/build/1" });

  await assert.rejects(analyzeCommits({ gates: { ...FAST, checks: ["gpu-ci", "docs/readthedocs"] } }, context), (error: any) => {
    assert.equal(error.code, "EGATEFAILED");
    assert.equal(error.message, `The release 2.0.1 is stopped: required check gpu-ci (timed_out) failed on ${sha.slice(0, 7)}.`);
    assert.ok(error.details.includes(`\`gpu-ci\`: timed_out — https://github.com/o/r/runs/${failed.id}`), error.details);
    assert.ok(!error.details.includes(server.token));
    return true;
  });

  // A re-run that passes lets it through; the status context is read from the combined status.
  server.addCheckRun({ head_sha: sha, name: "gpu-ci", status: "completed", conclusion: "success" });
  assert.equal(await analyzeCommits({ gates: { ...FAST, checks: ["gpu-ci", "docs/readthedocs"] } }, context), "patch");
});

test("still pending at the timeout: EGATETIMEOUT by default; onTimeout wait ends green with a notice, summary and output", async () => {
  const { server, sha, context, summary } = await setup();
  server.addStatus({ sha, context: "gpu-ci", state: "pending", target_url: "https://gpu.example/7" });
  const started = Date.now();
  await assert.rejects(analyzeCommits({ gates: { ...FAST, timeout: "1s" } }, context), (error: any) => {
    assert.equal(error.code, "EGATETIMEOUT");
    assert.match(error.message, /after 1s, gpu-ci has not finished on/);
    assert.match(error.details, /`gpu-ci`: pending — https:\/\/gpu\.example\/7/);
    assert.match(error.details, /workflow_run/);
    return true;
  });
  const took = Date.now() - started;
  assert.ok(took >= 1000 && took < 8000, `waited ${took} ms`);

  const stdout: string[] = [];
  const output = join(context.cwd, "..", "output.txt");
  context.env = { ...context.env, GITHUB_ACTIONS: "true", GITHUB_OUTPUT: output };
  context.stdout = { write: (text: string) => stdout.push(text) } as never;
  assert.equal(await analyzeCommits({ gates: { ...FAST, timeout: "300ms", onTimeout: "wait" } }, context), null);
  assert.equal(stdout.join(""), `::notice title=Release 2.0.1 waits for gpu-ci::patch release 2.0.1 held: gpu-ci (pending, https://gpu.example/7) not finished on ${sha.slice(0, 7)}; a later run releases once it is green\n`);
  assert.match(readFileSync(summary, "utf8"), /## Release 2\.0\.1 waits for gpu-ci\n\npatch release 2\.0\.1 held: gpu-ci \(pending/);
  assert.equal(readFileSync(output, "utf8"), "held=checks\n");
});

test("a check never reported times out as 'not reported yet'; a dry run looks once and never waits", async () => {
  const { context, logs, gateRequests } = await setup();
  await assert.rejects(analyzeCommits({ gates: { ...FAST, timeout: "200ms" } }, context), (error: any) => {
    assert.equal(error.code, "EGATETIMEOUT");
    assert.match(error.details, /no check run or commit status of this name has been reported/);
    return true;
  });
  const before = gateRequests().length;
  context.options.dryRun = true;
  assert.equal(await analyzeCommits({ gates: { ...FAST, timeout: "1h" } }, context), null);
  assert.equal(gateRequests().length - before, 2, "one look: check runs + combined status");
  assert.ok(logs.some((line) => line.includes("held: gpu-ci (not reported yet) not finished") && line.includes("a real run waits up to 1h")), logs.join("\n"));
});

test("a token without checks: read is EGATECHECK naming the permissions; no token fails a real run", async () => {
  const denied = await setup({ readChecks: false });
  await assert.rejects(analyzeCommits({ gates: FAST }, denied.context), (error: any) => {
    assert.equal(error.code, "EGATECHECK");
    assert.match(error.details, /HTTP 403/);
    assert.match(error.details, /Resource not accessible by integration/);
    assert.match(error.details, /checks: read/);
    return true;
  });
  const none = await setup({ env: () => ({}) });
  await assert.rejects(analyzeCommits({ gates: FAST }, none.context), (error: any) => error.code === "ENOGHTOKEN");
  none.context.options.dryRun = true;
  assert.equal(await analyzeCommits({ gates: FAST }, none.context), "patch");
  assert.ok(none.logs.some((line) => line.includes("patch release 2.0.1: without a GitHub token (GITHUB_TOKEN or GH_TOKEN) the checks gpu-ci cannot be read; this dry run goes on as if they were green")), none.logs.join("\n"));
});

test("the stand-in's checks and statuses APIs validate like GitHub's and paginate; the client reads every page", async () => {
  const { server, sha } = await setup();
  for (let i = 0; i < 130; i++) server.addStatus({ sha, context: `ci/${i}`, state: "success" });
  server.addStatus({ sha, context: "ci/7", state: "failure" });
  for (let i = 0; i < 3; i++) server.addCheckRun({ head_sha: sha, name: "gpu-ci", status: "completed", conclusion: i === 2 ? "success" : "failure" });
  const client = new GitHubClient({ token: server.token, owner: "o", repo: "r", apiUrl: server.url, attempts: 1 });

  const combined = await client.getCombinedStatus(sha);
  assert.equal(combined.statuses.length, 130, "two pages, the newest status per context");
  assert.equal(combined.state, "failure");
  assert.equal(combined.statuses.find((s) => s.context === "ci/7")?.state, "failure");
  const runs = await client.listCheckRuns(sha, "gpu-ci");
  expect(runs.map((r) => r.conclusion)).toEqual(["success"]);

  const get = (path: string, auth = `token ${server.token}`) => fetch(`${server.url}${path}`, { headers: { authorization: auth, "user-agent": "t" } });
  assert.equal((await get(`/repos/o/r/commits/${sha}/check-runs`, "token wrong")).status, 401);
  assert.equal((await get(`/repos/o/r/commits/main/check-runs`)).status, 422, "unknown commit");
  assert.equal((await get(`/repos/o/r/commits/${sha}/check-runs?status=done`)).status, 422);
  const all = await (await get(`/repos/o/r/commits/${sha}/check-runs?filter=all`)).json();
  assert.equal(all.total_count, 3);
  const empty = await (await get(`/repos/o/r/commits/${"0".repeat(40)}/status`)).json();
  expect([empty.state, empty.total_count]).toEqual(["pending", 0]);
});
