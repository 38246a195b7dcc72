import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, test, expect } from "@jest/globals";
import * as pypi from "../../src/plugins/pypi.js";
import { errorsOf, pluginContext } from "../support/plugin-context.js";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { EXAMPLE_DIR, git, NO_PROVENANCE } from "../support/repo.js";
import { CURRENT_PYTHON, needPythonTools, OLDEST_PYTHON } from "../support/tools.js";

/**
 * The supported toolchain range: the example project built, checked and uploaded through
 * the plugin's steps with the oldest toolchain (Debian 12: build 0.9, twine 4.0.2, its
 * hatchling 1.12) and the current one from PyPI (build 1.6, or uv; twine 7.0; hatchling
 * 1.33), against the PyPI stand-in.
 */

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const SDIST = "llenergymeasure_demo-2.0.0.tar.gz";
const WHEEL = "llenergymeasure_demo-2.0.0-py3-none-any.whl";
const RETRY = { attempts: 2, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 };

function project() {
  const root = mkdtempSync(join(tmpdir(), "pyrelease-toolchain-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, "project");
  cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (src) => !/(^|\/)(dist|__pycache__)$/.test(src) });
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["add", "-A"]);
  // A fixed commit time: SOURCE_DATE_EPOCH, so two toolchains can be compared byte for byte.
  git(dir, ["commit", "-q", "-m", "feat: demo"], { GIT_AUTHOR_DATE: "2025-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2025-01-01T00:00:00Z" });
  return { dir, gitHead: git(dir, ["rev-parse", "HEAD"]) };
}

async function releaseWith(pypiOptions: Record<string, unknown>) {
  const server: PypiServer = await startPypiServer();
  cleanups.push(() => server.close());
  const p = project();
  const config = { provenance: NO_PROVENANCE, pypi: { repositoryUrl: server.uploadUrl, indexUrl: server.indexUrl, retry: RETRY, ...pypiOptions } };
  const env = { GITHUB_ACTIONS: "true", ACTIONS_ID_TOKEN_REQUEST_URL: server.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: server.requestToken };
  const { context, output } = pluginContext({ cwd: p.dir, gitHead: p.gitHead, env });
  const started = Date.now();
  try {
    await pypi.verifyConditions(config, context);
    await pypi.prepare(config, context);
    await pypi.publish(config, context);
    return { server, output: output(), errors: [] as ReturnType<typeof errorsOf>, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    return { server, output: output(), errors: errorsOf(error), seconds: (Date.now() - started) / 1000 };
  }
}

const uploaded = (server: PypiServer) => Object.fromEntries(server.files().map((f) => [f.filename, { metadataVersion: f.metadataVersion, sha256: f.sha256 }]));

describe("toolchain range", () => {
  const TOOLCHAINS = [
    { name: "oldest: Debian 12's build 0.9, twine 4.0.2, hatchling 1.12", options: { python: OLDEST_PYTHON, buildArgs: ["--no-isolation", "--skip-dependency-check"] }, says: /builds with build 0\.9\.0 and checks with twine 4\.0\.2/, metadata: "2.1" },
    { name: "current: build 1.6.1, twine 7.0.0, hatchling 1.33", options: { python: CURRENT_PYTHON, buildArgs: ["--no-isolation", "--skip-dependency-check"] }, says: /builds with build 1\.6\.1 and checks with twine 7\.0\.0/, metadata: "2.5" },
    { name: "current with uv 0.13.9", options: { python: CURRENT_PYTHON, builder: "uv", buildArgs: ["--no-build-isolation"] }, says: /builds with uv 0\.13\.9 and checks with twine 7\.0\.0/, metadata: "2.5" },
  ];
  const results: Record<string, ReturnType<typeof uploaded>> = {};

  for (const toolchain of TOOLCHAINS) {
    test(`${toolchain.name}: builds, checks and uploads the example`, async () => {
      needPythonTools();
      const run = await releaseWith(toolchain.options);
      expect(run.errors).toEqual([]);
      assert.match(run.output, toolchain.says);
      results[toolchain.name] = uploaded(run.server);
      expect(Object.keys(results[toolchain.name]).sort()).toEqual([WHEEL, SDIST]);
      for (const file of Object.values(results[toolchain.name])) assert.equal(file.metadataVersion, toolchain.metadata, "the Metadata-Version twine sent");
      console.log(`${toolchain.name}: released in ${run.seconds.toFixed(1)} s`);
    });
  }

  test("uv and python -m build make byte-identical files from the same commit", () => {
    const [, build, uv] = TOOLCHAINS.map((t) => results[t.name]);
    assert.ok(build && uv, "both current runs released");
    expect(uv).toEqual(build);
  });

  test("the oldest twine with a current, isolated hatchling: ETWINEMETADATA names what twine reads, asked of twine itself", async () => {
    needPythonTools();
    // An isolated build installs the newest hatchling from PyPI, which writes Metadata-Version 2.4 or later.
    const run = await releaseWith({ python: OLDEST_PYTHON, buildArgs: [], dists: ["wheel"] });
    expect(run.errors.map((e) => e.code)).toEqual(["ETWINEMETADATA"]);
    assert.match(run.errors[0].message, /^twine 4\.0\.2 cannot read Metadata-Version 2\.[4-9] \(it reads 1\.0, 1\.1, 1\.2, 2\.0, 2\.1, 2\.2\)\.$/);
    assert.match(run.errors[0].details, /python -m pip install --upgrade twine/);
    expect(run.server.uploads()).toEqual([]);
  });
});
