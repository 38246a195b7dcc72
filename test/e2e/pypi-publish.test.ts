import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, test, expect } from "@jest/globals";
import { format } from "node:util";
import type { Context } from "../../src/context.js";
import * as pypi from "../../src/plugins/pypi.js";
import { readPypiOptions } from "../../src/pypi/options.js";
import { prepareDists } from "../../src/pypi/prepare.js";
import { publishDists } from "../../src/pypi/publish.js";
import { EXAMPLE_DIR, git, NO_PROVENANCE } from "../support/repo.js";
import { startPypiServer, type PypiServer, type PypiServerOptions } from "../support/pypi-server.js";
import { needPythonTools, CURRENT_PYTHON } from "../support/tools.js";

const WHEEL = "llenergymeasure_demo-2.0.0-py3-none-any.whl";
const SDIST = "llenergymeasure_demo-2.0.0.tar.gz";

interface Fixture {
  server: PypiServer;
  dir: string;
  gitHead: string;
  config: Record<string, any>;
  /** A semantic-release-like context whose logger and stdout write into `output()`. */
  context(env?: Record<string, string | undefined>, overrides?: Partial<Context>): Context;
  output(): string;
}

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function fixture(serverOptions: PypiServerOptions = {}, pypiOptions: Record<string, unknown> = {}): Promise<Fixture> {
  const server = await startPypiServer(serverOptions);
  const root = mkdtempSync(join(tmpdir(), "pyrelease-pypi-"));
  const dir = join(root, "project");
  cpSync(EXAMPLE_DIR, dir, { recursive: true });
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "feat: demo"]);
  const gitHead = git(dir, ["rev-parse", "HEAD"]);
  cleanups.push(() => server.close(), () => rmSync(root, { recursive: true, force: true }));
  let buffer = "";
  const line = (level: string) => (...args: unknown[]) => void (buffer += `[${level}] ${format(...args)}\n`);
  const config = {
    provenance: NO_PROVENANCE,
    pypi: {
      repositoryUrl: server.uploadUrl,
      indexUrl: server.indexUrl,
      python: CURRENT_PYTHON,
      buildArgs: ["--no-isolation", "--skip-dependency-check"],
      retry: { delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 },
      ...pypiOptions,
    },
  };
  return {
    server,
    dir,
    gitHead,
    config,
    output: () => buffer,
    context: (env = githubEnv(server), overrides = {}) => ({
      cwd: dir,
      env,
      logger: { log: line("log"), warn: line("warn"), error: line("error"), success: line("success") },
      stdout: { write: (text: string) => ((buffer += text), true) } as unknown as NodeJS.WriteStream,
      options: { dryRun: false, tagFormat: "v${version}" },
      branch: { name: "main", type: "release", main: true },
      nextRelease: { version: "2.0.0", gitTag: "v2.0.0", gitHead, channel: null, type: "major" },
      ...overrides,
    }),
  };
}

function githubEnv(server: PypiServer): Record<string, string> {
  return { GITHUB_ACTIONS: "true", ACTIONS_ID_TOKEN_REQUEST_URL: server.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: server.requestToken };
}

async function release(f: Fixture, context = f.context()) {
  await pypi.verifyConditions(f.config, context);
  await pypi.verifyRelease(f.config, context);
  await pypi.prepare(f.config, context);
  return pypi.publish(f.config, context);
}

/** No secret the server issued may appear anywhere, except on the `::add-mask::` lines that hide it in GitHub Actions. */
function assertNoSecrets(server: PypiServer, ...texts: string[]) {
  for (const text of texts) {
    const visible = text.split("\n").filter((l) => !l.startsWith("::add-mask::")).join("\n");
    for (const secret of server.secrets()) assert.ok(!visible.includes(secret), `a secret leaked:\n${visible}`);
  }
}

