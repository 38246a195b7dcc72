import { test, expect } from "@jest/globals";
import { onCleanup } from "../support/cleanup.js";
import assert from "node:assert/strict";
import * as github from "@semantic-release/github";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";

/** The real @semantic-release/github v12 against the stand-in: what the preset's publish and success steps rely on. */

const quietLogger = { log() {}, warn() {}, error() {}, success() {} };

function releaseContext(server: GitHubServer, token: string, overrides: Record<string, unknown> = {}) {
  return {
    cwd: process.cwd(),
    env: { GITHUB_TOKEN: token, GITHUB_API_URL: server.url },
    logger: quietLogger,
    options: { repositoryUrl: "https://github.com/o/r.git" },
    branch: { name: "main", type: "release", main: true },
    nextRelease: { version: "1.2.0", gitTag: "v1.2.0", name: "v1.2.0", gitHead: "a".repeat(40), notes: "## v1.2.0\n\n### Added\n\n- a feature" },
    commits: [],
    releases: [],
    ...overrides,
  };
}

const DRAFT_ONLY = { draftRelease: true, successComment: false, releasedLabels: false, failComment: false, failTitle: false, labels: false };

test("real @semantic-release/github verifies and creates a draft release on the stand-in", async () => {
  const server = await startGitHubServer({ token: "ghs_the_right_token_123" });
  onCleanup(() => server.close());
  const context = releaseContext(server, server.token);

  await github.verifyConditions({ ...DRAFT_ONLY }, context);
  const result = await github.publish({ ...DRAFT_ONLY }, context);

  const [release] = server.releases();
  assert.equal(server.releases().length, 1);
  assert.equal(release.tag_name, "v1.2.0");
  assert.equal(release.draft, true);
  assert.equal(release.body, "## v1.2.0\n\n### Added\n\n- a feature");
  assert.equal(release.published_at, null);
  expect({ id: result.id, name: result.name }).toEqual({ id: release.id, name: "GitHub release" });
  assert.match(result.url, /\/releases\/tag\/untagged-/);

  const routes = server.requests().map((r) => `${r.route} ${r.status}`);
  expect(routes).toEqual(["GET /repos/{owner}/{repo} 200", "POST /repos/{owner}/{repo}/releases 201"]);
  assert.ok(server.requests().every((r) => r.auth === "valid"));
  assert.ok(!JSON.stringify(server.requests()).includes(server.token), "the record never holds the token");

  // The success step with comments and labels off only reads the repository.
  server.clearRequests();
  await github.success({ ...DRAFT_ONLY }, { ...context, releases: [{ ...result, pluginName: "@semantic-release/github" }] });
  expect(server.requests().map((r) => r.route)).toEqual(["GET /repos/{owner}/{repo}"]);
});

test("the stand-in rejects a wrong token the way GitHub does, and semantic-release reports EINVALIDGHTOKEN", async () => {
  const server = await startGitHubServer({ token: "ghs_the_right_token_123" });
  onCleanup(() => server.close());

  await assert.rejects(github.verifyConditions({ ...DRAFT_ONLY }, releaseContext(server, "ghs_a_wrong_token_456")), (error: any) => {
    const codes = [...(error.errors ?? [error])].map((e: any) => e.code);
    expect(codes).toEqual(["EINVALIDGHTOKEN"]);
    return true;
  });
  expect(server.requests().map((r) => [r.auth, r.status])).toEqual([["invalid", 401]]);

  const anonymous = await fetch(`${server.url}/repos/o/r/releases`, { headers: { "user-agent": "t" } });
  assert.equal(anonymous.status, 401);
  const bearer = await fetch(`${server.url}/repos/o/r/releases`, { headers: { "user-agent": "t", authorization: `Bearer ${server.token}` } });
  assert.equal(bearer.status, 200);
});

