import type { ConfigProblem } from "../config/problem.js";
import { DEFAULT_UPLOAD_LIMIT_MB } from "./warehouse.js";

export interface RetryOptions {
  /** Tries per request or upload, the first included. */
  attempts: number;
  /** First backoff delay; doubled after every failed try. */
  delayMs: number;
  /** Give up on one HTTP request (OIDC, JSON API) after this long. */
  requestTimeoutMs: number;
  /** Kill one `twine upload` after this long: twine itself has no timeout. */
  uploadTimeoutMs: number;
}

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
const RETRY_KEYS = Object.keys(DEFAULT_PYPI_OPTIONS.retry) as (keyof RetryOptions)[];

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

/** Plain HTTP is only acceptable to a server on this machine (tests, a local proxy). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

function checkUrl(key: string, value: unknown, problems: ConfigProblem[]): string | undefined {
  if (typeof value !== "string" || !value.trim()) {
    problems.push({ key, reason: "must be a URL string" });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({ key, reason: `${JSON.stringify(value)} is not a URL` });
    return undefined;
  }
  if (url.username || url.password) {
    problems.push({ key, reason: "must not carry credentials; trusted publishing needs none" });
    return undefined;
  }
  if (url.protocol === "https:") return value;
  if (url.protocol === "http:" && isLoopbackHost(url.hostname)) return value;
  problems.push({ key, reason: `must be https (plain http only to a loopback address), not ${JSON.stringify(value)}` });
  return undefined;
}

/** Pure: the `pypi` options with defaults, and every problem with them. */
export function readPypiOptions(config: { pypi?: unknown }): { options: PypiOptions; problems: ConfigProblem[] } {
  const raw = (config.pypi ?? {}) as Record<string, unknown>;
  const options: PypiOptions = { ...DEFAULT_PYPI_OPTIONS, retry: { ...DEFAULT_PYPI_OPTIONS.retry } };
  const problems: ConfigProblem[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { options, problems: [{ key: "pypi", reason: "must be an object" }] };

  if (raw.repositoryUrl !== undefined) options.repositoryUrl = checkUrl("pypi.repositoryUrl", raw.repositoryUrl, problems) ?? options.repositoryUrl;
  if (raw.indexUrl !== undefined) {
    const indexUrl = checkUrl("pypi.indexUrl", raw.indexUrl, problems);
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
  if (raw.builder !== undefined) {
    if (BUILDERS.includes(raw.builder as Builder)) options.builder = raw.builder as Builder;
    else problems.push({ key: "pypi.builder", reason: `must be "build" (python -m build) or "uv" (uv build), not ${JSON.stringify(raw.builder)}` });
  }
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
  if (raw.publish !== undefined) {
    if (typeof raw.publish === "boolean") options.publish = raw.publish;
    else problems.push({ key: "pypi.publish", reason: "must be true or false" });
  }
  if (raw.retry !== undefined) {
    const retry = raw.retry as Record<string, unknown>;
    if (typeof retry !== "object" || retry === null || Array.isArray(retry)) problems.push({ key: "pypi.retry", reason: "must be an object" });
    else {
      for (const [key, value] of Object.entries(retry)) {
        if (!RETRY_KEYS.includes(key as keyof RetryOptions)) problems.push({ key: `pypi.retry.${key}`, reason: `is not an option (${RETRY_KEYS.join(", ")})` });
        else if (typeof value !== "number" || !Number.isInteger(value) || value < (key === "attempts" ? 1 : 0)) problems.push({ key: `pypi.retry.${key}`, reason: `must be an integer${key === "attempts" ? " >= 1" : " >= 0"}` });
        else options.retry[key as keyof RetryOptions] = value;
      }
    }
  }
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key)) problems.push({ key: `pypi.${key}`, reason: `is not an option (${KEYS.join(", ")})` });
  }
  return { options, problems };
}

/** The origin that serves `/_/oidc/*`: the upload endpoint's host. */
export function oidcBase(repositoryUrl: string): string {
  return new URL(repositoryUrl).origin;
}

/** The page a user opens to see this release on the index. */
export function projectPageUrl(indexUrl: string, name: string, version: string): string {
  return new URL(`project/${encodeURIComponent(name)}/${encodeURIComponent(version)}/`, indexUrl).href;
}
