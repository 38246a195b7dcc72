import { test, expect } from "@jest/globals";
import { onCleanup } from "../support/cleanup.js";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as github from "@semantic-release/github";
import type { Context } from "../../src/context.js";
import { recordArtifacts } from "../../src/release/record.js";
import { SECTION_END, SECTION_START } from "../../src/github/section.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";

/** The artifacts success step against the GitHub stand-in, on a draft the real @semantic-release/github created. */

const FAST = { attempts: 4, retryDelayMs: 5, timeoutMs: 1000 };
const NOTES = "## v2.1.0 — 2025-01-01\n\n### Added\n\n- **cli:** energy report ([abc1234](https://github.com/o/r/commit/abc1234))";
const WHEEL_SHA = "c".repeat(64);
const DIGEST = `sha256:${"d".repeat(64)}`;
const PUBLISHED = [
  { name: "PyPI", url: "https://pypi.org/project/llenergymeasure/2.1.0/", files: [{ filename: "llenergymeasure-2.1.0-py3-none-any.whl", sha256: WHEEL_SHA, size: 2048 }] },
  { name: "Container images", images: [{ ref: "docker.io/llenergymeasure/pytorch", digest: DIGEST, tags: ["2.1.0-cuda12", "2.1.0", "latest"], entry: { backend: "pytorch", cuda: "cuda12" } }] },
];

interface Fixture {
  server: GitHubServer;
  cwd: string;
  summary: string;
  context(releases: Record<string, unknown>[], env?: Record<string, string>): Context;
}

async function fixture(): Promise<Fixture> {
  const server = await startGitHubServer({ token: "ghs_record_test_token_1" });
  const cwd = mkdtempSync(join(tmpdir(), "pyrelease-record-"));
  onCleanup(async () => {
    await server.close();
    rmSync(cwd, { recursive: true, force: true });
  });
  const summary = join(cwd, "step-summary.md");
  const logger = { log() {}, warn() {}, error() {}, success() {} };
  return {
    server,
    cwd,
    summary,
    context: (releases, env = {}) => ({
      cwd,
      env: { GITHUB_TOKEN: server.token, GITHUB_API_URL: server.url, GITHUB_STEP_SUMMARY: summary, ...env },
      logger,
      options: { repositoryUrl: "https://github.com/o/r.git" },
      branch: { name: "main", type: "release", main: true },
      nextRelease: { version: "2.1.0", gitTag: "v2.1.0", name: "v2.1.0", gitHead: "f".repeat(40), notes: NOTES },
      releases,
    }),
  };
}

/** What the real @semantic-release/github publish step does with the preset's settings. */
async function publishDraft(f: Fixture) {
  const config = { draftRelease: true, successComment: false, releasedLabels: false, failComment: false, failTitle: false, labels: false };
  const context = f.context([]);
  await github.verifyConditions(config, context);
  return { ...(await github.publish(config, context)), pluginName: "@semantic-release/github" };
}

/**
 * The same draft, seeded directly: @octokit/plugin-throttling spaces release creations
 * 3 s apart across the whole process, so only the first test goes through the real plugin.
 */
function seedDraft(f: Fixture) {
  const draft = f.server.addRelease({ tag_name: "v2.1.0", name: "v2.1.0", body: NOTES, draft: true });
  return { name: "GitHub release", id: draft.id, url: `https://github.com/o/r/releases/tag/untagged-${draft.id}`, pluginName: "@semantic-release/github" };
}

