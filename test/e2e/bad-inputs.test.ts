import assert from "node:assert/strict";
import { afterAll, beforeAll, describe, test, expect } from "@jest/globals";
import type { Context } from "../../src/context.js";
import { errorTexts } from "../../src/errors.js";
import * as artifacts from "../../src/plugins/artifacts.js";
import * as images from "../../src/plugins/images.js";
import * as pypi from "../../src/plugins/pypi.js";
import * as pyproject from "../../src/plugins/pyproject.js";
import { createDockerStandin, type DockerStandin } from "../support/docker-standin.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { errorsOf, fakePython, makeProject, pluginContext, STACK_FRAME, type Project } from "../support/plugin-context.js";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { exampleHistory, examplePyproject, exampleVersionFiles, NO_PROVENANCE, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { needPythonTools, OLDEST_PYTHON } from "../support/tools.js";

/**
 * The bad-input corpus: every mistake a user (or a server) can make ends with its
 * documented code, a message that says how to fix it, no stack trace of ours, and nothing
 * published, tagged or released. Most cases call the plugin steps directly, as
 * semantic-release does; a handful run the real semantic-release CLI.
 */

const WHEEL = "llenergymeasure_demo-2.0.0-py3-none-any.whl";
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

let github: GitHubServer;
let docker: DockerStandin;
/** A committed example project whose dists pypi.prepare built once (publish reuses them). */
let built: Project;
const servers: PypiServer[] = [];

beforeAll(async () => {
  github = await startGitHubServer();
  docker = createDockerStandin();
  built = makeProject();
  cleanups.push(() => github.close(), () => docker.cleanup(), () => built.cleanup());
});

async function pypiServer(options: Parameters<typeof startPypiServer>[0] = {}): Promise<PypiServer> {
  const server = await startPypiServer(options);
  servers.push(server);
  cleanups.push(() => server.close());
  return server;
}

const RETRY = { attempts: 2, delayMs: 10, requestTimeoutMs: 3_000, uploadTimeoutMs: 60_000 };
const pypiConfig = (server: PypiServer | undefined, extra: Record<string, unknown> = {}) => ({
  pypi: { ...(server ? { repositoryUrl: server.uploadUrl, indexUrl: server.indexUrl } : {}), ...TEST_PYPI_OPTIONS, retry: RETRY, ...extra },
  provenance: NO_PROVENANCE,
});
const oidcEnv = (server: PypiServer) => ({ GITHUB_ACTIONS: "true", ACTIONS_ID_TOKEN_REQUEST_URL: server.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: server.requestToken });
const githubEnv = () => ({ GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url });
const dockerEnv = () => ({ PATH: `${docker.bin}:${process.env.PATH}`, HOME: process.env.HOME });
const IMAGES = { repository: "docker.io/llenergymeasure", matrix: { backend: ["pytorch", "vllm"], cuda: ["cuda12"] } };

function projectContext(files: Record<string, string | null> = {}, env: Record<string, string | undefined> = {}, options: Record<string, unknown> = {}, version = "2.0.0"): Context {
  const project = makeProject(files);
  cleanups.push(() => project.cleanup());
  return pluginContext({ cwd: project.dir, gitHead: project.gitHead, env, options, version }).context;
}
const builtContext = (env: Record<string, string | undefined>) => pluginContext({ cwd: built.dir, gitHead: built.gitHead, env }).context;

/** Publish the prebuilt dists to `server` with `env`. */
async function publishTo(server: PypiServer, env: Record<string, string | undefined>) {
  return pypi.publish(pypiConfig(server), builtContext(env));
}

interface Case {
  name: string;
  code: keyof typeof errorTexts;
  /** A fragment the message or details must hold: the fact that tells the user what to fix. */
  says?: RegExp;
  needsPython?: boolean;
  run(): Promise<unknown>;
}

