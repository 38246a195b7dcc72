import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, test, expect } from "@jest/globals";
import { createDockerStandin, recordedMetadata } from "../support/docker-standin.js";
import { startGitHubServer } from "../support/github-server.js";
import { startPypiServer } from "../support/pypi-server.js";
import { exampleHistory, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { describeHits, scanForSecrets } from "../support/secrets.js";
import { needPythonTools } from "../support/tools.js";
import { actionsReleaseEnv } from "../support/actions-env.js";
import { startRegistry } from "../support/registry.js";
import { envPrefix } from "../../src/images/credentials.js";

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("the secret scanner", () => {
  test("finds a secret in an output, in a written file, and as Basic auth; ignores ::add-mask:: lines", () => {
    const repo = exampleHistory("1.1.0");
    cleanups.push(() => repo.cleanup());
    const secret = `pypi-${randomBytes(16).toString("hex")}`;
    const other = `ghs_${randomBytes(16).toString("hex")}`;
    writeFileSync(join(repo.dir, "release-manifest.json"), JSON.stringify({ leaked: secret }));
    mkdirSync(join(repo.dir, "dist"));
    writeFileSync(join(repo.dir, "dist", "auth.txt"), `Authorization: Basic ${Buffer.from(`__token__:${other}`).toString("base64")}`);
    const hits = scanForSecrets({
      secrets: { minted: secret, github: other, unused: `never-${randomBytes(8).toString("hex")}` },
      outputs: { run: `::add-mask::${secret}\nall fine`, other: `token=${other}` },
      paths: [repo.dir],
    });
    expect(hits.map((h) => `${h.secret}@${h.where.replace(repo.dir, "<repo>")}`).sort()).toEqual(["github@<repo>/dist/auth.txt", "github@output:other", "minted@<repo>/release-manifest.json"]);
    assert.doesNotMatch(describeHits(hits), new RegExp(secret), "a report names the secret, never shows it");
  });
});

describe("no secret leaks from a full release", () => {
  test("PyPI (trusted publishing, with faults), images and the artifacts section: no token in any output or written file", async () => {
    if (!needPythonTools()) return;
    const pypi = await startPypiServer();
    const github = await startGitHubServer();
    const docker = createDockerStandin();
    cleanups.push(() => pypi.close(), () => github.close(), () => docker.cleanup());
    docker.setScenario({ recorded: { "pytorch-cuda12": recordedMetadata(`sha256:${"a".repeat(64)}`, `sha256:${"b".repeat(64)}`) } });
    // The pre-tag probe asks a real registry whether these credentials may push (htpasswd auth on loopback).
    const registryPassword = `registry-pw-${randomBytes(20).toString("hex")}`;
    const registry = await startRegistry({ auth: { htpasswd: { llenergymeasure: registryPassword } } });
    cleanups.push(() => registry.stop());
    pypi.injectFault("mint", { status: 503 }, 1);
    pypi.injectFault("upload", "reset", 1);

    const repo: TempRepo = exampleHistory("1.1.0", {
      releaserc: {
        pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl, retry: { delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 } },
        images: { repository: `${registry.host}/llenergymeasure`, matrix: { backend: ["pytorch"], cuda: ["cuda12"] }, tlsVerify: false },
      },
    });
    cleanups.push(() => repo.cleanup());
    const summary = join(repo.root, "step-summary.md");
    const outputFile = join(repo.root, "github-output.txt");
    writeFileSync(summary, "");
    writeFileSync(outputFile, "");
    const secrets = {
      PYPI_TOKEN: `pypi-AgEIcHlwaS5vcmc${randomBytes(24).toString("hex")}`,
      REGISTRY_PASSWORD: registryPassword,
      GITHUB_TOKEN: github.token,
    };
    const run = await runSemanticRelease(repo.dir, ["--no-ci"], actionsReleaseEnv(github, pypi, "main", {
      PYPI_TOKEN: secrets.PYPI_TOKEN,
      [`${envPrefix(registry.host)}_USERNAME`]: "llenergymeasure",
      [`${envPrefix(registry.host)}_PASSWORD`]: registryPassword,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: outputFile,
      PATH: `${docker.bin}:${process.env.PATH}`,
    }));
    assert.equal(run.code, 0, run.output);

    // The run really used every credential, so a clean scan means something.
    assert.equal(pypi.files().length, 2, "both dists uploaded");
    assert.ok(pypi.secrets().length >= 4, "request token, ID tokens and minted tokens were issued");
    const login = docker.calls().find((c) => c.argv[0] === "login");
    assert.equal(login?.stdin, registryPassword, "the registry password went to docker login on stdin");
    assert.ok(!login!.argv.includes(registryPassword), "never in argv");
    assert.match(readFileSync(summary, "utf8"), /sha256/, "the job summary was written");
    assert.equal(github.releases().length, 1);

    const issued = Object.fromEntries(pypi.secrets().map((s, i) => [i === 0 ? "request token" : s.startsWith("pypi-") ? `minted token #${i}` : `ID token #${i}`, s]));
    const hits = scanForSecrets({
      secrets: { ...issued, ...secrets },
      outputs: { "semantic-release": run.output, "GitHub release body": JSON.stringify(github.releases()) },
      paths: [repo.dir, summary, outputFile],
    });
    expect(hits).toEqual([]);
  });
});
