import { readFile } from "node:fs/promises";
import { join, posix } from "node:path";
import { normalizePep440, samePep440 } from "../version/pep440.js";
import type { VersionFile } from "./options.js";

/** A file that repeats the version and disagrees with the one being released. */
export interface StrayVersion {
  file: string;
  /** 1-based line of the version in the file. */
  line: number;
  /** What the file holds (as written), or undefined when no version was found in it. */
  found?: string;
  reason: "differs" | "no-version" | "missing";
  pattern?: string;
}

/** The files checked when `pyproject.versionFiles` is not set: `VERSION` and `version.txt` beside pyproject.toml. */
export function defaultVersionFiles(pyprojectPath: string): VersionFile[] {
  const folder = posix.dirname(pyprojectPath.split("\\").join("/"));
  return ["VERSION", "version.txt"].map((name) => ({ path: folder === "." ? name : posix.join(folder, name) }));
}

/**
 * Pure: what `content` (the text of `file.path`) says about the version, compared with `expected`.
 * A plain file is one version (a `v` prefix and surrounding blank lines allowed);
 * with a `pattern`, its first capture group is the version.
 */
export function compareVersionFile(file: VersionFile, content: string, expected: string): StrayVersion | undefined {
  let found: string | undefined;
  let line = 1;
  if (file.pattern) {
    const match = new RegExp(file.pattern, "m").exec(content);
    if (match && match[1] !== undefined) {
      found = match[1].trim();
      line = content.slice(0, match.index + match[0].indexOf(match[1])).split("\n").length;
    }
  } else {
    const lines = content.split(/\r?\n/);
    const index = lines.findIndex((l) => l.trim());
    if (index >= 0 && lines.slice(index + 1).every((l) => !l.trim())) {
      found = lines[index].trim();
      line = index + 1;
    }
  }
  if (found === undefined) return { file: file.path, line, reason: "no-version", pattern: file.pattern };
  const version = found.replace(/^v(?=\d)/i, "");
  if (normalizePep440(version) !== null && samePep440(version, expected)) return undefined;
  return { file: file.path, line, found, reason: "differs", pattern: file.pattern };
}

/**
 * Every listed file that exists and does not hold `expected`. A default file that does not
 * exist is fine; a file the user listed must exist.
 */
export async function findStrayVersions(cwd: string, files: readonly VersionFile[], expected: string, listedByUser: boolean): Promise<StrayVersion[]> {
  const strays: StrayVersion[] = [];
  for (const file of files) {
    const content = await readFile(join(cwd, file.path), "utf8").catch((error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? undefined : Promise.reject(error)));
    if (content === undefined) {
      if (listedByUser) strays.push({ file: file.path, line: 0, reason: "missing", pattern: file.pattern });
      continue;
    }
    const stray = compareVersionFile(file, content, expected);
    if (stray) strays.push(stray);
  }
  return strays;
}
