import { test, expect } from "@jest/globals";
import { onCleanup } from "../support/cleanup.js";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { analyzeCommits } from "../../src/plugins/analyze.js";
import type { Branch, Context } from "../../src/context.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { createRepo, git, GITHUB_REPO_URL, runSemanticRelease, type TempRepo } from "../support/repo.js";

const { getCommits } = (await import("semantic-release/lib/git.js" as string)) as {
  getCommits(from: string | undefined, to: string, options: { cwd: string; env: Record<string, string> }): Promise<Context["commits"]>;
};

const MILESTONES = { cadence: { minor: "milestone", major: "milestone" } };
const MAIN: Branch = { name: "main", type: "release", main: true };

/** A repository released as v2.0.0, then `messages`; the context semantic-release would hand analyzeCommits. */
async function setup(messages: string[], env: (server: GitHubServer) => Record<string, string | undefined>, extra: Partial<Context> = {}) {
  const server = await startGitHubServer();
  const repo = createRepo({ template: null });
  onCleanup(() => (repo.cleanup(), server.close()));
  const base = repo.commit("chore: initial import");
  git(repo.dir, ["tag", "v2.0.0"]);
  for (const message of messages) repo.commit(message);
  const logs: string[] = [];
  const log = (format: unknown, ...args: unknown[]) => logs.push(args.reduce<string>((text, arg) => text.replace("%s", String(arg)), String(format)));
  const context: Context = {
    cwd: repo.dir,
    env: env(server),
    logger: { log, warn: log, error: log, success: log },
    options: { repositoryUrl: GITHUB_REPO_URL, tagFormat: "v${version}" },
    branch: MAIN,
    lastRelease: { version: "2.0.0", gitTag: "v2.0.0", gitHead: base },
    commits: await getCommits(base, "HEAD", { cwd: repo.dir, env: {} }),
    ...extra,
  };
  const milestoneRequests = () => server.requests().filter((r) => r.route.includes("milestones"));
  return { server, repo, context, logs, milestoneRequests };
}

const withToken = (server: GitHubServer) => ({ GITHUB_TOKEN: server.token, GITHUB_API_URL: server.url });

test("an open milestone holds a minor release and says why; closing it lets the release through", async () => {
  const { server, context, logs, milestoneRequests } = await setup(["feat: zeus backend"], withToken);
  server.addMilestone({ title: "v2.1.0", open_issues: 2, closed_issues: 5 });

  assert.equal(await analyzeCommits(MILESTONES, context), null);
  assert.ok(logs.includes("minor release 2.1.0 held: milestone v2.1.0 has 2 open issues"), logs.join("\n"));
  assert.equal(milestoneRequests()[0].auth, "valid");

  server.closeMilestone("v2.1.0");
  assert.equal(await analyzeCommits(MILESTONES, context), "minor");
  assert.ok(logs.includes("minor release 2.1.0: milestone v2.1.0 is closed, releasing"));
});

test("a missing milestone holds the release; a milestone of another version does not count", async () => {
  const { server, context, logs } = await setup(["feat: zeus backend"], withToken);
  server.addMilestone({ title: "v2.2.0", state: "closed" });
  server.addMilestone({ title: "2.1.0", state: "closed" });

  assert.equal(await analyzeCommits(MILESTONES, context), null);
  assert.ok(logs.some((line) => line.startsWith("minor release 2.1.0 held: there is no milestone titled v2.1.0")), logs.join("\n"));
});

test("a major release waits for the milestone of the major version", async () => {
  const { server, context, logs } = await setup(["feat!: drop Python 3.9"], withToken);
  server.addMilestone({ title: "v3.0.0", open_issues: 1 });
  assert.equal(await analyzeCommits(MILESTONES, context), null);
  assert.ok(logs.includes("major release 3.0.0 held: milestone v3.0.0 has 1 open issue"));
  server.closeMilestone("v3.0.0");
  assert.equal(await analyzeCommits(MILESTONES, context), "major");
});

test("patches, prereleases and immediate cadences go out without asking GitHub", async () => {
  const fix = await setup(["fix: shm-size"], withToken);
  fix.server.addMilestone({ title: "v2.0.1", open_issues: 3 });
  assert.equal(await analyzeCommits(MILESTONES, fix.context), "patch");
  assert.equal(fix.milestoneRequests().length, 0);

  const rc = await setup(["feat: zeus backend"], withToken, { branch: { name: "next", type: "prerelease", prerelease: "rc" } });
  assert.equal(await analyzeCommits(MILESTONES, rc.context), "minor");
  assert.equal(rc.milestoneRequests().length, 0);

  const immediate = await setup(["feat: zeus backend"], withToken);
  assert.equal(await analyzeCommits({ cadence: { major: "milestone" } }, immediate.context), "minor");
  assert.equal(await analyzeCommits({}, immediate.context), "minor");
  assert.equal(immediate.milestoneRequests().length, 0);
});

test("an API error is a clear EMILESTONECHECK, with what GitHub said and no token", async () => {
  const { server, context } = await setup(["feat: zeus backend"], withToken);
  server.addMilestone({ title: "v2.1.0", state: "closed" });
  server.injectFault("GET /repos/{owner}/{repo}/milestones", { status: 403, message: "Resource not accessible by integration" });

  await assert.rejects(analyzeCommits(MILESTONES, context), (error: any) => {
    assert.equal(error.code, "EMILESTONECHECK");
    assert.equal(error.message, "Could not check the milestone v2.1.0 that gates the minor release 2.1.0.");
    assert.match(error.details, /HTTP 403/);
    assert.match(error.details, /Resource not accessible by integration/);
    assert.ok(!`${error.message}${error.details}`.includes(server.token));
    return true;
  });

  // A transient failure is retried by the client, and the gate then decides as usual.
  server.injectFault("GET /repos/{owner}/{repo}/milestones", { status: 502 });
  assert.equal(await analyzeCommits(MILESTONES, context), "minor");
});

