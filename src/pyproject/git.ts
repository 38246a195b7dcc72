import { isAbsolute, relative } from "node:path";
import { run } from "../exec.js";

export interface ChangedFile {
  /** Two-letter `git status` code: index then work tree (` M`, `M `, `D `, `R `, …). */
  status: string;
  path: string;
}

/**
 * Pure: `git status --porcelain=v1 -z` output as changed files. Renames and copies carry
 * their origin as an extra NUL-separated field, which is skipped; untracked (`??`) and
 * ignored (`!!`) entries are not changes to tracked files.
 */
export function parsePorcelain(output: string): ChangedFile[] {
  const fields = output.split("\0");
  const files: ChangedFile[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    if (field.length < 4) continue;
    const status = field.slice(0, 2);
    if (status[0] === "R" || status[0] === "C") i++;
    if (status === "??" || status === "!!") continue;
    files.push({ status, path: field.slice(3) });
  }
  return files;
}

/** Tracked files with uncommitted changes (staged or not), relative to the repository root; undefined outside git. */
export async function modifiedTrackedFiles(cwd: string): Promise<ChangedFile[] | undefined> {
  const result = await run("git", ["status", "--porcelain=v1", "-z", "--untracked-files=no"], { cwd });
  return result.exitCode === 0 ? parsePorcelain(result.stdout) : undefined;
}

/** Which of `paths` (relative to cwd) git tracks; every one is untracked outside git. */
export async function trackedFiles(cwd: string, paths: readonly string[]): Promise<Set<string>> {
  if (!paths.length) return new Set();
  const result = await run("git", ["ls-files", "-z", "--", ...paths], { cwd });
  return new Set(result.exitCode === 0 ? result.stdout.split("\0").filter(Boolean) : []);
}

/** The commit a tag points at, or undefined when this clone does not have the tag. */
export async function tagCommit(cwd: string, tag: string): Promise<string | undefined> {
  const result = await run("git", ["rev-parse", "-q", "--verify", `refs/tags/${tag}^{commit}`], { cwd });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** A file's text at `commit`; `path` is relative to cwd (or absolute inside the work tree). Undefined when the commit has no such file. */
export async function fileAtCommit(cwd: string, commit: string, path: string): Promise<string | undefined> {
  const relativePath = isAbsolute(path) ? relative(cwd, path) : path;
  // `<commit>:./<path>` is resolved against cwd, not the repository root.
  const result = await run("git", ["show", `${commit}:./${relativePath.split("\\").join("/")}`], { cwd });
  return result.exitCode === 0 ? result.stdout : undefined;
}
