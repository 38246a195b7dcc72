import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnv, EXAMPLE_DIR, git, PACKAGE_ROOT } from "../test/support/repo.js";
import { startPypiServer, type PypiServer } from "../test/support/pypi-server.js";
import type { DriverRequest } from "./pypi-driver.js";
import { startProvenanceWorld, workflowEnv } from "../test/support/provenance.js";
import { CURRENT_PYTHON, ensureCurrentToolchain, TEST_CACHE } from "../test/support/python.js";

const DRIVER = join(dirname(fileURLToPath(import.meta.url)), "pypi-driver.js");
const OUR_PLUGIN = join(PACKAGE_ROOT, "dist", "src", "plugins", "pypi.js");
export const PEER_PLUGIN = join(PACKAGE_ROOT, "node_modules", "semantic-release-pypi", "dist", "index.js");
export const VERSION = "2.0.0";
const NO_ISOLATION = ["--no-isolation", "--skip-dependency-check"];

export interface Fixture {
  dir: string;
  gitHead: string;
  cleanup(): void;
}

/** The example project (pyproject at 2.0.0) committed in a fresh git repository. */
export function fixture(): Fixture {
  const root = mkdtempSync(join(tmpdir(), "pyrelease-bench-pypi-"));
  const dir = join(root, "project");
  cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (src) => !/(^|\/)(dist|__pycache__|\.venv)$/.test(src) });
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "feat: demo"]);
  return { dir, gitHead: git(dir, ["rev-parse", "HEAD"]), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** A plain upload token, as a maintainer would store in PYPI_TOKEN: minted through the stand-in's own trusted-publishing exchange (it accepts only tokens it issued). */
export async function mintToken(server: PypiServer): Promise<string> {
  const id = await fetch(`${server.idTokenRequestUrl}&audience=pypi`, { headers: { authorization: `bearer ${server.requestToken}` } });
  const { value } = (await id.json()) as { value: string };
  const mint = await fetch(`${server.url}/_/oidc/mint-token`, { method: "POST", body: JSON.stringify({ token: value }), headers: { "content-type": "application/json" } });
  const { token } = (await mint.json()) as { token?: string };
  if (!token) throw new Error("the PyPI stand-in minted no token");
  return token;
}

export interface DriverResult {
  steps: Record<string, number>;
  totalMs: number;
}

export function runDriver(request: DriverRequest): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER, JSON.stringify(request)], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${request.module} ${request.steps.join(",")} failed:\n${stderr.slice(-6000)}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop()!));
    });
  });
}

export interface TimedCommand {
  argv: string[];
  ms: number;
}