const CASES: Case[] = [
  // --- configuration: malformed options of every plugin
  { name: "pyproject.versionMode is not a mode", code: "EINVALIDCONFIG", says: /pyproject\.versionMode.*"verify", "write" or "scm"/s, run: () => pyproject.verifyConditions({ pyproject: { versionMode: "sometimes" } }, projectContext()) },
  { name: "pyproject.sources is not a list", code: "EINVALIDCONFIG", says: /pyproject\.sources/, run: () => pyproject.verifyConditions({ pyproject: { sources: "src" } }, projectContext()) },
  { name: "pyproject has an unknown key", code: "EINVALIDCONFIG", says: /pyproject\.file.*is not an option/s, run: () => pyproject.verifyConditions({ pyproject: { file: "x.toml" } }, projectContext()) },
  { name: "pypi.repositoryUrl is plain http off loopback", code: "EINVALIDCONFIG", says: /must be https/, needsPython: true, run: () => pypi.verifyConditions(pypiConfig(undefined, { repositoryUrl: "http://pypi.example.com/legacy/" }), projectContext({}, { PYPI_TOKEN: "pypi-x" })) },
  { name: "pypi.indexUrl is not a URL", code: "EINVALIDCONFIG", says: /pypi\.indexUrl.*not a URL/s, needsPython: true, run: () => pypi.verifyConditions(pypiConfig(undefined, { indexUrl: "pypi dot org" }), projectContext({}, { PYPI_TOKEN: "pypi-x" })) },
  { name: "pypi.repositoryUrl carries a password", code: "EINVALIDCONFIG", says: /must not carry credentials/, needsPython: true, run: () => pypi.verifyConditions(pypiConfig(undefined, { repositoryUrl: "https://__token__:pypi-secret@upload.pypi.org/legacy/" }), projectContext({}, { PYPI_TOKEN: "pypi-x" })) },
  { name: "pypi.buildArgs choose the output folder", code: "EINVALIDCONFIG", says: /set pypi\.distDir instead/, needsPython: true, run: () => pypi.verifyConditions(pypiConfig(undefined, { buildArgs: ["--outdir", "out"] }), projectContext({}, { PYPI_TOKEN: "pypi-x" })) },
  { name: "pypi.publish is a string", code: "EINVALIDCONFIG", says: /pypi\.publish.*true or false/s, needsPython: true, run: () => pypi.verifyConditions(pypiConfig(undefined, { publish: "yes" }), projectContext({}, { PYPI_TOKEN: "pypi-x" })) },
  { name: "pypi.retry.attempts is zero", code: "EINVALIDCONFIG", says: /pypi\.retry\.attempts.*>= 1/s, needsPython: true, run: () => pypi.verifyConditions(pypiConfig(undefined, { retry: { attempts: 0 } }), projectContext({}, { PYPI_TOKEN: "pypi-x" })) },
  { name: "pypi has an unknown key", code: "EINVALIDCONFIG", says: /pypi\.token.*is not an option/s, needsPython: true, run: () => pypi.verifyConditions(pypiConfig(undefined, { token: "pypi-x" }), projectContext({}, { PYPI_TOKEN: "pypi-x" })) },
  { name: "images.builder is unknown", code: "EINVALIDCONFIG", says: /"buildx" or "podman"/, run: () => images.verifyConditions({ images: { ...IMAGES, builder: "kaniko" } }, projectContext({}, dockerEnv())) },
  { name: "images.matrix is missing", code: "EINVALIDCONFIG", says: /images\.matrix.*is required/s, run: () => images.verifyConditions({ images: { repository: "docker.io/x" } }, projectContext({}, dockerEnv())) },
  { name: "images.latest names no axis", code: "EINVALIDCONFIG", says: /images\.latest\.gpu.*is not a matrix axis/s, run: () => images.verifyConditions({ images: { ...IMAGES, latest: { gpu: "a100" } } }, projectContext({}, dockerEnv())) },
  { name: "images.since is not a version", code: "EINVALIDCONFIG", says: /images\.since/, run: () => images.verifyConditions({ images: { ...IMAGES, since: "soon" } }, projectContext({}, dockerEnv())) },
  { name: "images.tags is empty", code: "EINVALIDCONFIG", says: /images\.tags/, run: () => images.verifyConditions({ images: { ...IMAGES, tags: [] } }, projectContext({}, dockerEnv())) },
  { name: "images.matrix axis shadows a version placeholder", code: "EINVALIDCONFIG", says: /"version" is a version placeholder/, run: () => images.verifyConditions({ images: { ...IMAGES, matrix: { version: ["a"] } } }, projectContext({}, dockerEnv())) },
  { name: "notes has an unknown key", code: "EINVALIDCONFIG", says: /notes/, run: async () => (await import("../../src/plugins/notes.js")).verifyConditions({ notes: { colour: "blue" } }) },

  // --- versions and pyproject.toml
  { name: "unknown prerelease identifier", code: "EPRERELEASEID", says: /"nightly"/, run: () => pyproject.verifyConditions({}, projectContext({}, {}, { branches: ["main", { name: "nightly", prerelease: "nightly" }] })) },
  { name: "build metadata in the next version", code: "EPRERELEASEID", says: /build metadata/, run: () => pyproject.verifyRelease({}, projectContext({}, {}, {}, "2.0.0+cu121")) },
  { name: "no pyproject.toml", code: "EINVALIDPYPROJECT", says: /does not exist/, run: () => pyproject.verifyConditions({}, projectContext({ "pyproject.toml": null })) },
  { name: "pyproject.toml is not TOML", code: "EINVALIDPYPROJECT", says: /invalid TOML/, run: () => pyproject.verifyConditions({}, projectContext({ "pyproject.toml": "[project\nname = 1" })) },
  { name: "no static version", code: "ENOPYPROJECTVERSION", says: /version = "0\.1\.0"/, run: () => pyproject.verifyRelease({}, projectContext({ "pyproject.toml": examplePyproject("2.0.0").replace(/^version = .*$/m, "") })) },
  { name: "dynamic version", code: "EDYNAMICVERSION", says: /importlib\.metadata/, run: () => pyproject.verifyRelease({}, projectContext({ "pyproject.toml": examplePyproject("2.0.0").replace(/^version = .*$/m, 'dynamic = ["version"]') })) },
  { name: "version is not PEP 440", code: "EINVALIDPEP440", says: /pep-0440/, run: () => pyproject.verifyRelease({}, projectContext(exampleVersionFiles("two"))) },
  { name: "hard-coded __version__", code: "EHARDCODEDVERSION", says: /importlib\.metadata/, run: () => pyproject.verifyRelease({}, projectContext({ "src/llenergymeasure_demo/_version.py": '__version__ = "2.0.0"\n' })) },
  { name: "commits call for another version than pyproject", code: "EVERSIONMISMATCH", says: /versionMode/, run: () => pyproject.verifyRelease({}, projectContext({}, {}, {}, "3.0.0")) },
  { name: "tag-triggered run whose tag is not pyproject's", code: "ETAGMISMATCH", says: /v9\.9\.9/, run: () => pyproject.verifyConditions({}, projectContext({}, { GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v9.9.9" })) },

  // --- the environment
  { name: "missing interpreter", code: "ENOPYTHONTOOLS", says: /pip install --upgrade build twine/, run: () => pypi.verifyConditions(pypiConfig(undefined, { python: "/nonexistent/python3" }), projectContext({}, { PYPI_TOKEN: "pypi-x" })) },
  { name: "no credential route to PyPI", code: "ENOPYPIAUTH", says: /id-token: write/, needsPython: true, run: () => pypi.verifyConditions(pypiConfig(undefined), projectContext({}, {})) },
  {
    name: "twine too old for Metadata-Version 2.4 (Debian 12's twine, asked itself)",
    code: "ETWINEMETADATA",
    says: /twine 4\.0\.2 cannot read Metadata-Version 2\.4 \(it reads 1\.0, 1\.1, 1\.2, 2\.0, 2\.1, 2\.2\)/,
    needsPython: true,
    run: () => {
      const python = fakePython({ base: OLDEST_PYTHON, dist: { name: "llenergymeasure-demo", version: "2.0.0", metadataVersion: "2.4" } });
      cleanups.push(() => python.cleanup());
      return pypi.prepare(pypiConfig(undefined, { python: python.path }), projectContext());
    },
  },
  {
    name: "the build writes another version",
    code: "EDISTVERSION",
    says: /version 2\.0\.1, expected 2\.0\.0/,
    needsPython: true,
    run: () => {
      const python = fakePython({ dist: { name: "llenergymeasure-demo", version: "2.0.1", metadataVersion: "2.1" } });
      cleanups.push(() => python.cleanup());
      return pypi.prepare(pypiConfig(undefined, { python: python.path }), projectContext());
    },
  },
  { name: "the build backend is not installed", code: "EBUILD", says: /no_such_backend/, needsPython: true, run: () => pypi.prepare(pypiConfig(undefined), projectContext({ "pyproject.toml": examplePyproject("2.0.0").replace('build-backend = "hatchling.build"', 'build-backend = "no_such_backend.build"') })) },
  { name: "no image builder", code: "ENOBUILDER", says: /setup-buildx-action/, run: async () => (docker.setScenario({ recorded: {}, noBuildx: true }), images.verifyConditions({ images: IMAGES }, projectContext({}, dockerEnv()))) },
  { name: "bad image reference", code: "EINVALIDIMAGEREF", says: /LLEnergyMeasure/, run: async () => (docker.setScenario({ recorded: {} }), images.verifyConditions({ images: { ...IMAGES, repository: "docker.io/LLEnergyMeasure" } }, projectContext({}, dockerEnv()))) },
  { name: "bad image tag template", code: "EINVALIDIMAGEREF", says: /\+cuda12/, run: async () => (docker.setScenario({ recorded: {} }), images.verifyConditions({ images: { ...IMAGES, tags: ["{pep440}+{cuda}"] } }, projectContext({}, dockerEnv()))) },
  { name: "missing Dockerfile", code: "ENODOCKERFILE", says: /docker\/Containerfile\.vllm/, run: async () => (docker.setScenario({ recorded: {} }), images.verifyConditions({ images: { ...IMAGES, dockerfile: "docker/Containerfile.{backend}" } }, projectContext({}, dockerEnv()))) },
  { name: "missing draft release", code: "ENODRAFTRELEASE", says: /pyrelease resume --tag v2\.0\.0/, run: () => artifacts.success({}, projectContext({}, githubEnv())) },
  { name: "artifacts.manifest is a number", code: "EINVALIDCONFIG", says: /artifacts\.manifest/, run: () => artifacts.verifyConditions({ artifacts: { manifest: 3 } }, projectContext({}, githubEnv())) },
  { name: "no GitHub token for the artifacts section", code: "ENOGHTOKEN", says: /secrets\.GITHUB_TOKEN/, run: () => artifacts.success({}, projectContext({}, { GITHUB_API_URL: github.url })) },

  // --- server answers
  ...["invalid-publisher", "invalid-token", "invalid-reuse-token"].map(
    (pypiCode): Case => ({
      name: `mint-token answers 422 ${pypiCode}`,
      code: "EOIDCEXCHANGE",
      says: new RegExp(pypiCode),
      needsPython: true,
      run: async () => {
        if (pypiCode === "invalid-publisher") {
          const server = await pypiServer({ publisher: { repository: "someone/else", workflow: "release.yml" } });
          return publishTo(server, oidcEnv(server));
        }
        const server = await pypiServer();
        if (pypiCode === "invalid-token") {
          server.injectFault("id-token", "expired", 1);
          return publishTo(server, oidcEnv(server));
        }
        const idToken = server.gitlabIdToken("o/r");
        const mint = await fetch(`${server.url}/_/oidc/mint-token`, { method: "POST", body: JSON.stringify({ token: idToken }) });
        assert.equal(mint.status, 200, "the GitLab ID token is valid once");
        return publishTo(server, { PYPI_ID_TOKEN: idToken });
      },
    }),
  ),
  {
    name: "a file of this version is already on the index with other bytes",
    code: "EFILEEXISTS",
    says: /Release a new version instead/,
    needsPython: true,
    run: async () => {
      const server = await pypiServer();
      server.addFile(WHEEL, Buffer.from("not the wheel we built"), "llenergymeasure-demo", "2.0.0");
      return publishTo(server, oidcEnv(server));
    },
  },
  {
    name: "the index refuses the upload",
    code: "EUPLOAD",
    says: /Invalid value for classifiers/,
    needsPython: true,
    run: async () => {
      const server = await pypiServer();
      server.injectFault("upload", { status: 400, reason: "Invalid value for classifiers. Error: Classifier 'Foo' is not a valid classifier." }, 10);
      return publishTo(server, oidcEnv(server));
    },
  },
];

describe("bad-input corpus: plugin steps", () => {
  test("the corpus has at least 30 bad inputs and only documented codes", () => {
    assert.ok(CASES.length >= 30, `${CASES.length} cases`);
    for (const c of CASES) assert.ok(c.code in errorTexts, `${c.code} is in src/errors.ts`);
  });

  test("prebuild the dists the server-answer cases publish", async () => {
    if (!needPythonTools()) return;
    const server = await pypiServer();
    await pypi.prepare(pypiConfig(server), builtContext(oidcEnv(server)));
  });

  for (const c of CASES) {
    test(`${c.code}: ${c.name}`, async () => {
      if (c.needsPython && !needPythonTools()) return;
      const releasesBefore = github.releases().length;
      const tagCallsBefore = docker.calls().filter((call) => call.argv[1] === "imagetools").length;
      let thrown: unknown;
      try {
        await c.run();
      } catch (error) {
        thrown = error;
      }
      assert.ok(thrown, "the step must fail");
      const errors = errorsOf(thrown);
      const mine = errors.find((e) => e.code === c.code);
      assert.ok(mine, `expected ${c.code}, got ${errors.map((e) => `${e.code}: ${e.message}`).join(" | ")}`);
      for (const e of errors) {
        assert.ok(e.code in errorTexts, `undocumented failure: ${e.stack}`);
        assert.ok(e.details.trim().length > 40, `${e.code} says how to fix it`);
        assert.doesNotMatch(e.stack, STACK_FRAME, `${e.code} carries no stack trace`);
      }
      if (c.says) assert.match(`${mine.message}\n${mine.details}`, c.says);
      // nothing uploaded
      for (const server of servers) expect(server.uploads().filter((u) => u.outcome === "stored")).toEqual([]);
      assert.equal(github.releases().length, releasesBefore, "no GitHub release created");
      assert.equal(docker.calls().filter((call) => call.argv[1] === "imagetools").length, tagCallsBefore, "no image tagged");
    });
  }
});

/** What GitHub Actions sets for a push to main (env-ci reads the branch from it). */
const ACTIONS_RUN = { GITHUB_REF: "refs/heads/main", GITHUB_EVENT_NAME: "push", GITHUB_REPOSITORY: "o/r" };

/** A frame of this package's code: semantic-release prints its own stack for foreign errors only. */
const OUR_STACK_FRAME = /\bat .*dist\/(src|index)/;

describe("bad-input corpus: the real semantic-release CLI", () => {
  const repos: TempRepo[] = [];
  afterAll(() => repos.forEach((r) => r.cleanup()));

  const cliCases: { name: string; code: string; releaserc: Record<string, unknown>; env?: (pypi: PypiServer) => Record<string, string> }[] = [
    { name: "pypi.publish is a string", code: "EINVALIDCONFIG", releaserc: { pypi: { ...TEST_PYPI_OPTIONS, publish: "yes" } } },
    { name: "http index off loopback", code: "EINVALIDCONFIG", releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: "http://pypi.internal/legacy/" } } },
    { name: "no credential route", code: "ENOPYPIAUTH", releaserc: {}, env: () => ({}) },
    { name: "missing interpreter", code: "ENOPYTHONTOOLS", releaserc: { pypi: { ...TEST_PYPI_OPTIONS, python: "/opt/none/python3" } } },
    { name: "unknown prerelease identifier", code: "EPRERELEASEID", releaserc: { branches: ["main", { name: "next", prerelease: "nightly" }] } },
    { name: "bad image reference", code: "EINVALIDIMAGEREF", releaserc: { images: { ...IMAGES, repository: "docker.io/Bad Name" } } },
  ];

  for (const c of cliCases) {
    test(`${c.code} through semantic-release: ${c.name}`, async () => {
      if (!needPythonTools()) return;
      const server = await pypiServer();
      const repo = exampleHistory("1.1.0", { releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: server.uploadUrl, indexUrl: server.indexUrl }, ...c.releaserc } });
      repos.push(repo);
      const env = { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url, ...dockerEnv(), ...ACTIONS_RUN, ...(c.env ? c.env(server) : oidcEnv(server)) };
      const releasesBefore = github.releases().length;
      const run = await runSemanticRelease(repo.dir, ["--no-ci"], env);
      assert.notEqual(run.code, 0, run.output);
      assert.match(run.output, new RegExp(`${c.code} `), run.output);
      assert.doesNotMatch(run.output, OUR_STACK_FRAME, "no stack trace of ours");
      // nothing tagged
      expect(repo.remoteTags()).toEqual(["v1.0.0"]);
      // nothing uploaded
      expect(server.uploads()).toEqual([]);
      assert.equal(github.releases().length, releasesBefore, "no release created");
    });
  }
});
