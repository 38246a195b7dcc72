import type { ConfigProblem } from "../config/problem.js";

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

export interface PypiOptions {
  repositoryUrl: string;
  indexUrl: string;
  python: string;
  buildArgs: string[];
  distDir: string;
  publish: boolean;
  retry: RetryOptions;
}

export const DEFAULT_PYPI_OPTIONS: PypiOptions = {
  repositoryUrl: "https://upload.pypi.org/legacy/",
  indexUrl: "https://pypi.org/",
  python: "python3",
  buildArgs: [],
  distDir: "dist",
  publish: true,
  retry: { attempts: 4, delayMs: 2_000, requestTimeoutMs: 30_000, uploadTimeoutMs: 600_000 },
};

const KEYS = ["repositoryUrl", "indexUrl", "python", "buildArgs", "distDir", "publish", "retry"];
const RETRY_KEYS = Object.keys(DEFAULT_PYPI_OPTIONS.retry) as (keyof RetryOptions)[];
/** `python -m build` arguments the plugin sets itself: the output folder must hold only this release's files. */
const OWNED_BUILD_ARGS = /^(-o|--outdir)(=|$)|^-o./;

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
      const owned = raw.buildArgs.filter((a) => OWNED_BUILD_ARGS.test(a));
      if (owned.length) problems.push({ key: "pypi.buildArgs", reason: `${owned.join(", ")}: the output folder is chosen by the plugin; set pypi.distDir instead` });
      else options.buildArgs = raw.buildArgs as string[];
    }
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
