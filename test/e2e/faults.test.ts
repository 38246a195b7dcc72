import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test, expect } from "@jest/globals";
import { errorTexts } from "../../src/errors.js";
import * as artifacts from "../../src/plugins/artifacts.js";
import * as images from "../../src/plugins/images.js";
import * as pypi from "../../src/plugins/pypi.js";
import { createDockerStandin, recordedMetadata, type DockerStandin } from "../support/docker-standin.js";
import { startGitHubServer, type Fault as GitHubFault, type GitHubRoute } from "../support/github-server.js";
import { errorsOf, makeProject, pluginContext, type Project } from "../support/plugin-context.js";
import { startPypiServer, type Fault as PypiFault, type PypiServer, type Step } from "../support/pypi-server.js";
import { NO_PROVENANCE, TEST_PYPI_OPTIONS } from "../support/repo.js";
import { describeHits, scanForSecrets } from "../support/secrets.js";
import { needPythonTools } from "../support/tools.js";

/**
 * Fault injection at every network step of a publish: the GitHub ID token, PyPI's
 * audience, mint-token, JSON API, each upload, each image push, and the GitHub release
 * PATCH. Each fault is either retried to success, or ends in a documented error after
 * which a rerun (what `pyrelease resume` does) finishes the release without duplicates.
 */

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let project: Project;
let docker: DockerStandin;
const tally = { injected: 0, survived: 0, retried: 0, resumed: 0 };
const outcomes: string[] = [];
const RETRY = { attempts: 3, delayMs: 10, requestTimeoutMs: 1_500, uploadTimeoutMs: 6_000 };
const VERSION = "2.0.0";
const FILES = ["llenergymeasure_demo-2.0.0-py3-none-any.whl", "llenergymeasure_demo-2.0.0.tar.gz"];

beforeAll(() => {
  project = makeProject();
  docker = createDockerStandin();
  cleanups.push(() => project.cleanup(), () => docker.cleanup());
});

interface World {
  pypi: PypiServer;
  github: Awaited<ReturnType<typeof startGitHubServer>>;
  output: string[];
}

async function world(): Promise<World> {
  const pypiServer = await startPypiServer();
  const github = await startGitHubServer();
  cleanups.push(() => pypiServer.close(), () => github.close());
  github.addRelease({ tag_name: `v${VERSION}`, draft: true, body: "## Notes\n" });
  return { pypi: pypiServer, github, output: [] };
}

const config = (w: World) => ({ pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: w.pypi.uploadUrl, indexUrl: w.pypi.indexUrl, retry: RETRY }, provenance: NO_PROVENANCE });
const env = (w: World) => ({
  GITHUB_ACTIONS: "true",
  ACTIONS_ID_TOKEN_REQUEST_URL: w.pypi.idTokenRequestUrl,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: w.pypi.requestToken,
  GITHUB_TOKEN: w.github.token,
  GITHUB_API_URL: w.github.url,
});

/** PyPI publish, then the artifacts section into the draft: the network half of a release. */
async function publishFlow(w: World): Promise<void> {
  const { context, output } = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: env(w), version: VERSION });
  try {
    const result = await pypi.publish(config(w), context);
    await artifacts.success({}, { ...context, releases: [{ ...(result as object), pluginName: "semantic-release-config-pyproject/pypi" }] });
  } finally {
    w.output.push(output());
  }
}

function assertFinishedOnce(w: World) {
  const stored = w.pypi.uploads().filter((u) => u.outcome === "stored").map((u) => u.filename).sort();
  // each file stored exactly once
  expect(stored).toEqual(FILES);
  const [release] = w.github.releases();
  assert.equal(w.github.releases().length, 1);
  assert.equal(release.body!.split("<!-- pyrelease:artifacts:start -->").length, 2, "one artifacts section");
  for (const file of w.pypi.files()) assert.ok(release.body!.includes(file.sha256));
  const hits = scanForSecrets({ secrets: Object.fromEntries([...w.pypi.secrets(), w.github.token].map((s, i) => [`secret #${i}`, s])), outputs: { run: w.output.join("\n") } });
  expect(hits).toEqual([]);
}

/** Run `flow`; on a documented failure, run it again (the resume). Counts the fault as survived when the release ends complete. */
async function survive(flow: () => Promise<void>, check: () => void): Promise<"retried" | "resumed"> {
  tally.injected++;
  let outcome: "retried" | "resumed" = "retried";
  try {
    await flow();
  } catch (error) {
    for (const e of errorsOf(error)) assert.ok(e.code in errorTexts, `a clean failure has a documented code, not: ${e.stack}`);
    outcome = "resumed";
    await flow();
  }
  check();
  tally.survived++;
  tally[outcome]++;
  return outcome;
}

