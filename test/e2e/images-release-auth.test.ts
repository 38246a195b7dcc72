import { afterAll, beforeAll, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envPrefix } from "../../src/images/credentials.js";
import { actionsReleaseEnv, podmanEnv, podmanFiles } from "../support/actions-env.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { REGISTRY_BIN, startRegistry, type LocalRegistry } from "../support/registry.js";
import { exampleHistory, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { startTokenServer, type TokenServer } from "../support/token-server.js";
import { needPythonTools, needTool } from "../support/tools.js";

/**
 * The real semantic-release CLI against a registry that demands tokens (a real
 * docker-registry trusting a loopback Docker token server): credentials the token server
 * refuses stop the release before the tag (nothing tagged in git, nothing uploaded to the
 * PyPI stand-in, no draft, no repository created); the right ones release, and every
 * image gets exactly `v{version}` and `latest` (llenergymeasure's GHCR layout).
 */
let work: string;
let github: GitHubServer;
let pypi: PypiServer;
let tokens: TokenServer;
let registry: LocalRegistry;
const repos: TempRepo[] = [];
const PASSWORD = "s3cret-registry-password";

function needAll(): boolean {
  return needPythonTools() && needTool(["podman", "--version"], "podman") && needTool([REGISTRY_BIN, "--version"], "docker-registry") && needTool(["openssl", "version"], "openssl");
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pyrelease-release-auth-"));
  for (const [name, text] of Object.entries(podmanFiles(work))) writeFileSync(join(work, name), text);
  github = await startGitHubServer();
  pypi = await startPypiServer();
  needAll();
  tokens = await startTokenServer({ users: { releasebot: { password: PASSWORD, grants: [{ repository: "llenergymeasure/*", actions: ["pull", "push"] }] } } });
  registry = await startRegistry({ auth: { token: tokens } });
});
afterAll(async () => {
  await github?.close();
  await pypi?.close();
  await registry?.stop();
  await tokens?.close();
  repos.forEach((repo) => repo.cleanup());
  rmSync(work, { recursive: true, force: true });
});

test("refused registry credentials: exit 1 with EREGISTRYAUTH, nothing tagged or uploaded; the right ones push v{version} and latest on every image", async () => {
  if (!needAll()) return;
  const repo = exampleHistory("1.1.0", {
    releaserc: {
      pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl },
      images: {
        repository: `${registry.host}/llenergymeasure`,
        matrix: { backend: ["pytorch", "vllm", "tensorrt"] },
        tags: ["v{version}"],
        latest: {},
        latestTags: ["latest"],
        builder: "podman",
        tlsVerify: false,
        retry: { attempts: 2, delayMs: 10 },
      },
    },
  });
  repos.push(repo);
  const env = (password: string) =>
    actionsReleaseEnv(github, pypi, "main", { ...podmanEnv(work), [`${envPrefix(registry.host)}_USERNAME`]: "releasebot", [`${envPrefix(registry.host)}_PASSWORD`]: password });

  const refused = await runSemanticRelease(repo.dir, [], env("not-the-password"));
  assert.notEqual(refused.code, 0, refused.output);
  assert.match(refused.output, /EREGISTRYAUTH /);
  assert.match(refused.output, new RegExp(`releasebot from ${envPrefix(registry.host)}_USERNAME/_PASSWORD`));
  assert.ok(!refused.output.includes("not-the-password"), "the refused password is never printed");
  expect(repo.remoteTags()).toEqual(["v1.0.0"]);
  expect(pypi.uploads()).toEqual([]);
  expect(github.releases()).toEqual([]);
  expect(await registry.catalog()).toEqual([]);

  const released = await runSemanticRelease(repo.dir, [], env(PASSWORD));
  assert.equal(released.code, 0, released.output);
  expect(repo.remoteTags().sort()).toEqual(["v1.0.0", "v1.1.0"]);
  assert.equal(pypi.uploads().filter((u) => u.outcome === "stored").length, 2);
  for (const backend of ["pytorch", "vllm", "tensorrt"]) {
    expect(await registry.tags(`llenergymeasure/${backend}`)).toEqual(["latest", "v1.1.0"]);
    assert.equal(await registry.digest(`llenergymeasure/${backend}`, "latest"), await registry.digest(`llenergymeasure/${backend}`, "v1.1.0"));
  }
  assert.ok(!released.output.includes(PASSWORD));
});