test("drafts are invisible by tag, listed for the owner, and a second release for a tag is refused", async () => {
  const server = await startGitHubServer();
  onCleanup(() => server.close());
  const headers = { "user-agent": "t", authorization: `token ${server.token}`, "content-type": "application/json" };
  const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers });

  const created = await api("/repos/o/r/releases", { method: "POST", body: JSON.stringify({ tag_name: "v1.0.0", draft: true, body: "draft" }) });
  assert.equal(created.status, 201);
  const { id } = (await created.json()) as { id: number };

  assert.equal((await api("/repos/o/r/releases/tags/v1.0.0")).status, 404);
  assert.equal((await api(`/repos/o/r/releases/${id}`)).status, 200);
  const listed = (await (await api("/repos/o/r/releases")).json()) as { id: number; draft: boolean }[];
  expect(listed.map((r) => [r.id, r.draft])).toEqual([[id, true]]);

  const duplicate = await api("/repos/o/r/releases", { method: "POST", body: JSON.stringify({ tag_name: "v1.0.0" }) });
  assert.equal(duplicate.status, 422);
  assert.equal(((await duplicate.json()) as any).errors[0].code, "already_exists");
  const missingTag = await api("/repos/o/r/releases", { method: "POST", body: JSON.stringify({ name: "x" }) });
  assert.equal(missingTag.status, 422);

  const published = await api(`/repos/o/r/releases/${id}`, { method: "PATCH", body: JSON.stringify({ draft: false }) });
  assert.equal(((await published.json()) as any).draft, false);
  assert.equal((await api("/repos/o/r/releases/tags/v1.0.0")).status, 200);
});

test("releases and milestones paginate with Link headers", async () => {
  const server = await startGitHubServer();
  onCleanup(() => server.close());
  for (let i = 0; i < 5; i++) server.addRelease({ tag_name: `v0.${i}.0` });
  server.addMilestone({ title: "v1.0.0", open_issues: 2 });
  server.addMilestone({ title: "v0.9.0", state: "closed", closed_issues: 4 });
  const headers = { "user-agent": "t", authorization: `token ${server.token}` };

  const first = await fetch(`${server.url}/repos/o/r/releases?per_page=2`, { headers });
  expect(((await first.json()) as any[]).map((r) => r.tag_name)).toEqual(["v0.4.0", "v0.3.0"]);
  const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
  assert.ok(next);
  const second = await fetch(next, { headers });
  expect(((await second.json()) as any[]).map((r) => r.tag_name)).toEqual(["v0.2.0", "v0.1.0"]);

  const open = (await (await fetch(`${server.url}/repos/o/r/milestones`, { headers })).json()) as any[];
  expect(open.map((m) => [m.title, m.state, m.open_issues])).toEqual([["v1.0.0", "open", 2]]);
  server.closeMilestone("v1.0.0");
  const all = (await (await fetch(`${server.url}/repos/o/r/milestones?state=all`, { headers })).json()) as any[];
  expect(all.map((m) => [m.title, m.state, m.open_issues, m.closed_issues])).toEqual([["v1.0.0", "closed", 0, 2], ["v0.9.0", "closed", 0, 4]]);
});

test("injected faults: N times 5xx, then a reset connection, then normal answers", async () => {
  const server = await startGitHubServer();
  onCleanup(() => server.close());
  const headers = { "user-agent": "t", authorization: `token ${server.token}` };
  server.injectFault("GET /repos/{owner}/{repo}/milestones", { status: 502 }, 2);
  server.injectFault("GET /repos/{owner}/{repo}/milestones", { reset: true });

  const statuses = [];
  for (let i = 0; i < 2; i++) statuses.push((await fetch(`${server.url}/repos/o/r/milestones`, { headers })).status);
  expect(statuses).toEqual([502, 502]);
  await assert.rejects(fetch(`${server.url}/repos/o/r/milestones`, { headers }));
  assert.equal((await fetch(`${server.url}/repos/o/r/milestones`, { headers })).status, 200);
  expect(server.requests().map((r) => r.fault ?? "none")).toEqual(["status 502", "status 502", "reset", "none"]);
});

test("real @semantic-release/github uploads assets to the draft through upload_url", async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
  const { join } = await import("node:path");
  const { tmpdir } = await import("node:os");
  const cwd = mkdtempSync(join(tmpdir(), "gh-assets-"));
  const server = await startGitHubServer();
  onCleanup(async () => {
    await server.close();
    rmSync(cwd, { recursive: true, force: true });
  });
  writeFileSync(join(cwd, "release-manifest.json"), '{"tag":"v1.2.0"}\n');
  const config = { ...DRAFT_ONLY, assets: ["release-manifest.json"] };
  const context = releaseContext(server, server.token, { cwd });

  await github.verifyConditions(config, context);
  await github.publish(config, context);

  const [release] = server.releases();
  assert.equal(release.draft, true, "draftRelease keeps it a draft after the upload");
  expect(release.assets.map((a) => [a.name, a.size, a.content_type])).toEqual([["release-manifest.json", 17, "application/json"]]);
});