function errorText(error: unknown): string {
  const errors = error instanceof AggregateError ? error.errors : [error];
  return errors.map((e: any) => `${e.code} ${e.message}\n${e.details}`).join("\n");
}

const stored = (server: PypiServer) => server.uploads().filter((u) => u.outcome === "stored").map((u) => u.filename).sort();

describe("pypi plugin against the PyPI stand-in, with real build and twine", () => {
  test("builds, checks and uploads the sdist and the wheel once each through trusted publishing", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    const result = await release(f);
    expect(stored(f.server)).toEqual([WHEEL, SDIST]);
    assert.equal(f.server.uploads().length, 2, "no upload was sent twice");
    const files = f.server.files();
    assert.ok(result && typeof result === "object");
    assert.equal(result.name, "PyPI");
    assert.equal(result.url, `${f.server.indexUrl}project/llenergymeasure-demo/2.0.0/`);
    expect(result.files.map((x) => x.filename).sort()).toEqual([WHEEL, SDIST]);
    for (const file of result.files) {
      const onIndex = files.find((s) => s.filename === file.filename)!;
      assert.equal(file.sha256, onIndex.sha256);
      assert.equal(file.size, onIndex.size);
      // dist/ holds what was uploaded
      expect(readFileSync(join(f.dir, "dist", file.filename))).toEqual(onIndex.bytes);
    }
    const out = f.output();
    assert.match(out, /::add-mask::pypi-/, "the minted token is masked in GitHub Actions");
    assert.match(out, /::group::twine upload/);
    assertNoSecrets(f.server, out);
    const mints = f.server.requests().filter((r) => r.step === "mint");
    assert.equal(mints.length, 2, "one probe in verifyConditions, then one token for the whole publish");
    assert.match(out, /trusted publishing works: a token was minted and discarded/);
  });

  test("a 503 on mint and five on upload (twine's own retries) are retried to success", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    f.server.injectFault("mint", { status: 503 }, 1, 1); // the probe's mint passes; publish's first fails
    f.server.injectFault("upload", { status: 503 }, 5);
    await release(f);
    expect(stored(f.server)).toEqual([WHEEL, SDIST]);
    assert.equal(f.server.uploads().filter((u) => u.outcome === "fault").length, 5);
    assert.equal(f.server.requests().filter((r) => r.step === "mint").length, 3, "the probe, then two tries at publish");
    assert.equal(f.server.requests().filter((r) => r.step === "id-token").length, 3, "a fresh ID token for every mint: JWTs are single use");
    assert.match(f.output(), /mint-token failed \(HTTP 503\)/);
    assert.match(f.output(), /Uploading llenergymeasure_demo-2\.0\.0-py3-none-any\.whl, llenergymeasure_demo-2\.0\.0\.tar\.gz failed \(Service Unavailable\); trying again/);
    assertNoSecrets(f.server, f.output());
  });

  test("a reset connection and a slow answer are retried; a slow upload that landed is not sent again", async () => {
    if (!needPythonTools()) return;
    const f = await fixture({}, { retry: { delayMs: 10, requestTimeoutMs: 2_000, uploadTimeoutMs: 8_000 } });
    f.server.injectFault("json", "reset", 1);
    f.server.injectFault("upload", { delayMs: 12_000 }, 1);
    await release(f);
    expect(stored(f.server)).toEqual([WHEEL, SDIST]);
    assert.equal(f.server.uploads().length, 2, "the wheel stored by the slow request was found on the index, not uploaded again");
    assert.match(f.output(), /no answer within 8s/);
  });

  test("a file name already on the index with other bytes stops the release before any upload (EFILEEXISTS)", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    f.server.addFile(SDIST, Buffer.from("an older, different sdist"), "llenergymeasure-demo", "2.0.0");
    await assert.rejects(release(f), (error: any) => {
      assert.equal(error.code, "EFILEEXISTS");
      assert.match(error.message, /llenergymeasure_demo-2\.0\.0\.tar\.gz/);
      return true;
    });
    assert.equal(f.server.uploads().length, 0, "nothing uploaded");
    assert.equal(f.server.requests().filter((r) => r.step === "mint").length, 1, "only the probe's: no upload token minted for nothing");
  });

  test("a rerun after a partial upload rebuilds byte-identical files and sends only the missing one", async () => {
    if (!needPythonTools()) return;
    const f = await fixture({}, { retry: { attempts: 1, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 } });
    f.server.injectFault("upload", { status: 502, reason: "Bad Gateway" }, 5, 1);
    await assert.rejects(release(f), (error: any) => {
      assert.equal(error.code, "EUPLOAD");
      assert.match(error.message, /llenergymeasure_demo-2\.0\.0\.tar\.gz.*HTTP 502/);
      return true;
    });
    expect(stored(f.server)).toEqual([WHEEL]);
    rmSync(join(f.dir, "dist"), { recursive: true });

    const uploadsBefore = f.server.uploads().length;
    const rerun = f.context();
    const result = await release(f, rerun);
    const sent = f.server.uploads().slice(uploadsBefore);
    expect(sent.map((u) => [u.filename, u.outcome])).toEqual([[SDIST, "stored"]]);
    assert.match(f.output(), /llenergymeasure_demo-2\.0\.0-py3-none-any\.whl is already on .* same sha256/);
    assert.ok(result && result.files.length === 2, "the result lists every file of the release");
  });

  test("an invalid-publisher refusal is EOIDCEXCHANGE with PyPI's code and a hint, and uploads nothing", async () => {
    if (!needPythonTools()) return;
    const f = await fixture({ publisher: { repository: "o/r", workflow: "publish.yml" } });
    await assert.rejects(release(f), (error: any) => {
      assert.equal(error.code, "EOIDCEXCHANGE");
      assert.match(error.message, /invalid-publisher/);
      assert.match(error.details, /workflow file name/);
      assert.match(error.details, /HTTP 422|no corresponding publisher/);
      assertNoSecrets(f.server, errorText(error));
      return true;
    });
    assert.equal(f.server.uploads().length, 0);
    assertNoSecrets(f.server, f.output());
  });

  test("an expired upload token is replaced once and the upload goes through", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    f.server.injectFault("mint", "expired", 1, 1); // publish's token, not the probe's
    await release(f);
    expect(stored(f.server)).toEqual([WHEEL, SDIST]);
    assert.equal(f.server.uploads().filter((u) => u.status === 403).length, 1);
    assert.equal(f.server.requests().filter((r) => r.step === "mint").length, 3, "the probe, the expired token, its replacement");
    assertNoSecrets(f.server, f.output());
  });

  test("a token older than 10 minutes is replaced before the next upload", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    const context = f.context();
    const { options } = readPypiOptions(f.config);
    const out = { logger: context.logger, env: context.env, write: (text: string) => void context.stdout!.write(text) };
    const files = await prepareDists({ options, cwd: f.dir, pyprojectFile: join(f.dir, "pyproject.toml"), name: "llenergymeasure-demo", version: "2.0.0", gitHead: f.gitHead, out });
    let clock = Date.now();
    const now = () => (clock += 6 * 60_000); // every look at the clock: six minutes later
    f.server.injectFault("upload", { status: 503 }, 5); // twine's five tries: the second try comes later
    await publishDists({ options, cwd: f.dir, env: context.env, name: "llenergymeasure-demo", version: "2.0.0", files, out, now });
    expect(stored(f.server)).toEqual([WHEEL, SDIST]);
    assert.equal(f.server.requests().filter((r) => r.step === "mint").length, 2, "minted once, then again before the second try");
    assert.match(f.output(), /older than 10 minutes: minting a fresh one/);
  });

  test("GitLab's PYPI_ID_TOKEN is exchanged the same way", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    const env = { PYPI_ID_TOKEN: f.server.gitlabIdToken("o/r") };
    await release(f, f.context(env));
    expect(stored(f.server)).toEqual([WHEEL, SDIST]);
    assert.equal(f.server.requests().filter((r) => r.step === "id-token").length, 0);
    assertNoSecrets(f.server, f.output());
  });

  test("publish: false builds and checks but uploads nothing, and needs no credentials", async () => {
    if (!needPythonTools()) return;
    const f = await fixture({}, { publish: false });
    const context = f.context({});
    const result = await release(f, context);
    assert.equal(result, false);
    assert.equal(f.server.requests().length, 0, "the index was never contacted");
    assert.match(f.output(), /twine check --strict/);
    assert.match(f.output(), /Built llenergymeasure_demo-2\.0\.0\.tar\.gz: \d+ bytes, sha256 [0-9a-f]{64}/);
    assert.match(f.output(), /nothing is uploaded/);
  });

  test("without credentials verifyConditions fails with ENOPYPIAUTH, but a dry run only warns and shows the plan", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    await assert.rejects(pypi.verifyConditions(f.config, f.context({})), (error: any) => {
      assert.equal(error.code, "ENOPYPIAUTH");
      assert.match(error.details, /id-token: write/);
      assert.match(error.details, /fork/);
      return true;
    });
    const dry = f.context({}, { options: { dryRun: true } });
    await pypi.verifyConditions(f.config, dry);
    await pypi.verifyRelease(f.config, dry);
    assert.match(f.output(), /\[warn\] No way to authenticate/);
    assert.match(f.output(), /will build llenergymeasure_demo-2\.0\.0\.tar\.gz and llenergymeasure_demo-2\.0\.0-\*\.whl into dist and upload them to http:\/\/127\.0\.0\.1/);
    assert.equal(f.server.requests().length, 0);
  });

  test("files that carry another version than the release are refused (EDISTVERSION), nothing is uploaded", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    const context = f.context(undefined, { nextRelease: { version: "2.1.0", gitTag: "v2.1.0", gitHead: f.gitHead, channel: null, type: "minor" } });
    await assert.rejects(pypi.prepare(f.config, context), (error: any) => {
      assert.equal(error.code, "EDISTVERSION");
      assert.match(error.details, /version 2\.0\.0, expected 2\.1\.0/);
      return true;
    });
    assert.equal(f.server.requests().length, 0);
  });

  test("a README twine check --strict rejects is ETWINECHECK", async () => {
    if (!needPythonTools()) return;
    const f = await fixture();
    const pyproject = readFileSync(join(f.dir, "pyproject.toml"), "utf8").replace('readme = "README.md"', 'readme = "README.rst"');
    writeFileSync(join(f.dir, "pyproject.toml"), pyproject);
    writeFileSync(join(f.dir, "README.rst"), "Demo\n====\n\n.. broken-directive::\n\n`unclosed\n");
    git(f.dir, ["add", "-A"]);
    git(f.dir, ["commit", "-q", "-m", "docs: an rst README"]);
    const context = f.context(undefined, { nextRelease: { version: "2.0.0", gitTag: "v2.0.0", gitHead: git(f.dir, ["rev-parse", "HEAD"]), channel: null, type: "major" } });
    await assert.rejects(pypi.prepare(f.config, context), (error: any) => {
      assert.equal(error.code, "ETWINECHECK");
      assert.match(error.details, /FAILED|warning|error/i);
      return true;
    });
  });

  test("a missing interpreter module is ENOPYTHONTOOLS naming it", async () => {
    if (!needPythonTools()) return;
    const f = await fixture({}, { python: "/usr/bin/python3-does-not-exist" });
    await assert.rejects(pypi.verifyConditions(f.config, f.context()), (error: any) => {
      assert.equal(error.code, "ENOPYTHONTOOLS");
      assert.match(error.message, /-m build.* and .* -m twine/);
      return true;
    });
  });
});
