import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import TOML from "@iarna/toml";
import { getError } from "../errors.js";
import { canonicalName } from "./dynamic.js";
import { tomlLines } from "./locate.js";

/**
 * Lock files and the project's own version. Measured with the real tools (uv 0.13.9,
 * Poetry 2.5.1, PDM 2.29.4): only uv.lock records the project itself, as a `[[package]]`
 * whose source is `{ editable = "." }` (`{ virtual = "." }` without a build system; a
 * workspace member's path otherwise), with the normalized version, or no version at all
 * when the version is dynamic; `uv lock --check` fails when it differs from pyproject.toml.
 * poetry.lock and pdm.lock list dependencies only, and their content hashes do not cover
 * the version (`poetry check --lock` and `pdm lock --check` pass after a bump), so a
 * version change never makes them stale.
 */
export const LOCK_FILES = ["uv.lock"] as const;

export interface LockedVersion {
  /** Relative to cwd. */
  file: string;
  /** The lock file's folder relative to cwd, `.` for cwd itself: where the fix command runs. */
  folder: string;
  /** 1-based line of the project's `version = …`. */
  line: number;
  version: string;
}

const LOCAL_SOURCE = ["editable", "virtual", "directory"];

/** Pure: the version uv.lock records for the project `name`, or undefined when it records none. */
export function uvLockedVersion(text: string, name: string): { version: string; line: number } | undefined {
  const block = projectBlock(text, name);
  return block?.version;
}

/**
 * Pure and surgical: uv.lock with only the project's own `version = "…"` replaced.
 * Null when the lock records no version for the project.
 */
export function replaceUvLockVersion(text: string, name: string, version: string): string | null {
  const found = projectBlock(text, name)?.version;
  if (!found) return null;
  const lines = text.split(/(?<=\n)/);
  const index = found.line - 1;
  const replaced = lines[index].replace(/^(\s*version\s*=\s*)(["'])[^"']*\2/, `$1$2${version}$2`);
  if (replaced === lines[index]) return null;
  lines[index] = replaced;
  return lines.join("");
}

/** The project's `[[package]]` entry of a uv.lock text: its version line, when it has one. */
function projectBlock(text: string, name: string): { version?: { version: string; line: number } } | undefined {
  let data: Record<string, any>;
  try {
    data = TOML.parse(text) as Record<string, any>;
  } catch (error) {
    throw new Error(`it is not valid TOML: ${(error as Error).message.split("\n")[0]}`);
  }
  const packages: Record<string, any>[] = Array.isArray(data.package) ? data.package : [];
  const index = packages.findIndex(
    (p) => typeof p.name === "string" && canonicalName(p.name) === canonicalName(name) && LOCAL_SOURCE.some((kind) => p.source?.[kind] !== undefined),
  );
  if (index < 0) return undefined;
  const entry = packages[index];
  if (typeof entry.version !== "string") return {};
  // The index-th [[package]] header, then its version key.
  const lines = tomlLines(text);
  const header = lines.filter((l) => l.kind === "header" && l.path.length === 1 && l.path[0] === "package")[index];
  const versionLine = lines.find((l) => l.line > header.line && l.kind === "key" && l.table.length === 1 && l.table[0] === "package" && l.path.join(".") === "package.version");
  return versionLine ? { version: { version: entry.version, line: versionLine.line } } : {};
}

/** uv.lock files that can record the project: beside pyproject.toml, then up to cwd (a workspace root). */
export function lockFileCandidates(cwd: string, pyprojectFile: string): string[] {
  const root = resolve(cwd);
  const candidates: string[] = [];
  let folder = dirname(resolve(pyprojectFile));
  for (;;) {
    for (const name of LOCK_FILES) candidates.push(join(folder, name));
    if (folder === root || !folder.startsWith(root + sep)) break;
    folder = dirname(folder);
  }
  return candidates;
}

/** The project's version as recorded by the first lock file that records it, if any. */
export async function readLockedVersion(cwd: string, pyprojectFile: string, name: string): Promise<LockedVersion | undefined> {
  for (const path of lockFileCandidates(cwd, pyprojectFile)) {
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const file = relative(cwd, path) || path;
    let found: { version: string; line: number } | undefined;
    try {
      found = uvLockedVersion(text, name);
    } catch (error) {
      throw getError("ESTALELOCK", { file, name, reason: (error as Error).message, folder: relative(cwd, dirname(path)) || "." });
    }
    if (found) return { file, folder: relative(cwd, dirname(path)) || ".", ...found };
  }
  return undefined;
}

/** Write mode and `pyrelease bump`: record `version` for the project in its lock file (surgically), then read it back. */
export async function writeLockedVersion(cwd: string, locked: LockedVersion, name: string, version: string): Promise<void> {
  const path = join(cwd, locked.file);
  const updated = replaceUvLockVersion(await readFile(path, "utf8"), name, version);
  const fail = (reason: string) => getError("ESTALELOCK", { file: locked.file, name, folder: locked.folder, reason });
  if (updated === null) throw fail(`its \`version = "…"\` line for ${name} could not be rewritten`);
  await writeFile(path, updated);
  const reread = uvLockedVersion(await readFile(path, "utf8"), name);
  if (reread?.version !== version) throw fail(`after writing ${version} it records ${reread?.version ?? "nothing"}`);
}