test("the artifacts section goes into the draft below the notes; the draft stays a draft; a second run changes nothing", async () => {
  const f = await fixture();
  const ghRelease = await publishDraft(f);
  const releases = [ghRelease, ...PUBLISHED];

  const first = (await recordArtifacts({}, f.context(releases), FAST))!;
  const [draft] = f.server.releases();
  assert.equal(draft.draft, true);
  assert.equal(first.changed, true);
  assert.ok(draft.body!.startsWith(`${NOTES}\n\n${SECTION_START}\n### Artifacts`), "the generated notes stay first, untouched");
  assert.ok(draft.body!.endsWith(SECTION_END));
  assert.ok(draft.body!.includes(`| \`llenergymeasure-2.1.0-py3-none-any.whl\` | 2.0 KiB | \`${WHEEL_SHA}\` |`));
  assert.ok(draft.body!.includes(`\`docker.io/llenergymeasure/pytorch@${DIGEST}\``));
  assert.ok(draft.body!.includes("pip install llenergymeasure==2.1.0"));

  // Beside the dists (pypi.distDir), not in the repository root; and the same bytes as an asset of the release.
  const manifestPath = join(f.cwd, "dist", "release-manifest.json");
  assert.equal(first.manifestPath, manifestPath);
  expect(f.server.assetBytes(draft.id, "release-manifest.json")).toEqual(readFileSync(manifestPath));
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  expect([manifest.tag, manifest.commit, manifest.files[0].sha256, manifest.images[0].pin]).toEqual(["v2.1.0", "f".repeat(40), WHEEL_SHA, `docker.io/llenergymeasure/pytorch@${DIGEST}`]);
  assert.equal(readFileSync(f.summary, "utf8"), `${first.markdown}\n\n`);

  f.server.clearRequests();
  const manifestBytes = readFileSync(manifestPath, "utf8");
  const second = (await recordArtifacts({}, f.context(releases), FAST))!;
  assert.equal(second.changed, false);
  assert.equal(f.server.releases()[0].body, draft.body, "identical body after a rerun");
  // no PATCH and no upload when nothing changed: the release and its asset list are read
  expect(f.server.requests().map((r) => r.method)).toEqual(["GET", "GET"]);
  assert.equal(readFileSync(manifestPath, "utf8"), manifestBytes);
});

test("a curator's edits outside the markers survive a rerun with new digests", async () => {
  const f = await fixture();
  const ghRelease = seedDraft(f);
  await recordArtifacts({}, f.context([ghRelease, ...PUBLISHED]), FAST);

  const before = f.server.releases()[0].body!;
  const curated = `## v2.1.0 — the energy release\r\n\r\nHand-written summary.\r\n\r\n${before.replace(/\n/g, "\r\n")}\r\n\r\n_Thanks to all contributors._`;
  f.server.editRelease(ghRelease.id, { body: curated });

  const newDigest = `sha256:${"e".repeat(64)}`;
  const rebuilt = [PUBLISHED[0], { name: "Container images", images: [{ ...PUBLISHED[1].images![0], digest: newDigest }] }];
  await recordArtifacts({}, f.context([ghRelease, ...rebuilt]), FAST);

  const after = f.server.releases()[0].body!;
  const outside = (body: string) => body.slice(0, body.indexOf(SECTION_START)) + body.slice(body.indexOf(SECTION_END) + SECTION_END.length);
  assert.equal(outside(after), outside(curated));
  assert.ok(after.includes(`docker.io/llenergymeasure/pytorch@${newDigest}`));
  assert.ok(!after.includes(DIGEST));
  assert.ok(!/[^\r]\n/.test(after), "the section follows the body's CRLF line endings");
});

test("without an id in context.releases the draft is found by tag", async () => {
  const f = await fixture();
  const draft = f.server.addRelease({ tag_name: "v2.1.0", draft: true, body: NOTES });
  f.server.addRelease({ tag_name: "v2.0.0", body: "older" });

  const result = (await recordArtifacts({}, f.context([...PUBLISHED]), FAST))!;
  assert.equal(result.releaseId, draft.id);
  assert.ok(f.server.release(draft.id)!.body!.includes(SECTION_START));
  assert.equal(f.server.release(draft.id)!.draft, true);
  assert.ok(!f.server.releases().find((r) => r.tag_name === "v2.0.0")!.body!.includes(SECTION_START));
});