test("without a token: a dry run says the milestone cannot be checked and goes on; a real run fails with ENOGHTOKEN", async () => {
  const { context, logs, milestoneRequests } = await setup(["feat: zeus backend"], () => ({}));
  await assert.rejects(analyzeCommits(MILESTONES, context), (error: any) => error.code === "ENOGHTOKEN");

  context.options.dryRun = true;
  assert.equal(await analyzeCommits(MILESTONES, context), "minor");
  assert.ok(logs.some((line) => line.includes("minor release 2.1.0: without a GitHub token (GITHUB_TOKEN or GH_TOKEN) the milestone v2.1.0 cannot be checked; this dry run goes on as if it were closed")), logs.join("\n"));
  assert.equal(milestoneRequests().length, 0);
});

test("the real semantic-release CLI: held while the milestone is open, then the draft notes", async () => {
  const server = await startGitHubServer();
  const repo = createRepo({
    template: null,
    releaserc: {
      branches: ["main"],
      plugins: ["semantic-release-config-pyproject/analyze", "semantic-release-config-pyproject/notes"],
      cadence: { minor: "milestone" },
    },
  });
  onCleanup(() => (repo.cleanup(), server.close()));
  repo.commit("chore: initial import");
  git(repo.dir, ["tag", "v2.0.0"]);
  git(repo.dir, ["push", "-q", "origin", "v2.0.0"]);
  repo.commit("feat(backend): Zeus energy backend");
  repo.commit("wip: sampling");
  server.addMilestone({ title: "v2.1.0", open_issues: 2 });
  const env = { GITHUB_TOKEN: server.token, GITHUB_API_URL: server.url };

  const held = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"], env);
  assert.equal(held.code, 0, held.output);
  assert.match(held.output, /minor release 2\.1\.0 held: milestone v2\.1\.0 has 2 open issues/);
  assert.doesNotMatch(held.output, /next release version is/);

  server.closeMilestone("v2.1.0");
  const released = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"], env);
  assert.equal(released.code, 0, released.output);
  assert.match(released.output, /The next release version is 2\.1\.0/);
  assert.match(released.output, /Zeus energy backend/);
  assert.match(released.output, /wip: sampling.*matches/);
  expect(repo.remoteTags()).toEqual(["v2.0.0"]);
});

test("cadence.milestone is a title template", async () => {
  const { server, context, logs } = await setup(["feat: zeus backend"], withToken);
  server.addMilestone({ title: "Release 2.1", open_issues: 1 });
  const options = { cadence: { minor: "milestone", milestone: "Release {major}.{minor}" } };
  assert.equal(await analyzeCommits(options, context), null);
  assert.ok(logs.includes("minor release 2.1.0 held: milestone Release 2.1 has 1 open issue"), logs.join("\n"));
  server.closeMilestone("Release 2.1");
  assert.equal(await analyzeCommits(options, context), "minor");
});

test('milestoneBy "references": the milestones of the pull requests and issues the commits name hold the release; the hold is in the summary', async () => {
  const { server, repo, context, logs } = await setup(["feat(docker): vLLM image (#12)", "fix: sampler drift (#13)\n\nCloses #9", "feat: other repo's work, see o/other#4"], withToken);
  context.env.GITHUB_STEP_SUMMARY = `${repo.root}/summary.md`;
  server.addMilestone({ title: "M3 — Docker + vLLM", open_issues: 2, closed_issues: 4 });
  server.addMilestone({ title: "M2 — Zeus", state: "closed" });
  server.addWorkItem({ number: 12, title: "vLLM image", milestone: "M3 — Docker + vLLM", pull_request: true });
  server.addWorkItem({ number: 13, title: "sampler drift", pull_request: true });
  server.addWorkItem({ number: 9, title: "drift bug", milestone: "M2 — Zeus", state: "closed" });
  const options = { cadence: { minor: "milestone", milestoneBy: "references" } };

  assert.equal(await analyzeCommits(options, context), null);
  assert.ok(logs.includes('minor release 2.1.0 held: milestone "M3 — Docker + vLLM" (#12) has 2 open issues'), logs.join("\n"));
  const asked = server.requests().filter((r) => r.route === "GET /repos/{owner}/{repo}/issues/{issue_number}").map((r) => r.path);
  expect(asked.sort()).toEqual(["/repos/o/r/issues/12", "/repos/o/r/issues/13", "/repos/o/r/issues/9"]);
  assert.match(readFileSync(`${repo.root}/summary.md`, "utf8"), /^## Release 2\.1\.0 waits for its milestone\n\nminor release 2\.1\.0 held: milestone "M3 — Docker \+ vLLM"/);

  server.closeMilestone("M3 — Docker + vLLM");
  assert.equal(await analyzeCommits(options, context), "minor");
  assert.ok(logs.includes('minor release 2.1.0: milestones "M2 — Zeus" (#9), "M3 — Docker + vLLM" (#12) closed, releasing'), logs.join("\n"));
});

test('milestoneBy "references" with no milestone among the references holds and says so; an unknown number is skipped', async () => {
  const { server, context, logs } = await setup(["feat: loose work (#77)", "feat: more (#78)"], withToken);
  server.addWorkItem({ number: 78, title: "more" });
  assert.equal(await analyzeCommits({ cadence: { minor: "milestone", milestoneBy: "references" } }, context), null);
  assert.ok(logs.some((line) => line.startsWith("minor release 2.1.0 held: no issue or pull request the commits reference belongs to a milestone (#78 belong to none)")), logs.join("\n"));
});
