import type { ConfigProblem } from "../config/problem.js";

export interface PyprojectOptions {
  path: string;
  versionMode: "verify" | "write";
  /** Folders scanned for a hard-coded `__version__`; undefined: the package's own folders. */
  sources?: string[];
}


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
  if (raw.versionMode !== undefined) {
    if (raw.versionMode === "verify" || raw.versionMode === "write") options.versionMode = raw.versionMode;
    else problems.push({ key: "pyproject.versionMode", reason: `must be "verify" or "write", not ${JSON.stringify(raw.versionMode)}` });
  }
  if (raw.sources !== undefined) {
    if (Array.isArray(raw.sources) && raw.sources.every((s) => typeof s === "string" && s.trim())) options.sources = raw.sources as string[];
    else problems.push({ key: "pyproject.sources", reason: "must be an array of folder paths" });
  }
  for (const key of Object.keys(raw)) {
    // onUnbumped is read by ./analyze (src/gates/unbumped.ts), which answers "no release" while pyproject is not bumped.
    if (!["path", "versionMode", "sources", "onUnbumped"].includes(key)) problems.push({ key: `pyproject.${key}`, reason: "is not an option (path, versionMode, sources, onUnbumped)" });
  }
  return { options, problems };
}
