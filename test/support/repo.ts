import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { clean } from "@renovatebot/pep440";
import { EXAMPLE_DIR, PACKAGE_ROOT } from "./paths.js";
import { CURRENT_PYTHON } from "./python.js";

export { EXAMPLE_DIR, PACKAGE_ROOT };
export const SEMANTIC_RELEASE_BIN = join(PACKAGE_ROOT, "node_modules", "semantic-release", "bin", "semantic-release.js");
/** What the stand-in repository URL looks like to @semantic-release/github. */
export const GITHUB_REPO_URL = "https://github.com/o/r.git";

/** Variables of the machine's own CI that must not leak into a release run under test. */
const CI_VARIABLE = /^(CI|CONTINUOUS_INTEGRATION|BUILD_NUMBER|RUN_ID|GITHUB_.*|GITLAB_.*|CI_.*|ACTIONS_.*|RUNNER_.*|PYPI_.*|TESTPYPI_.*|DOCKERHUB_.*|GH_TOKEN|GH_URL|GITEA_.*|BUILDX_BUILDER|TWINE_.*|NPM_.*|SEMANTIC_RELEASE_.*|SIGSTORE_.*)$/;

export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !CI_VARIABLE.test(key)) env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function git(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...cleanEnv(), ...GIT_IDENTITY, ...env } }).trim();
}

const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "author@example.com",
  GIT_COMMITTER_NAME: "Test Author",
  GIT_COMMITTER_EMAIL: "author@example.com",
};

/** The current toolchain's venv, building without isolation (its hatchling) to keep the suite fast. */
export const TEST_PYPI_OPTIONS = { python: CURRENT_PYTHON, buildArgs: ["--no-isolation", "--skip-dependency-check"] };
/** For tests about something else: no Sigstore signing (see test/e2e/provenance-*.test.ts for the loopback Sigstore). */
export const NO_PROVENANCE = { enabled: false };

export interface TempRepo {
  /** The working clone, where semantic-release runs. */
  dir: string;
  /** The bare repository standing in for github.com/o/r. */
  remote: string;
  root: string;
  commit(message: string, files?: Record<string, string>): string;
  write(path: string, content: string): void;
  read(path: string): string;
  /** Create an annotated-free tag on HEAD and push it, as an earlier release would have. */
  tag(name: string): void;
  tags(): string[];
  remoteTags(): string[];
  cleanup(): void;
}

export interface RepoOptions {
  /** Copy this folder's files into the repository before the first commit (default: the example project). */
  template?: string | null;
  /** Files to add or overwrite before the first commit. */
  files?: Record<string, string>;
  /** `.releaserc.json` contents; `extends` is added when absent. */
  releaserc?: Record<string, unknown>;
  branch?: string;
}

/**
 * A git repository with a bare "origin" that @semantic-release/github takes for
 * github.com/o/r: the remote URL is rewritten with url.<bare>.insteadOf. The package
 * under test is linked into node_modules, as `npm install` would put it.
 */
export function createRepo(options: RepoOptions = {}): TempRepo {
  const root = mkdtempSync(join(tmpdir(), "pyrelease-"));
  const dir = join(root, "work");
  const remote = join(root, "remote.git");
  mkdirSync(dir);
  execFileSync("git", ["init", "-q", "--bare", "-b", options.branch ?? "main", remote]);
  git(dir, ["init", "-q", "-b", options.branch ?? "main"]);
  git(dir, ["config", `url.${remote}.insteadOf`, GITHUB_REPO_URL]);
  git(dir, ["remote", "add", "origin", GITHUB_REPO_URL]);
  git(dir, ["config", "commit.gpgsign", "false"]);
  git(dir, ["config", "tag.gpgsign", "false"]);
  const template = options.template === undefined ? EXAMPLE_DIR : options.template;
  if (template) cpSync(template, dir, { recursive: true, filter: (src) => !/(^|\/)(dist|__pycache__|\.venv)$/.test(src) });
  for (const [path, content] of Object.entries(options.files ?? {})) writeFile(dir, path, content);
  // Provenance stays off unless a test asks for it: with the stand-ins' OIDC identity, `auto` would sign at Sigstore's public instance.
  const releaserc = { extends: "semantic-release-config-pyproject", pypi: TEST_PYPI_OPTIONS, provenance: NO_PROVENANCE, ...(options.releaserc ?? {}) };
  writeFile(dir, ".releaserc.json", JSON.stringify(releaserc, null, 2));
  // A project's own .gitignore is kept; what the tests add (the linked package, build outputs) goes below it.
  const gitignore = join(dir, ".gitignore");
  writeFile(dir, ".gitignore", `${existsSync(gitignore) ? `${readFileSync(gitignore, "utf8").trimEnd()}\n` : ""}node_modules/\ndist/\n__pycache__/\n`);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(PACKAGE_ROOT, join(dir, "node_modules", "semantic-release-config-pyproject"), "dir");

  const repo: TempRepo = {
    dir,
    remote,
    root,
    commit(message, files = {}) {
      for (const [path, content] of Object.entries(files)) writeFile(dir, path, content);
      git(dir, ["add", "-A"]);
      git(dir, ["commit", "-q", "--allow-empty", "-m", message]);
      git(dir, ["push", "-q", "origin", `HEAD:${git(dir, ["branch", "--show-current"])}`]);
      return git(dir, ["rev-parse", "HEAD"]);
    },
    write: (path, content) => writeFile(dir, path, content),
    read: (path) => readFileSync(join(dir, path), "utf8"),
    tag(name) {
      git(dir, ["tag", name]);
      git(dir, ["push", "-q", "origin", `refs/tags/${name}`]);
    },
    tags: () => git(dir, ["tag", "--list"]).split("\n").filter(Boolean),
    remoteTags: () => git(dir, ["ls-remote", "--tags", "origin"]).split("\n").filter(Boolean).map((l) => l.split("refs/tags/")[1]),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
  return repo;
}

function writeFile(dir: string, path: string, content: string) {
  const full = join(dir, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, content);
}

export interface ReleaseRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout + stderr, in the order they were received. */
  output: string;
}