/** Run argv lists one after another (as workflow steps do), failing on the first non-zero exit. */
export async function runCommands(commands: string[][], cwd: string, env: Record<string, string>): Promise<TimedCommand[]> {
  const timed: TimedCommand[] = [];
  for (const argv of commands) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
      let output = "";
      child.stdout.on("data", (c) => (output += c));
      child.stderr.on("data", (c) => (output += c));
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(" ")} exited ${code}:\n${output.slice(-4000)}`))));
    });
    timed.push({ argv, ms: performance.now() - started });
  }
  return timed;
}

function assertUploaded(server: PypiServer, who: string): void {
  const stored = server.uploads().filter((u) => u.outcome === "stored").map((u) => u.filename).sort();
  const expected = [`llenergymeasure_demo-${VERSION}-py3-none-any.whl`, `llenergymeasure_demo-${VERSION}.tar.gz`];
  if (JSON.stringify(stored) !== JSON.stringify(expected)) throw new Error(`${who}: the index holds ${JSON.stringify(stored)}, not ${JSON.stringify(expected)}`);
}

/** Each run gets a fresh index and a fresh copy of the project: nothing is "already published". */
async function withFreshIndex<T>(work: (server: PypiServer, f: Fixture) => Promise<T>): Promise<T> {
  const server = await startPypiServer();
  const f = fixture();
  try {
    return await work(server, f);
  } finally {
    await server.close();
    f.cleanup();
  }
}

/** The release's environment; the current toolchain's venv first on PATH, as `activate` puts it (the peer runs `python3`). */
function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = cleanEnv(extra);
  env.PATH = `${dirname(CURRENT_PYTHON)}:${env.PATH ?? "/usr/bin:/bin"}`;
  return env;
}

const fastRetry = { delayMs: 100, requestTimeoutMs: 30_000, uploadTimeoutMs: 300_000 };

/** Our prepare + publish (trusted publishing, the preset's route), timed inside the plugin process: what the steps add to a semantic-release run. */
export function oursPrepareAndPublish(python = CURRENT_PYTHON): Promise<DriverResult> {
  return withFreshIndex(async (server, f) => {
    const env = baseEnv({ GITHUB_ACTIONS: "true", ACTIONS_ID_TOKEN_REQUEST_URL: server.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: server.requestToken });
    const result = await runDriver({
      module: OUR_PLUGIN,
      steps: ["prepare", "publish"],
      untimed: ["verifyConditions"],
      cwd: f.dir,
      env,
      pluginConfig: { pypi: { repositoryUrl: server.uploadUrl, indexUrl: server.indexUrl, python, buildArgs: NO_ISOLATION, retry: fastRetry }, provenance: { enabled: false } },
      version: VERSION,
      gitHead: f.gitHead,
    });
    assertUploaded(server, "our prepare + publish");
    return result;
  });
}

/**
 * Our prepare + publish with the current toolchain (twine 7), provenance on (every dist
 * signed against a loopback Fulcio, Rekor and TUF mirror, checked, uploaded with its
 * attestation) or off: what signing adds to publishing, network latency to Sigstore aside.
 */
export async function oursWithProvenance(signed: boolean): Promise<DriverResult> {
  ensureCurrentToolchain();
  const world = await startProvenanceWorld();
  const f = fixture();
  try {
    const env = baseEnv(workflowEnv(world.pypi));
    const result = await runDriver({
      module: OUR_PLUGIN,
      steps: ["prepare", "publish"],
      untimed: ["verifyConditions"],
      cwd: f.dir,
      env,
      pluginConfig: {
        pypi: { repositoryUrl: world.pypi.uploadUrl, indexUrl: world.pypi.indexUrl, python: CURRENT_PYTHON, buildArgs: NO_ISOLATION, retry: fastRetry },
        provenance: signed ? world.provenance() : { enabled: false },
      },
      version: VERSION,
      gitHead: f.gitHead,
    });
    assertUploaded(world.pypi, signed ? "signed prepare + publish" : "unsigned prepare + publish");
    if (world.pypi.files().some((file) => Boolean(file.attestations) !== signed)) throw new Error(`expected every file ${signed ? "with" : "without"} an attestation`);
    return result;
  } finally {
    await world.close();
    f.cleanup();
  }
}

/** What a hand-written workflow runs: build, twine check, twine upload with a token (the current toolchain, like ours). */
export function bareCommands(python = CURRENT_PYTHON): Promise<{ totalMs: number; commands: TimedCommand[] }> {
  return withFreshIndex(async (server, f) => {
    const token = await mintToken(server);
    const env = baseEnv();
    const built = await runCommands([[python, "-m", "build", ...NO_ISOLATION, "--outdir", "dist", "."]], f.dir, env);
    const files = readdirSync(join(f.dir, "dist")).map((name) => join("dist", name));
    const rest = await runCommands(
      [
        [python, "-m", "twine", "check", ...files],
        [python, "-m", "twine", "upload", "--non-interactive", "--repository-url", server.uploadUrl, ...files],
      ],
      f.dir,
      { ...env, TWINE_USERNAME: "__token__", TWINE_PASSWORD: token },
    );
    assertUploaded(server, "the bare commands");
    const commands = [...built, ...rest];
    return { totalMs: commands.reduce((sum, c) => sum + c.ms, 0), commands };
  });
}

const BUILD_BACKEND = "hatchling==1.33.0";

/**
 * Where isolated builds get their build backend. BENCH_PIP_INDEX_URL: that index (pip and
 * uv alike). Otherwise a wheelhouse of hatchling and its dependencies, downloaded once
 * into the test cache, with the index switched off: both frontends install the same files
 * from the same folder, and no network time lands in either side's figure.
 */
export function isolationEnv(): { env: Record<string, string>; how: string } {
  const index = process.env.BENCH_PIP_INDEX_URL;
  if (index) return { env: { PIP_INDEX_URL: index, UV_DEFAULT_INDEX: index }, how: `the index ${index}` };
  const wheelhouse = join(TEST_CACHE, `bench-wheelhouse-${BUILD_BACKEND.replace(/[^\w.]+/g, "-")}`);
  if (!existsSync(join(wheelhouse, ".complete"))) {
    ensureCurrentToolchain();
    rmSync(wheelhouse, { recursive: true, force: true });
    execFileSync(CURRENT_PYTHON, ["-m", "pip", "download", "-q", "--disable-pip-version-check", "--dest", wheelhouse, BUILD_BACKEND], { stdio: "inherit" });
    writeFileSync(join(wheelhouse, ".complete"), `${BUILD_BACKEND}\n`);
  }
  return {
    env: { PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheelhouse, UV_NO_INDEX: "1", UV_FIND_LINKS: wheelhouse },
    how: `a local wheelhouse of ${BUILD_BACKEND} and its dependencies (no index, no network; uv's cache warm, as on a runner that caches it)`,
  };
}

