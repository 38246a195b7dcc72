import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { normalizePep440 } from "../version/pep440.js";

export interface HardcodedVersion {
  /** Relative to the working directory, `/`-separated. */
  file: string;
  line: number;
  text: string;
  /** The version the line holds (a tuple as `1.2.3`). */
  value: string;
}

const SKIPPED_DIRS = new Set(["__pycache__", ".venv", "venv", ".tox", ".nox", "node_modules", ".git", "build", "dist", ".mypy_cache", ".pytest_cache"]);

/** Names that hold a version anywhere they are assigned. */
const VERSION_NAMES = new Set(["__version__"]);
/** Names that hold a version when assigned at module level. */
const MODULE_VERSION_NAMES = new Set(["VERSION", "__version_info__", "__version_tuple__", "VERSION_INFO", "version_info", "version_tuple"]);
/** A plain `version = …` is a version only in a module that exists to hold it (what setuptools-scm and hatch-vcs write). */
const VERSION_MODULES = new Set(["_version.py", "version.py", "__version__.py", "__about__.py", "_about.py"]);

/** `a = b: T = ` … : one or more assignment targets (an annotation allowed on each), then the value. */
const ASSIGNMENT = /^(\s*)((?:[A-Za-z_]\w*\s*(?::\s*[^=]+?)?\s*=(?!=)\s*)+)(.*)$/;
const STRING_VALUE = /^[rRuU]?(["'])([^"'\\]*)\1\s*(?:[#;].*)?$/;
const TUPLE_VALUE = /^\(\s*(\d+(?:\s*,\s*(?:\d+|["'][A-Za-z0-9.+-]*["']))+)\s*,?\s*\)\s*(?:[#;].*)?$/;

/**
 * A literal that could pass for a release version. Placeholders such as `"0+unknown"` or
 * `"unknown"` (the usual fallback when the package is not installed) are not versions
 * anyone would release, so they do not count.
 */
function releaseLike(literal: string): string | undefined {
  const version = normalizePep440(literal);
  return version !== null && !version.includes("+") ? version : undefined;
}

/** `(1, 2, 3)` → `1.2.3`; `(1, 2, 0, "rc1")` → `1.2.0rc1`. */
function tupleVersion(items: string): string | undefined {
  const parts = items.split(",").map((p) => p.trim().replace(/^["']|["']$/g, ""));
  const release = parts.filter((p) => /^\d+$/.test(p));
  const rest = parts.slice(release.length).join("");
  return releaseLike(`${release.join(".")}${rest}`);
}

/**
 * Pure: the lines of one Python file that hard-code a version: `__version__ = "1.2.3"`
 * (annotated or chained: `__version__ = version = '1.2.3'`, what setuptools-scm and
 * hatch-vcs write), module-level `VERSION = "1.2.3"` or `VERSION = (1, 2, 3)`, and a plain
 * `version = '1.2.3'` in a version module (`_version.py`, `__about__.py`, …).
 * `__version__ = version("pkg")`, the fix, is not a finding.
 */
export function findHardcodedVersions(text: string, fileName = "module.py"): { line: number; text: string; value: string }[] {
  const versionModule = VERSION_MODULES.has(basename(fileName));
  const findings: { line: number; text: string; value: string }[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    const match = ASSIGNMENT.exec(content);
    if (!match) return;
    const [, indent, targetsText, valueText] = match;
    const targets = targetsText.split(/=(?!=)/).map((t) => t.split(":")[0].trim()).filter(Boolean);
    const moduleLevel = indent === "";
    const named = targets.some(
      (t) => VERSION_NAMES.has(t) || (moduleLevel && MODULE_VERSION_NAMES.has(t)) || (moduleLevel && versionModule && (t === "version" || t === "release")),
    );
    if (!named) return;
    const string = STRING_VALUE.exec(valueText.trim());
    const tuple = string ? undefined : TUPLE_VALUE.exec(valueText.trim());
    const value = string ? releaseLike(string[2]) : tuple ? tupleVersion(tuple[1]) : undefined;
    if (value) findings.push({ line: index + 1, text: content.trim(), value });
  });
  return findings;
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

/** Every hard-coded version under `folders` (relative to cwd); folders that do not exist are passed over. */
export async function scanSources(cwd: string, folders: readonly string[]): Promise<HardcodedVersion[]> {
  const findings: HardcodedVersion[] = [];
  const seen = new Set<string>();
  const visit = async (path: string): Promise<void> => {
    if (seen.has(path)) return;
    seen.add(path);
    const info = await stat(path).catch(() => null);
    if (!info) return;
    if (info.isFile()) {
      if (!path.endsWith(".py")) return;
      const text = await readFile(path, "utf8");
      const file = relative(cwd, path).split("\\").join("/");
      for (const finding of findHardcodedVersions(text, path)) findings.push({ file, ...finding });
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
