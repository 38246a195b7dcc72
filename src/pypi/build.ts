import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { getError } from "../errors.js";
import { run, tail } from "../exec.js";
import type { Builder, Dist } from "./options.js";

/** The release commit's time, so the same tag rebuilds byte-identical files; undefined outside git. */
export async function releaseEpoch(cwd: string, gitHead?: string): Promise<string | undefined> {
  const result = await run("git", ["log", "-1", "--format=%ct", ...(gitHead ? [gitHead] : [])], { cwd });
  return result.exitCode === 0 && /^\d+$/.test(result.stdout.trim()) ? result.stdout.trim() : undefined;
}

export interface BuildRequest {
  builder: Builder;
  python: string;
  /** How to start uv (`python -m uv`, or `uv` from PATH); needed for the `uv` builder. */
  uvCommand?: readonly string[];
  cwd: string;
  /** The folder holding pyproject.toml. */
  projectDir: string;
  dists: readonly Dist[];
  buildArgs: readonly string[];
  /** Where the finished files are copied (relative to cwd or absolute). */
  distDir: string;
  sourceDateEpoch?: string;
  /** The release's environment (semantic-release's `context.env`). */
  env?: Record<string, string | undefined>;
  /** Build requirements from pyproject.toml, for EBUILD's advice. */
  requires?: readonly string[];
}

export interface BuildResult {
  /** Absolute paths, in distDir, of exactly the files this build produced. */
  paths: string[];
  /** Files already in distDir that this build did not produce (left alone, never uploaded). */
  others: string[];
  output: string;
  command: string;
  /** Build by-products the backend left in the project folder (setuptools' `*.egg-info/`, `build/`), removed again. */
  removed: string[];
}

/**
 * Pure: the frontend's argv for one build into `outdir`. Both kinds without a flag, so
 * the wheel is built from the sdist (the PyPA default, which proves the sdist complete);
 * one kind with its flag. uv builds with `pypi.python`, as `python -m build` does.
 */
export function buildArgv(request: Pick<BuildRequest, "builder" | "python" | "uvCommand" | "projectDir" | "dists" | "buildArgs">, outdir: string): { file: string; args: string[] } {
  const only = request.dists.length === 1 ? [`--${request.dists[0]}`] : [];
  if (request.builder === "uv") {
    const [file, ...prefix] = request.uvCommand?.length ? request.uvCommand : ["uv"];
    return { file, args: [...prefix, "build", "--python", request.python, "--out-dir", outdir, ...only, ...request.buildArgs, request.projectDir] };
  }
  return { file: request.python, args: ["-m", "build", "--outdir", outdir, ...only, ...request.buildArgs, request.projectDir] };
}

/** The flag that builds with the interpreter's own backend instead of a fresh isolated environment. */
export const NO_ISOLATION: Record<Builder, string> = { build: "--no-isolation", uv: "--no-build-isolation" };

const DIST_FILE = /\.(whl|tar\.gz|zip)$/;

/**
 * Build into a fresh empty folder, so the set of built files is exactly this release's;
 * the dists are then copied into distDir, replacing same-named files only.
 */
export async function buildDists(request: BuildRequest): Promise<BuildResult> {
  const outdir = await mkdtemp(join(tmpdir(), "pyrelease-build-"));
  const projectDir = resolve(request.cwd, request.projectDir);
  const untrackedBefore = await untracked(projectDir, request.env);
  let removed: string[] | undefined;
  /** Remove the by-products once, after a build that worked or failed alike. */
  const tidy = async () => {
    if (removed) return removed;
    removed = untrackedBefore ? byProducts(untrackedBefore, (await untracked(projectDir, request.env)) ?? []) : [];
    for (const path of removed) await rm(join(projectDir, path), { recursive: true, force: true });
    return removed;
  };
  try {
    const { file, args } = buildArgv(request, outdir);
    const result = await run(file, args, {
      cwd: request.cwd,
      env: { ...request.env, ...(request.sourceDateEpoch ? { SOURCE_DATE_EPOCH: request.sourceDateEpoch } : {}) },
    });
    if (result.exitCode !== 0) {
      const isolated = !request.buildArgs.includes(NO_ISOLATION[request.builder]) && !(request.builder === "build" && request.buildArgs.some((a) => /^-[nxsw]*n[nxsw]*$/.test(a)));
      throw getError("EBUILD", { command: result.command, output: tail(result.all), exitCode: result.exitCode, builder: request.builder, python: request.python, isolated, requires: request.requires ?? [] });
    }
    // uv also leaves a `.gitignore` in its output folder.
    const built = (await readdir(outdir)).filter((f) => DIST_FILE.test(f)).sort();
    const distDir = isAbsolute(request.distDir) ? request.distDir : resolve(request.cwd, request.distDir);
    await mkdir(distDir, { recursive: true });
    await keepOutOfGit(distDir, request.env);
    const before = await readdir(distDir);
    for (const filename of built) await copyFile(join(outdir, filename), join(distDir, filename));
    return {
      paths: built.map((filename) => join(distDir, filename)),
      others: before.filter((filename) => !built.includes(filename) && DIST_FILE.test(filename)).sort(),
      output: result.all,
      command: result.command,
      removed: await tidy(),
    };
  } finally {
    await tidy();
    await rm(outdir, { recursive: true, force: true });
  }
}

/** Untracked, unignored entries under `dir` (folders collapsed, `name/`); undefined outside a git work tree. */
async function untracked(dir: string, env: Record<string, string | undefined> = {}): Promise<string[] | undefined> {
  const status = await run("git", ["status", "--porcelain=v1", "-z", "--untracked-files=normal", "--", "."], { cwd: dir, env });
  if (status.exitCode !== 0) return undefined;
  const prefix = (await run("git", ["rev-parse", "--show-prefix"], { cwd: dir, env })).stdout.trim();
  return status.stdout
    .split("\0")
    .filter((entry) => entry.startsWith("?? "))
    .map((entry) => entry.slice(3))
    .filter((path) => path.startsWith(prefix))
    .map((path) => path.slice(prefix.length));
}

/**
 * Pure: what the build backend left behind in the project folder that was not there
 * before: setuptools writes `<name>.egg-info/` next to the sources when it builds an sdist,
 * and `build/` when it builds a wheel from the source tree. Nothing else is touched.
 */
export function byProducts(before: readonly string[], after: readonly string[]): string[] {
  return after.filter((path) => !before.includes(path) && (/(^|\/)[^/]+\.egg-info\/$/.test(path) || path === "build/"));
}

/**
 * distDir inside a git work tree that nothing ignores gets a `.gitignore` of `*` (as uv
 * does for its output folder): the dists, and what other steps write beside them, never
 * show up as untracked files or slip into a later sdist. An existing `.gitignore` is kept.
 */
export async function keepOutOfGit(distDir: string, env: Record<string, string | undefined> = {}): Promise<boolean> {
  const ignoreFile = join(distDir, ".gitignore");
  if (existsSync(ignoreFile)) return false;
  // exit 0: ignored already; 1: not ignored; 128: not in a work tree.
  const check = await run("git", ["check-ignore", "-q", "--no-index", "probe.whl"], { cwd: distDir, env });
  if (check.exitCode !== 1) return false;
  // A folder holding tracked files (distDir "." or a source folder) is the user's: never hide their new files.
  const tracked = await run("git", ["ls-files", "-z", "--", "."], { cwd: distDir, env });
  if (tracked.exitCode !== 0 || tracked.stdout) return false;
  await writeFile(ignoreFile, "# Written by semantic-release-config-pyproject: built distributions are release outputs, never sources.\n*\n");
  return true;
}
