import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as artifacts from "../../src/plugins/artifacts.js";
import { onCleanup } from "../support/cleanup.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { makeProject, pluginContext } from "../support/plugin-context.js";
import { startPypiServer } from "../support/pypi-server.js";
import { actionsReleaseEnv } from "../support/actions-env.js";
import { exampleHistory, runSemanticRelease, TEST_PYPI_OPTIONS } from "../support/repo.js";

/** ./artifacts publish keeps the release's dists in the draft; verifyConditions proves the token may create it. */

const SDIST = "llenergymeasure_demo-2.0.0.tar.gz";
const WHEEL = "llenergymeasure_demo-2.0.0-py3-none-any.whl";
const ATTESTATION = `${WHEEL}.publish.attestation`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

async function fixture(files: Record<string, string> = { [SDIST]: "sdist bytes", [WHEEL]: "wheel bytes", [ATTESTATION]: '{"version":1}', "llenergymeasure_demo-1.9.0.tar.gz": "older", "notes.txt": "not a dist" }) {
  const github = await startGitHubServer();
  const project = makeProject();
  onCleanup(() => (project.cleanup(), github.close()));
  mkdirSync(join(project.dir, "dist"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(project.dir, "dist", name), content);
  const captured = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url } });
  return { github, project, ...captured };
}

const names = (github: GitHubServer) => github.releases()[0].assets.map((a) => a.name).sort();

test("publish creates the draft and keeps the release's dists and attestations with SHA256SUMS; a rerun uploads nothing", async () => {
  const { github, context, output } = await fixture();
  const result = await artifacts.publish({}, context);
  const [draft] = github.releases();
  assert.equal(draft.draft, true);
  expect(names(github)).toEqual(["SHA256SUMS", ATTESTATION, WHEEL, SDIST].sort());
  expect([result.name, result.id, result.assets.map((a) => a.name)]).toEqual(["GitHub release", draft.id, [SDIST, WHEEL, ATTESTATION].sort()]);
  assert.equal(github.assetBytes(draft.id, "SHA256SUMS")!.toString(), [`${sha256("wheel bytes")}  ${WHEEL}`, `${sha256('{"version":1}')}  ${ATTESTATION}`, `${sha256("sdist bytes")}  ${SDIST}`].join("\n") + "\n");
  const uploads = github.requests().filter((r) => r.route.startsWith("POST /uploads"));
  expect(uploads.map((r) => (r.body as { contentType: string }).contentType)).toEqual(["application/zip", "application/json", "application/gzip", "text/plain"]);
  assert.match(output(), new RegExp(`Kept ${SDIST.replace(/\./g, "\\.")} in the draft release`));

  github.clearRequests();
  await artifacts.publish({}, context);
  expect(github.requests().map((r) => `${r.method} ${r.route}`).filter((r) => !r.startsWith("GET"))).toEqual([]);
  assert.match(output(), /already exists .*: reusing it/);
  assert.match(output(), /The draft release already keeps/);
});

test("a kept asset with the same name and other bytes is EDRAFTASSET, naming both hashes; nothing is replaced", async () => {
  const { github, context } = await fixture();
  const draft = github.addRelease({ tag_name: "v2.0.0", draft: true, body: "notes" });
  github.addAsset(draft.id, SDIST, Buffer.from("an sdist built another time"));
  await assert.rejects(artifacts.publish({}, context), (error: any) => {
    assert.equal(error.code, "EDRAFTASSET");
    assert.match(error.message, new RegExp(`holds other bytes for ${SDIST.replace(/\./g, "\\.")} than this run built`));
    assert.ok(error.details.includes(sha256("sdist bytes")) && error.details.includes(sha256("an sdist built another time")));
    return true;
  });
  expect(names(github)).toEqual([SDIST]);
  assert.equal(github.assetBytes(draft.id, SDIST)!.toString(), "an sdist built another time");
});

test("an upload that failed upstream (502, a `starter` asset left behind) is replaced by the real file", async () => {
  const { github, context } = await fixture({ [SDIST]: "sdist bytes" });
  const draft = github.addRelease({ tag_name: "v2.0.0", draft: true, body: "notes" });
  github.injectFault("POST /uploads/repos/{owner}/{repo}/releases/{release_id}/assets", { status: 502 });
  await artifacts.publish({}, context);
  expect(names(github)).toEqual(["SHA256SUMS", SDIST]);
  assert.equal(github.assetBytes(draft.id, SDIST)!.toString(), "sdist bytes");
  assert.equal(github.releases()[0].assets.find((a) => a.name === SDIST)!.state, "uploaded");
});

test("verifyConditions: a token that may not write releases (GitHub Actions, contents: read) is EGITHUBPERMISSION before the tag; nothing is built or uploaded", async () => {
  const github = await startGitHubServer({ installationToken: true, push: false });
  const pypi = await startPypiServer();
  const repo = exampleHistory("1.1.0", { releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl } } });
  onCleanup(() => (repo.cleanup(), github.close(), pypi.close()));
  const env = { ...actionsReleaseEnv(github, pypi), GITHUB_ACTION: "release" };

  const dry = await runSemanticRelease(repo.dir, ["--dry-run"], env);
  assert.equal(dry.code, 0, dry.output);
  assert.match(dry.output, /a real run proves the token may create the release \(a release-notes preview, which stores nothing\)/);

  const run = await runSemanticRelease(repo.dir, [], env);
  assert.notEqual(run.code, 0, run.output);
  assert.match(run.output, /EGITHUBPERMISSION The GitHub token may not create releases in o\/r; nothing was tagged/);
  assert.match(run.output, /contents: write/);
  expect(repo.remoteTags()).toEqual(["v1.0.0"]);
  assert.equal(pypi.uploads().length, 0);
  assert.doesNotMatch(run.output, /-m build/);
  expect(github.requests().filter((r) => r.method !== "GET" && r.method !== "HEAD").map((r) => `${r.route} ${r.status}`)).toEqual(["POST /repos/{owner}/{repo}/releases/generate-notes 403"]);
  assert.equal(github.releases().length, 0);
});