/** Run the real semantic-release CLI in `cwd` with a clean environment plus `env`. */
export function runSemanticRelease(cwd: string, args: string[] = [], env: Record<string, string | undefined> = {}, timeoutMs = 240_000): Promise<ReleaseRun> {
  return runNode(cwd, [SEMANTIC_RELEASE_BIN, ...args], env, timeoutMs);
}

/** Run the built `pyrelease` CLI. */
export function runPyrelease(cwd: string, args: string[] = [], env: Record<string, string | undefined> = {}, timeoutMs = 240_000): Promise<ReleaseRun> {
  return runNode(cwd, [join(PACKAGE_ROOT, "dist", "src", "cli.js"), ...args], env, timeoutMs);
}

function runNode(cwd: string, argv: string[], env: Record<string, string | undefined>, timeoutMs: number): Promise<ReleaseRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, argv, { cwd, env: cleanEnv({ ...GIT_IDENTITY, ...env }), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (chunk) => ((stdout += chunk), (output += chunk)));
    child.stderr.on("data", (chunk) => ((stderr += chunk), (output += chunk)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? 1, stdout, stderr, output });
    });
  });
}

/** The example's pyproject.toml with another version (its uv.lock then needs `exampleUvLock`: use `exampleVersionFiles`). */
export function examplePyproject(version: string): string {
  return readFileSync(join(EXAMPLE_DIR, "pyproject.toml"), "utf8").replace(/^version = "[^"]*"/m, `version = "${version}"`);
}

/**
 * The example's uv.lock recording the project at `version`, as `uv lock` writes it: the
 * normalized PEP 440 form (`1.1.0-rc.1` → `1.1.0rc1`); a string that is not PEP 440 is
 * written as given. test/e2e/example-project.test.ts checks the result with `uv lock --check`.
 */
export function exampleUvLock(version: string): string {
  const lock = readFileSync(join(EXAMPLE_DIR, "uv.lock"), "utf8");
  const own = /(\[\[package\]\]\nname = "llenergymeasure-demo"\nversion = ")[^"]*(")/;
  if (!own.test(lock)) throw new Error("examples/llenergymeasure-demo/uv.lock no longer records the project as `[[package]] name, version`: update exampleUvLock");
  return lock.replace(own, `$1${clean(version) ?? version}$2`);
}

/**
 * pyproject.toml and uv.lock of the example, both at `version`: what a version bump changes.
 * uv.lock records the project's own version, so a test that moves one without the other
 * gets ESTALELOCK; spread it into `files` (`{ ...exampleVersionFiles("1.1.0"), "x.py": … }`).
 */
export function exampleVersionFiles(version: string): { "pyproject.toml": string; "uv.lock": string } {
  return { "pyproject.toml": examplePyproject(version), "uv.lock": exampleUvLock(version) };
}

/**
 * The usual history: a release v1.0.0, then a feature whose commit also bumps
 * pyproject.toml to `pyprojectVersion` (what a maintainer does in verify mode).
 */
export function exampleHistory(pyprojectVersion: string, options: RepoOptions = {}): TempRepo {
  const repo = createRepo({ ...options, files: { ...exampleVersionFiles("1.0.0"), ...(options.files ?? {}) } });
  repo.commit("feat: first release");
  repo.tag("v1.0.0");
  repo.commit("feat(backends): add the zeus energy backend", { ...exampleVersionFiles(pyprojectVersion), "src/llenergymeasure_demo/zeus.py": "BACKEND = 'zeus'\n" });
  return repo;
}
