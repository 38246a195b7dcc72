import { copyFile, mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { getError } from "../errors.js";
import { run, tail } from "../exec.js";

/** The release commit's time, so the same tag rebuilds byte-identical files; undefined outside git. */
export async function releaseEpoch(cwd: string, gitHead?: string): Promise<string | undefined> {
  const result = await run("git", ["log", "-1", "--format=%ct", ...(gitHead ? [gitHead] : [])], { cwd });
  return result.exitCode === 0 && /^\d+$/.test(result.stdout.trim()) ? result.stdout.trim() : undefined;
}

export interface BuildRequest {
  python: string;
  cwd: string;
  /** The folder holding pyproject.toml. */
  projectDir: string;
  buildArgs: readonly string[];
  /** Where the finished files are copied (relative to cwd or absolute). */
  distDir: string;
  sourceDateEpoch?: string;
  /** The release's environment (semantic-release's `context.env`). */
  env?: Record<string, string | undefined>;
}

export interface BuildResult {
  /** Absolute paths, in distDir, of exactly the files this build produced. */
  paths: string[];
  /** Files already in distDir that this build did not produce (left alone, never uploaded). */
  others: string[];
  output: string;
  command: string;
}

/**
 * `python -m build` (sdist, then the wheel from the sdist) into a fresh empty folder, so
 * the set of built files is exactly this release's; they are then copied into distDir,
 * replacing same-named files only.
 */
export async function buildDists(request: BuildRequest): Promise<BuildResult> {
  const outdir = await mkdtemp(join(tmpdir(), "pyrelease-build-"));
  try {
    const result = await run(request.python, ["-m", "build", "--outdir", outdir, ...request.buildArgs, request.projectDir], {
      cwd: request.cwd,
      env: { ...request.env, ...(request.sourceDateEpoch ? { SOURCE_DATE_EPOCH: request.sourceDateEpoch } : {}) },
    });
    if (result.exitCode !== 0) throw getError("EBUILD", { command: result.command, output: tail(result.all), exitCode: result.exitCode });
    const built = (await readdir(outdir)).sort();
    const distDir = isAbsolute(request.distDir) ? request.distDir : resolve(request.cwd, request.distDir);
    await mkdir(distDir, { recursive: true });
    const before = await readdir(distDir);
    for (const filename of built) await copyFile(join(outdir, filename), join(distDir, filename));
    return {
      paths: built.map((filename) => join(distDir, filename)),
      // An attestation beside a dist of this build belongs to it (src/provenance), not to "elsewhere".
      others: before.filter((filename) => !built.includes(filename) && !built.some((dist) => filename.startsWith(`${dist}.`) && filename.endsWith(".attestation"))).sort(),
      output: result.all,
      command: result.command,
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