test("no release for the tag → ENODRAFTRELEASE, even when the id from publish no longer exists; no manifest written", async () => {
  const f = await fixture();
  f.server.addRelease({ tag_name: "v2.0.0", body: "older" });
  const context = f.context([{ name: "GitHub release", id: 999999, url: "https://github.com/o/r/releases/tag/untagged-x" }, ...PUBLISHED]);
  await assert.rejects(recordArtifacts({}, context, FAST), (error: any) => {
    assert.equal(error.code, "ENODRAFTRELEASE");
    assert.match(error.message, /v2\.1\.0/);
    assert.match(error.details, /pyrelease resume --tag v2\.1\.0/);
    return true;
  });
  assert.equal(existsSync(join(f.cwd, "release-manifest.json")), false);
});

test("GitHub API hiccups (5xx, reset connection) are retried and the section is still written once", async () => {
  const f = await fixture();
  const ghRelease = seedDraft(f);
  f.server.injectFault("GET /repos/{owner}/{repo}/releases/{release_id}", { status: 502 }, 2);
  f.server.injectFault("PATCH /repos/{owner}/{repo}/releases/{release_id}", { reset: true });
  f.server.injectFault("PATCH /repos/{owner}/{repo}/releases/{release_id}", { status: 500 });

  await recordArtifacts({}, f.context([ghRelease, ...PUBLISHED]), FAST);
  const body = f.server.releases()[0].body!;
  assert.equal(body.split(SECTION_START).length, 2, "exactly one section");
  const patches = f.server.requests().filter((r) => r.method === "PATCH").map((r) => r.fault ?? r.status);
  expect(patches).toEqual(["reset", "status 500", 200]);
});

test("a persistent API failure ends in EGITHUBAPI; a wrong token in EGITHUBAPI (HTTP 401) without the token in it", async () => {
  const f = await fixture();
  const ghRelease = seedDraft(f);
  f.server.injectFault("PATCH /repos/{owner}/{repo}/releases/{release_id}", { status: 503 }, 10);
  await assert.rejects(recordArtifacts({}, f.context([ghRelease, ...PUBLISHED]), FAST), (e: any) => e.code === "EGITHUBAPI" && /HTTP 503/.test(e.message));

  await assert.rejects(recordArtifacts({}, f.context([ghRelease], { GITHUB_TOKEN: "ghs_bad_token_value_42" }), FAST), (e: any) => {
    assert.equal(e.code, "EGITHUBAPI");
    assert.match(e.message, /HTTP 401/);
    assert.ok(!`${e.message}${e.details}`.includes("ghs_bad_token_value_42"));
    return true;
  });
});

test("artifacts.manifest chooses the manifest path, false writes no local file; no GITHUB_STEP_SUMMARY, no summary", async () => {
  const f = await fixture();
  const ghRelease = seedDraft(f);
  const result = (await recordArtifacts({ artifacts: { manifest: false } }, f.context([ghRelease, ...PUBLISHED], { GITHUB_STEP_SUMMARY: "" }), FAST))!;
  assert.equal(result.manifestPath, null);
  assert.equal(existsSync(join(f.cwd, "dist", "release-manifest.json")), false);
  assert.equal(existsSync(join(f.cwd, "release-manifest.json")), false);
  assert.ok(f.server.assetBytes(ghRelease.id, "release-manifest.json"), "the release keeps its manifest as an asset all the same");
  assert.equal(existsSync(f.summary), false);

  const custom = (await recordArtifacts({ artifacts: { manifest: "out/release.json" } }, f.context([ghRelease, ...PUBLISHED]), FAST))!;
  assert.equal(custom.manifestPath, join(f.cwd, "out", "release.json"));
  assert.equal(JSON.parse(readFileSync(custom.manifestPath!, "utf8")).tag, "v2.1.0");
});