/** Our whole PyPI release (every step), isolated builds like the peer, PYPI_TOKEN like the peer; `builder` picks the frontend. */
export function oursFullRelease(builder: "build" | "uv", isolation: Record<string, string>): Promise<DriverResult> {
  return withFreshIndex(async (server, f) => {
    const env = baseEnv({ PYPI_TOKEN: await mintToken(server), ...isolation });
    const result = await runDriver({
      module: OUR_PLUGIN,
      steps: ["verifyConditions", "verifyRelease", "prepare", "publish"],
      cwd: f.dir,
      env,
      pluginConfig: { pypi: { repositoryUrl: server.uploadUrl, indexUrl: server.indexUrl, python: CURRENT_PYTHON, builder, buildArgs: [], retry: fastRetry } },
      version: VERSION,
      gitHead: f.gitHead,
    });
    assertUploaded(server, `our full release (builder ${builder})`);
    return result;
  });
}

/**
 * semantic-release-pypi 5.x with its defaults but installDeps: false and envDir: false
 * (the toolchain is installed already, as for ours): verifyConditions, prepare (its tomlkit
 * script sets the version, then `python3 -m build --sdist` and `--wheel`), publish, PYPI_TOKEN.
 */
export function peerFullRelease(isolation: Record<string, string>): Promise<DriverResult> {
  return withFreshIndex(async (server, f) => {
    const env = baseEnv({ PYPI_TOKEN: await mintToken(server), ...isolation });
    const result = await runDriver({
      module: PEER_PLUGIN,
      steps: ["verifyConditions", "prepare", "publish"],
      cwd: f.dir,
      env,
      pluginConfig: { repoUrl: server.uploadUrl, installDeps: false, envDir: false },
      version: VERSION,
      gitHead: f.gitHead,
    });
    assertUploaded(server, "semantic-release-pypi");
    return result;
  });
}

/** A python3 that appends `start end argv` (ns) to `log` for every run: which process costs what. */
export function tracingPython(dir: string): { python: string; log: string } {
  const python = join(dir, "python3-traced");
  const log = join(dir, "python-trace.log");
  writeFileSync(python, `#!/bin/sh\nstart=$(date +%s%N)\n${CURRENT_PYTHON} "$@"\nrc=$?\nend=$(date +%s%N)\nargs=$(printf '%s ' "$@" | tr '\\n' ' ' | cut -c1-160)\necho "$start $end $args" >> "${log}"\nexit $rc\n`);
  chmodSync(python, 0o755);
  return { python, log };
}
