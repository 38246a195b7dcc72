import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { normalizePep440 } from "../version/pep440.js";

export interface HardcodedVersion {
  file: string;
  line: number;
  text: string;
}

/** `__version__ = "1.2.3"` (optionally annotated); `__version__ = version("pkg")` is the fix, not a finding. */
const HARDCODED = /^\s*__version__\s*(?::\s*[A-Za-z_.[\]]+\s*)?=\s*[rRuU]?(["'])(.*?)\1/;
const SKIPPED_DIRS = new Set(["__pycache__", ".venv", "venv", ".tox", ".nox", "node_modules", ".git", "build", "dist", ".mypy_cache", ".pytest_cache"]);

/**
 * A literal that could pass for a release version. Placeholders such as `"0+unknown"` or
 * `"unknown"` (the usual fallback when the package is not installed) are not versions
 * anyone would release, so they do not count.
 */
function isReleaseLike(literal: string | undefined): boolean {
  if (literal === undefined) return false;
  const version = normalizePep440(literal);
  return version !== null && !version.includes("+");
}

/** Pure: the lines of one Python file that hard-code a version string. */
export function findHardcodedVersions(text: string): { line: number; text: string }[] {
  return text
    .split(/\r?\n/)
    .map((content, index) => ({ line: index + 1, text: content.trim() }))
    .filter(({ text: content }) => isReleaseLike(HARDCODED.exec(content)?.[2]));
}

/**
 * The folders to scan when `pyproject.sources` is not set: the package folders the
 * build backend is told about, else `src/`, else a folder named after the distribution.
 */
export function defaultSourceFolders(data: Record<string, any>, name: string): string[] {
  const hatch = data.tool?.hatch?.build?.targets?.wheel?.packages;
  if (Array.isArray(hatch) && hatch.length) return hatch.filter((p): p is string => typeof p === "string");
  const poetry = data.tool?.poetry?.packages;
  if (Array.isArray(poetry) && poetry.length) {
    return poetry
      .filter((p) => p && typeof p.include === "string")
      .map((p) => (typeof p.from === "string" ? `${p.from}/${p.include}` : p.include));
  }
  const where = data.tool?.setuptools?.packages?.find?.where;
  if (Array.isArray(where) && where.length) return where.filter((p): p is string => typeof p === "string");
  return ["src", name.toLowerCase().replace(/[-.]+/g, "_")];
}

/** Every hard-coded `__version__` under `folders` (relative to cwd); folders that do not exist are passed over. */
export async function scanSources(cwd: string, folders: readonly string[]): Promise<HardcodedVersion[]> {
  const findings: HardcodedVersion[] = [];
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path).catch(() => null);
    if (!info) return;
    if (info.isFile()) {
      if (!path.endsWith(".py")) return;
      const text = await readFile(path, "utf8");
      for (const finding of findHardcodedVersions(text)) findings.push({ file: relative(cwd, path), ...finding });
      return;
    }
    if (!info.isDirectory()) return;
    for (const entry of (await readdir(path)).sort()) {
      if (!SKIPPED_DIRS.has(entry)) await visit(join(path, entry));
    }
  };
  for (const folder of folders) await visit(join(cwd, folder));
  return findings;
}