type PypiCase = { step: Step; fault: PypiFault; times?: number; after?: number; label: string; expect?: "retried" | "resumed" };
const PYPI_FAULTS: PypiCase[] = [
  { step: "id-token", fault: { status: 503 }, label: "ID token: 503" },
  { step: "id-token", fault: "reset", label: "ID token: reset connection" },
  { step: "id-token", fault: { delayMs: 3_000 }, label: "ID token: no answer in time" },
  { step: "id-token", fault: "expired", label: "ID token: expired token", expect: "resumed" },
  { step: "audience", fault: { status: 502 }, label: "audience: 502" },
  { step: "audience", fault: "reset", label: "audience: reset connection" },
  { step: "audience", fault: { delayMs: 3_000 }, label: "audience: slow answer" },
  { step: "audience", fault: { status: 503 }, times: 3, label: "audience: down for every try", expect: "resumed" },
  { step: "mint", fault: { status: 503 }, label: "mint: 503" },
  { step: "mint", fault: "reset", label: "mint: reset connection" },
  { step: "mint", fault: { delayMs: 3_000 }, label: "mint: slow answer" },
  { step: "mint", fault: "expired", label: "mint: minted token already expired" },
  { step: "json", fault: { status: 500 }, label: "JSON API: 500" },
  { step: "json", fault: "reset", label: "JSON API: reset connection" },
  { step: "json", fault: { status: 503 }, times: 3, label: "JSON API: down for every try" },
  { step: "upload", fault: { status: 503 }, label: "first upload: 503" },
  { step: "upload", fault: { status: 503 }, after: 1, label: "second upload: 503" },
  { step: "upload", fault: "reset", label: "first upload: reset connection" },
  { step: "upload", fault: "reset", after: 1, label: "second upload: reset connection" },
  { step: "upload", fault: "expired", label: "first upload: token expired (403)" },
  { step: "upload", fault: { delayMs: 8_000 }, after: 1, label: "second upload: slower than the timeout (it lands)" },
  { step: "upload", fault: { status: 503 }, times: 18, after: 1, label: "second upload: 503 on every try (twine retries 5 times itself)", expect: "resumed" },
];

const GITHUB_FAULTS: { route: GitHubRoute; fault: GitHubFault; times?: number; label: string }[] = [
  { route: "PATCH /repos/{owner}/{repo}/releases/{release_id}", fault: { status: 502 }, label: "release PATCH: 502" },
  { route: "PATCH /repos/{owner}/{repo}/releases/{release_id}", fault: { reset: true }, label: "release PATCH: reset connection" },
  { route: "GET /repos/{owner}/{repo}/releases", fault: { status: 503 }, times: 2, label: "release lookup: 503 twice" },
];

describe("fault injection", () => {
  test("build the dists once", async () => {
    if (!needPythonTools()) return;
    const w = await world();
    const { context } = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: env(w), version: VERSION });
    await pypi.prepare(config(w), context);
  });

  for (const c of PYPI_FAULTS) {
    test(`PyPI ${c.label}`, async () => {
      if (!needPythonTools()) return;
      const w = await world();
      w.pypi.injectFault(c.step, c.fault, c.times ?? 1, c.after ?? 0);
      const outcome = await survive(() => publishFlow(w), () => assertFinishedOnce(w));
      if (c.expect) assert.equal(outcome, c.expect);
      outcomes.push(`${c.label}: ${outcome}`);
    });
  }

  for (const c of GITHUB_FAULTS) {
    test(`GitHub ${c.label}`, async () => {
      if (!needPythonTools()) return;
      const w = await world();
      w.github.injectFault(c.route, c.fault, c.times ?? 1);
      const outcome = await survive(() => publishFlow(w), () => assertFinishedOnce(w));
      outcomes.push(`${c.label}: ${outcome}`);
    });
  }

  const TARGETS = ["pytorch-cuda12", "vllm-cuda12"];
  const recorded = Object.fromEntries(TARGETS.map((target, i) => [target, recordedMetadata(`sha256:${String(i).repeat(64)}`, `sha256:${"e".repeat(64)}`)]));
  const imagesConfig = { images: { repository: "docker.io/llenergymeasure", matrix: { backend: ["pytorch", "vllm"], cuda: ["cuda12"] }, retry: { attempts: 2, delayMs: 10 } } };
  const imageFaults: { label: string; target: string; times: number; expect: "retried" | "resumed" }[] = [
    { label: "push of pytorch-cuda12: 503 once", target: "pytorch-cuda12", times: 1, expect: "retried" },
    { label: "push of vllm-cuda12: registry down for every try", target: "vllm-cuda12", times: 2, expect: "resumed" },
  ];
  for (const c of imageFaults) {
    test(`image ${c.label}`, async () => {
      docker.setScenario({ recorded, failures: { [c.target]: { message: "failed to push: unexpected status from PUT request: 503 Service Unavailable", times: c.times } } });
      const { context } = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: { PATH: `${docker.bin}:${process.env.PATH}`, HOME: process.env.HOME }, version: VERSION });
      const outcome = await survive(
        async () => void (await images.publish(imagesConfig, context)),
        () => {
          const tagged = docker.calls().filter((call) => call.argv[1] === "imagetools").map((call) => call.argv.at(-1));
          assert.equal(tagged.length, TARGETS.length, "each image tagged once, only after all were pushed");
          assert.equal(new Set(tagged).size, TARGETS.length);
        },
      );
      assert.equal(outcome, c.expect);
      outcomes.push(`${c.label}: ${outcome}`);
    });
  }

  test("tally", () => {
    console.log([...outcomes, `faults survived: ${tally.survived} / injected: ${tally.injected} (retried to success: ${tally.retried}, finished by a rerun: ${tally.resumed})`].join("\n"));
    assert.equal(tally.survived, tally.injected);
  });
});
