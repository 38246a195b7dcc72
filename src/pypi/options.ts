import { readChoice, readRetry, readServiceUrl, readUnknownKeys } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";
import type { RetryOptions } from "../http.js";
import { DEFAULT_UPLOAD_LIMIT_MB } from "./warehouse.js";

/** A distribution kind, as `pypi.dists` names it. */
export type Dist = "sdist" | "wheel";
export const ALL_DISTS: readonly Dist[] = ["sdist", "wheel"];

/** The build frontend: `build` runs `python -m build`, `uv` runs `uv build`. */
export type Builder = "build" | "uv";
const BUILDERS: readonly Builder[] = ["build", "uv"];

export interface PypiOptions {
  repositoryUrl: string;
  indexUrl: string;
  python: string;
  buildArgs: string[];
  /** Undefined: `build` when the interpreter has it, else `uv` when found (see `resolveBuilder`). */
  builder?: Builder;
  dists: Dist[];
  distDir: string;
  /** PyPI's per-file upload limit for this project, in MB as PyPI counts them (MiB). */
  uploadLimitMB: number;
  publish: boolean;
  /** Mint, index and upload calls; `uploadTimeoutMs` kills one `twine upload` (twine itself has no timeout). */
  retry: RetryOptions;
}

export const DEFAULT_PYPI_OPTIONS: PypiOptions = {
  repositoryUrl: "https://upload.pypi.org/legacy/",
  indexUrl: "https://pypi.org/",
  python: "python3",
  buildArgs: [],
  dists: [...ALL_DISTS],
  distDir: "dist",
  uploadLimitMB: DEFAULT_UPLOAD_LIMIT_MB,
  publish: true,
  retry: { attempts: 4, delayMs: 2_000, requestTimeoutMs: 30_000, uploadTimeoutMs: 600_000 },
};

const KEYS = ["repositoryUrl", "indexUrl", "python", "buildArgs", "builder", "dists", "distDir", "uploadLimitMB", "publish", "retry"];

/**
 * Pure: the build-frontend arguments the plugin sets itself, each with the option that
 * replaces it. The output folder must hold only this release's files (`pypi.distDir`);
 * which dists are built is `pypi.dists`, which the planned names and checks follow too;
 * uv's interpreter is `pypi.python`. Short flags: `-o`/`-p` take a value (`-odist`),
 * and build's boolean ones may be clustered (`-nw`).
 */
export function ownedBuildArgs(args: readonly string[]): { arg: string; option: string }[] {
  const owned: { arg: string; option: string }[] = [];
  for (const arg of args) {
    const long = /^--([a-z-]+)(=|$)/.exec(arg)?.[1];
    const booleans = /^-[nxsw]+$/.test(arg) ? arg : "";
    if (long === "outdir" || long === "out-dir" || arg.startsWith("-o")) owned.push({ arg, option: "pypi.distDir" });
    else if (long === "sdist" || long === "wheel" || /[sw]/.test(booleans)) owned.push({ arg, option: "pypi.dists" });
    else if (long === "python" || arg.startsWith("-p")) owned.push({ arg, option: "pypi.python" });
  }
  return owned;
}

const OWNED_REASON: Record<string, string> = {
  "pypi.distDir": "the output folder is chosen by the plugin; set pypi.distDir instead",
  "pypi.dists": 'which distributions are built is pypi.dists; set for example "pypi": { "dists": ["sdist"] } instead',
  "pypi.python": "the interpreter is pypi.python; set it instead",
};

/** Pure: the `pypi` options with defaults, and every problem with them. */
export function readPypiOptions(config: { pypi?: unknown }): { options: PypiOptions; problems: ConfigProblem[] } {
  const raw = (config.pypi ?? {}) as Record<string, unknown>;
  const options: PypiOptions = { ...DEFAULT_PYPI_OPTIONS, retry: { ...DEFAULT_PYPI_OPTIONS.retry } };
  const problems: ConfigProblem[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { options, problems: [{ key: "pypi", reason: "must be an object" }] };

  if (raw.repositoryUrl !== undefined) options.repositoryUrl = readServiceUrl("pypi.repositoryUrl", raw.repositoryUrl, problems) ?? options.repositoryUrl;
  if (raw.indexUrl !== undefined) {
    const indexUrl = readServiceUrl("pypi.indexUrl", raw.indexUrl, problems);
    if (indexUrl) options.indexUrl = indexUrl.endsWith("/") ? indexUrl : `${indexUrl}/`;
  }
  if (raw.python !== undefined) {
    if (typeof raw.python === "string" && raw.python.trim()) options.python = raw.python;
    else problems.push({ key: "pypi.python", reason: "must be the path or name of a Python interpreter" });
  }
  if (raw.buildArgs !== undefined) {
    if (!Array.isArray(raw.buildArgs) || !raw.buildArgs.every((a) => typeof a === "string")) {
      problems.push({ key: "pypi.buildArgs", reason: "must be an array of strings" });
    } else {
      const owned = ownedBuildArgs(raw.buildArgs as string[]);
      for (const { arg, option } of owned) problems.push({ key: "pypi.buildArgs", reason: `${arg}: ${OWNED_REASON[option]}` });
      if (!owned.length) options.buildArgs = raw.buildArgs as string[];
    }
  }
  options.builder = readChoice("pypi", raw, "builder", BUILDERS, undefined, problems);
  if (raw.dists !== undefined) {
    const dists = raw.dists as unknown[];
    if (!Array.isArray(dists) || !dists.length || !dists.every((d) => ALL_DISTS.includes(d as Dist)) || new Set(dists).size !== dists.length) {
      problems.push({ key: "pypi.dists", reason: `must be ["sdist", "wheel"], ["sdist"] or ["wheel"], not ${JSON.stringify(raw.dists)}` });
    } else options.dists = ALL_DISTS.filter((d) => dists.includes(d));
  }
  if (raw.uploadLimitMB !== undefined) {
    if (typeof raw.uploadLimitMB === "number" && Number.isFinite(raw.uploadLimitMB) && raw.uploadLimitMB > 0) options.uploadLimitMB = raw.uploadLimitMB;
    else problems.push({ key: "pypi.uploadLimitMB", reason: `must be a positive number of MB (PyPI's default limit is ${DEFAULT_UPLOAD_LIMIT_MB})` });
  }
  if (raw.distDir !== undefined) {
    if (typeof raw.distDir === "string" && raw.distDir.trim()) options.distDir = raw.distDir;
    else problems.push({ key: "pypi.distDir", reason: "must be a folder path" });
  }
  options.publish = readChoice("pypi", raw, "publish", [true, false], options.publish, problems);
  options.retry = readRetry("pypi", raw, DEFAULT_PYPI_OPTIONS.retry, problems);
  readUnknownKeys("pypi", raw, KEYS, problems);
  return { options, problems };
}

/** The name of the PyPI entry in `context.releases` (the publish result, and what `images finalize` records). */
export const PYPI_RECORD_NAME = "PyPI";

/** The origin that serves `/_/oidc/*`: the upload endpoint's host. */
export function oidcBase(repositoryUrl: string): string {
  return new URL(repositoryUrl).origin;
}

/** The page a user opens to see this release on the index. */
export function projectPageUrl(indexUrl: string, name: string, version: string): string {
  return new URL(`project/${encodeURIComponent(name)}/${encodeURIComponent(version)}/`, indexUrl).href;
}
