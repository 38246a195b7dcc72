import { writeFile } from "node:fs/promises";
import { getError } from "../errors.js";
import { samePep440 } from "../version/pep440.js";
import { readLockedVersion, writeLockedVersion } from "./lock.js";
import { readPyproject, type VersionTable } from "./read.js";

const TABLE_HEADER = /^\s*\[\s*([^\]\[]+?)\s*\]\s*(#.*)?$/;
const VERSION_LINE = /^(\s*version\s*=\s*)(["'])([^"'\n]*)(\2)/;

/**
 * Pure and surgical: the same text with only the version value of `table` replaced.
 * Comments, key order, quoting and every other byte stay as they were. Returns null
 * when no `version = "…"` line can be found in that table (a multi-line or inline form).
 */
export function replaceVersion(text: string, table: VersionTable, version: string): string | null {
  const lines = text.split(/(?<=\n)/);
  let current: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const header = TABLE_HEADER.exec(line.replace(/\r?\n$/, ""));
    if (header && !line.trimStart().startsWith("[[")) {
      current = header[1].replace(/\s*\.\s*/g, ".").replace(/"/g, "");
      continue;
    }
    if (line.trimStart().startsWith("[[")) {
      current = undefined;
      continue;
    }
    if (current !== table) continue;
    const match = VERSION_LINE.exec(line);
    if (match) {
      lines[index] = line.replace(VERSION_LINE, `$1$2${version}$4`);
      return lines.join("");
    }
  }
  return null;
}

/**
 * Put `pep440` into pyproject.toml and into the lock file's record of the project, each
 * with a surgical edit read back afterwards, and nothing else. Write mode and `pyrelease bump`.
 * Returns the files changed (relative to cwd) and the version pyproject held before.
 */
export async function writeReleaseVersion(cwd: string, path: string, pep440: string): Promise<{ changed: string[]; previous: string; name: string }> {
  const pyproject = await readPyproject(cwd, path);
  if (pyproject.version === undefined || pyproject.table === undefined) throw getError("ENOPYPROJECTVERSION", { path });
  const changed: string[] = [];
  if (pyproject.version !== pep440) {
    const updated = replaceVersion(pyproject.text, pyproject.table, pep440);
    if (updated === null) throw getError("EINVALIDPYPROJECT", { path, reason: `no \`version = "…"\` line was found in [${pyproject.table}] to rewrite` });
    await writeFile(pyproject.file, updated);
    const reread = await readPyproject(cwd, path);
    if (reread.version === undefined || !samePep440(reread.version, pep440)) throw getError("EINVALIDPYPROJECT", { path, reason: `after writing ${pep440} it reads ${reread.version}` });
    changed.push(path);
  }
  const lock = await readLockedVersion(cwd, pyproject.file, pyproject.name);
  if (lock && lock.version !== pep440) {
    await writeLockedVersion(cwd, lock, pyproject.name, pep440);
    changed.push(lock.file);
  }
  return { changed, previous: pyproject.version, name: pyproject.name };
}
