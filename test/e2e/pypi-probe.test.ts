import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, test, expect } from "@jest/globals";
import * as pypi from "../../src/plugins/pypi.js";
import { actionsReleaseEnv } from "../support/actions-env.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { errorsOf, makeProject, pluginContext, type Project } from "../support/plugin-context.js";
import { startPypiServer, type PypiServer, type PypiServerOptions } from "../support/pypi-server.js";
import { exampleHistory, NO_PROVENANCE, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { needPythonTools } from "../support/tools.js";

/**
 * The trusted-publishing probe in verifyConditions (issue 12): a real run that uploads
 * does the whole OIDC exchange before anything is tagged and throws the token away, so a
 * trusted publisher that does not match this workflow stops the release with nothing
 * tagged, built or uploaded.
 */

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let github: GitHubServer;
let project: Project;
beforeAll(async () => {
  github = await startGitHubServer();
  project = makeProject();
  cleanups.push(() => github.close(), () => project.cleanup());
});

async function pypiServer(options: PypiServerOptions = {}): Promise<PypiServer> {
  const server = await startPypiServer(options);
  cleanups.push(() => server.close());
  return server;
}

const RETRY = { attempts: 2, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 };
// No signing: an Actions-like environment would sign against the public Sigstore (provenance has its own tests).
const config = (server: PypiServer, extra: Record<string, unknown> = {}) => ({ pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: server.uploadUrl, indexUrl: server.indexUrl, retry: RETRY, ...extra }, provenance: NO_PROVENANCE });
const steps = (server: PypiServer) => server.requests().map((r) => r.step);

/** No secret the server issued appears outside the `::add-mask::` lines that hide it. */
function assertNoSecrets(server: PypiServer, text: string) {
  const visible = text.split("\n").filter((l) => !l.startsWith("::add-mask::")).join("\n");
  for (const secret of server.secrets()) assert.ok(!visible.includes(secret), `a secret leaked:\n${visible}`);
}

describe("the trusted-publishing probe, through the real semantic-release CLI", () => {
  const repos: TempRepo[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));

  test("a trusted publisher that does not match (another workflow file) fails before the tag: nothing tagged, built, released or uploaded", async () => {
    needPythonTools();
    const server = await pypiServer({ publisher: { repository: "o/r", workflow: "publish.yml" } });
    const repo = exampleHistory("1.1.0", { releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: server.uploadUrl, indexUrl: server.indexUrl } } });
    repos.push(repo);
    const releasesBefore = github.releases().length;
    const run = await runSemanticRelease(repo.dir, ["--no-ci"], actionsReleaseEnv(github, server));
    assert.notEqual(run.code, 0, run.output);
    assert.match(run.output, /EOIDCEXCHANGE PyPI refused the OIDC token exchange \(mint-token, HTTP 422\): invalid-publisher/);
    assert.match(run.output, /workflow file name/);
    expect(repo.remoteTags()).toEqual(["v1.0.0"]);
    expect(repo.tags()).toEqual(["v1.0.0"]);
    expect(server.uploads()).toEqual([]);
    assert.equal(github.releases().length, releasesBefore, "no GitHub release");
    assert.ok(!existsSync(join(repo.dir, "dist")), "nothing was built");
    expect(steps(server)).toEqual(["audience", "id-token", "mint"]);
    assertNoSecrets(server, run.output);
  });

  test("a dry run says what it would probe and contacts nothing", async () => {
    needPythonTools();
    const server = await pypiServer({ publisher: { repository: "o/r", workflow: "publish.yml" } });
    const repo = exampleHistory("1.1.0", { releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: server.uploadUrl, indexUrl: server.indexUrl } } });
    repos.push(repo);
    const run = await runSemanticRelease(repo.dir, ["--no-ci", "--dry-run"], actionsReleaseEnv(github, server));
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /PyPI: a real run would now probe trusted publishing on 127\.0\.0\.1:\d+ \(audience → ID token → mint-token\) and discard the token/);
    expect(server.requests()).toEqual([]);
  });
});

describe("the probe, step by step", () => {
  test("GitHub Actions: a matching publisher mints one token, masked and thrown away; publish mints its own", async () => {
    needPythonTools();
    const server = await pypiServer();
    const env = { GITHUB_ACTIONS: "true", ACTIONS_ID_TOKEN_REQUEST_URL: server.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: server.requestToken };
    const { context, output } = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env });
    await pypi.verifyConditions(config(server), context);
    expect(steps(server)).toEqual(["audience", "id-token", "mint"]);
    const minted = server.secrets().filter((s) => s.startsWith("pypi-"));
    assert.equal(minted.length, 1);
    assert.match(output(), new RegExp(`::add-mask::${minted[0]}`), "the probe's token is masked in GitHub Actions");
    assert.match(output(), /trusted publishing works: a token was minted and discarded/);
    assertNoSecrets(server, output());
    expect(server.uploads()).toEqual([]);

    await pypi.prepare(config(server), context);
    await pypi.publish(config(server), context);
    assert.equal(server.files().length, 2);
    assert.equal(server.requests().filter((r) => r.step === "mint").length, 2, "publish minted a fresh token just in time");
  });

  test("GitLab: the single-use ID token is checked (audience, expiry) but not spent, so publish can still exchange it", async () => {
    needPythonTools();
    const server = await pypiServer();
    const wrong = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: { PYPI_ID_TOKEN: server.gitlabIdToken("o/r", "sigstore") } });
    let thrown: unknown;
    await pypi.verifyConditions(config(server), wrong.context).catch((error) => (thrown = error));
    const [error] = errorsOf(thrown);
    assert.equal(error?.code, "EOIDCEXCHANGE");
    assert.match(error.message, /checking PYPI_ID_TOKEN\): invalid-token/);
    assert.match(error.details, /issued for the audience "sigstore"; the index wants "pypi"/);
    assertNoSecrets(server, `${error.message}\n${error.details}\n${wrong.output()}`);

    const right = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: { PYPI_ID_TOKEN: server.gitlabIdToken("o/r") } });
    await pypi.verifyConditions(config(server), right.context);
    assert.match(right.output(), /PYPI_ID_TOKEN is an ID token for "pypi"; a GitLab ID token is single use/);
    assert.equal(server.requests().filter((r) => r.step === "mint").length, 0, "nothing exchanged yet");
    await pypi.prepare(config(server), right.context);
    await pypi.publish(config(server), right.context);
    assert.equal(server.files().length, 2, "publish exchanged the same ID token");
  });

  test("an API token is not probed; publish: false and dry runs probe nothing", async () => {
    needPythonTools();
    const server = await pypiServer();
    const oidc = { ACTIONS_ID_TOKEN_REQUEST_URL: server.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: server.requestToken };
    const token = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: { PYPI_TOKEN: "pypi-stored-token-value" } });
    await pypi.verifyConditions(config(server), token.context);
    assert.match(token.output(), /PYPI_TOKEN cannot be tried without uploading/);
    await pypi.verifyConditions(config(server, { publish: false }), pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: oidc }).context);
    await pypi.verifyConditions(config(server), pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: oidc, options: { dryRun: true } }).context);
    expect(server.requests()).toEqual([]);
  });
});
