import { readChoice, readUnknownKeys } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";

export type VersionMode = "verify" | "write" | "scm";

/** A file that repeats the version: the whole file (`VERSION`), or the first capture group of `pattern`. */
export interface VersionFile {
  path: string;
  pattern?: string;
}

export interface PyprojectOptions {
  path: string;
  versionMode: VersionMode;
  /** Folders scanned for a hard-coded `__version__`; undefined: the package's own folders. */
  sources?: string[];
  /** Files that must hold the release version when they exist; undefined: `VERSION` and `version.txt` beside pyproject.toml. */
  versionFiles?: VersionFile[];
}

const MODES: readonly VersionMode[] = ["verify", "write", "scm"];
// onUnbumped is read by ./analyze (src/gates/unbumped.ts), which answers "no release" while pyproject is not bumped.
const KEYS = ["path", "versionMode", "sources", "versionFiles", "onUnbumped"];

/** Pure: the `pyproject` options with defaults, and every problem with them. */
export function readPyprojectOptions(config: { pyproject?: unknown }): { options: PyprojectOptions; problems: ConfigProblem[] } {
  const raw = (config.pyproject ?? {}) as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  const options: PyprojectOptions = { path: "pyproject.toml", versionMode: "verify" };
  if (typeof raw !== "object" || Array.isArray(raw)) {
    return { options, problems: [{ key: "pyproject", reason: "must be an object" }] };
  }
  if (raw.path !== undefined) {
    if (typeof raw.path === "string" && raw.path.trim()) options.path = raw.path;
    else problems.push({ key: "pyproject.path", reason: "must be a non-empty string" });
  }
  options.versionMode = readChoice("pyproject", raw, "versionMode", MODES, options.versionMode, problems);
  if (raw.sources !== undefined) {
    if (Array.isArray(raw.sources) && raw.sources.every((s) => typeof s === "string" && s.trim())) options.sources = raw.sources as string[];
    else problems.push({ key: "pyproject.sources", reason: "must be an array of folder paths" });
  }
  if (raw.versionFiles !== undefined) {
    const files = readVersionFiles(raw.versionFiles, problems);
    if (files) options.versionFiles = files;
  }
  readUnknownKeys("pyproject", raw, KEYS, problems);
  return { options, problems };
}

function readVersionFiles(value: unknown, problems: ConfigProblem[]): VersionFile[] | undefined {
  if (!Array.isArray(value)) {
    problems.push({ key: "pyproject.versionFiles", reason: 'must be an array of paths or { "path", "pattern" } objects' });
    return undefined;
  }
  const files: VersionFile[] = [];
  value.forEach((entry, index) => {
    const key = `pyproject.versionFiles[${index}]`;
    if (typeof entry === "string" && entry.trim()) return void files.push({ path: entry });
    const object = typeof entry === "object" && entry !== null && !Array.isArray(entry) ? (entry as Record<string, unknown>) : undefined;
    if (!object || typeof object.path !== "string" || !object.path.trim()) {
      return void problems.push({ key, reason: 'must be a path or { "path": "…", "pattern": "…" }' });
    }
    const unknown = Object.keys(object).filter((k) => k !== "path" && k !== "pattern");
    if (unknown.length) problems.push({ key, reason: `has unknown key(s) ${unknown.join(", ")} (path, pattern)` });
    if (object.pattern === undefined) return void files.push({ path: object.path });
    const reason = patternProblem(object.pattern);
    if (reason) problems.push({ key: `${key}.pattern`, reason });
    else files.push({ path: object.path, pattern: object.pattern as string });
  });
  return files;
}

/** Why `pattern` cannot find a version (a regular expression with at least one capture group), or undefined. */
function patternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== "string" || !pattern) return "must be a regular expression";
  let expression: RegExp;
  try {
    expression = new RegExp(pattern, "m");
  } catch (error) {
    return `is not a regular expression: ${(error as Error).message}`;
  }
  // A regex with N groups matches the empty alternative with N + 1 entries.
  if (new RegExp(`${expression.source}|`).exec("")!.length < 2) return "needs a capture group around the version, e.g. release = \"(.+)\"";
  return undefined;
}
