import { run } from "../exec.js";
import type { ArchiveMember } from "./inspect.js";
import type { SdistStray } from "../errors.js";

/** What git holds at the release commit, relative to the project folder. */
export interface TrackedTree {
  files: ReadonlySet<string>;
  /** Submodules (gitlinks): git tracks their commit, not their files. */
  submodules: readonly string[];
}

export type OffenceReason = SdistStray["reason"];

export interface SdistOffender {
  /** Path inside the project folder (the sdist's top-level folder stripped). */
  path: string;
  size: number;
  reason: OffenceReason;
}

/** Folders that never belong in an sdist, tracked or not: a repository's own database, a JavaScript install. */
const NEVER_SHIPPED: readonly OffenceReason[] = [".git", "node_modules"];

/**
 * Pure: files a build backend writes into every sdist of its kind, which no repository
 * tracks: `PKG-INFO`; setuptools' `setup.cfg` (its `[egg_info]` block) and `*.egg-info/`;
 * poetry-core 1.x's generated `setup.py`; the version file an scm plugin writes (given).
 */
export function isGeneratedMember(path: string, buildBackend: string | undefined, versionFiles: readonly string[] = []): boolean {
  if (path === "PKG-INFO") return true;
  if (buildBackend?.startsWith("setuptools") && (path === "setup.cfg" || path.split("/").some((part) => part.endsWith(".egg-info")))) return true;
  if (buildBackend?.startsWith("poetry.core") && path === "setup.py") return true;
  return versionFiles.some((file) => path === file || path.endsWith(`/${file}`));
}

/**
 * Pure: the sdist members that do not belong in a release of the tracked tree: anything
 * under a `.git` or `node_modules` folder, and every file git does not track at the release
 * commit (a build output, a local file) unless the backend generates it.
 */
export function sdistOffenders(members: readonly ArchiveMember[], tracked: TrackedTree, isGenerated: (path: string) => boolean): SdistOffender[] {
  const names = members.map((m) => m.name.replace(/^\.\//, ""));
  const top = names.length ? names.reduce((common, name) => commonPrefix(common, name)) : "";
  const offenders: SdistOffender[] = [];
  for (const member of members) {
    if (member.kind === "dir") continue;
    const path = member.name.replace(/^\.\//, "").slice(top.length + 1);
    if (!path) continue;
    const parts = path.split("/");
    const never = NEVER_SHIPPED.find((folder) => parts.includes(folder));
    if (never) offenders.push({ path, size: member.size, reason: never });
    else if (!tracked.files.has(path) && !tracked.submodules.some((s) => path.startsWith(`${s}/`)) && !isGenerated(path)) {
      offenders.push({ path, size: member.size, reason: "untracked" });
    }
  }
  return offenders;
}

/** The top-level folder the names share (an sdist has exactly one). */
function commonPrefix(a: string, b: string): string {
  const left = a.split("/");
  const right = b.split("/");
  let n = 0;
  while (n < left.length && n < right.length && left[n] === right[n]) n++;
  return left.slice(0, n).join("/");
}

/** A folder (ending in `/`) or a single file the sdist should not carry, as ESDISTCONTENT lists it. */
export type OffenderGroup = Omit<SdistStray, "ignored">;

/**
 * Pure: offenders gathered into what a user would exclude: the outermost folder holding no
 * tracked file (`node_modules/`, `build/`), the `.git`/`node_modules` folder itself, or the
 * file alone; biggest first.
 */
export function groupOffenders(offenders: readonly SdistOffender[], tracked: TrackedTree): OffenderGroup[] {
  const trackedFolders = new Set<string>();
  for (const file of tracked.files) {
    const parts = file.split("/");
    for (let i = 1; i < parts.length; i++) trackedFolders.add(parts.slice(0, i).join("/"));
  }
  const groups = new Map<string, OffenderGroup>();
  for (const offender of offenders) {
    const parts = offender.path.split("/");
    let key = offender.path;
    const never = offender.reason === "untracked" ? -1 : parts.indexOf(offender.reason);
    if (never >= 0) key = `${parts.slice(0, never + 1).join("/")}/`;
    else {
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join("/");
        if (!trackedFolders.has(folder)) {
          key = `${folder}/`;
          break;
        }
      }
    }
    const group = groups.get(key) ?? { path: key, files: 0, bytes: 0, reason: offender.reason };
    group.files++;
    group.bytes += offender.size;
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes || b.files - a.files || a.path.localeCompare(b.path));
}

/** Pure: `git ls-tree -r -z` output → the tracked tree. */
export function parseLsTree(output: string): TrackedTree {
  const files = new Set<string>();
  const submodules: string[] = [];
  for (const entry of output.split("\0")) {
    const match = /^\d+ (\w+) [0-9a-f]+\t(.*)$/s.exec(entry);
    if (!match) continue;
    if (match[1] === "commit") submodules.push(match[2]);
    else files.add(match[2]);
  }
  return { files, submodules };
}

/** What git tracks under `projectDir` at `commit` (HEAD when the commit is unknown here); undefined outside a git work tree. */
export async function trackedTree(projectDir: string, commit: string | undefined, env: Record<string, string | undefined> = {}): Promise<TrackedTree | undefined> {
  for (const rev of commit ? [commit, "HEAD"] : ["HEAD"]) {
    const result = await run("git", ["ls-tree", "-r", "-z", rev], { cwd: projectDir, env });
    if (result.exitCode === 0) return parseLsTree(result.stdout);
  }
  return undefined;
}

/** Which of `paths` (relative to `projectDir`) git's ignore rules match. */
export async function ignoredPaths(projectDir: string, paths: readonly string[], env: Record<string, string | undefined> = {}): Promise<Set<string>> {
  if (!paths.length) return new Set();
  const result = await run("git", ["check-ignore", "--no-index", "-z", "--stdin"], { cwd: projectDir, env, input: paths.join("\0") + "\0" });
  return new Set(result.stdout.split("\0").filter(Boolean));
}

/**
 * Pure: the files an scm version plugin writes into the sdist, as pyproject.toml configures
 * them: setuptools-scm `write_to`/`version_file`, hatch-vcs's build hook `version-file`
 * (global or per target) and its `raw-options`, pdm-backend's `write_to`.
 */
export function scmVersionFiles(data: Record<string, any>): string[] {
  const tool = data?.tool ?? {};
  const hatchBuild = tool.hatch?.build ?? {};
  const candidates: unknown[] = [
    tool.setuptools_scm?.write_to,
    tool.setuptools_scm?.version_file,
    hatchBuild.hooks?.vcs?.["version-file"],
    ...Object.values(hatchBuild.targets ?? {}).map((target: any) => target?.hooks?.vcs?.["version-file"]),
    tool.hatch?.version?.["raw-options"]?.write_to,
    tool.hatch?.version?.["raw-options"]?.version_file,
    tool.pdm?.version?.write_to,
  ];
  return [...new Set(candidates.filter((c): c is string => typeof c === "string" && c.trim() !== "").map((c) => c.replace(/^\.\//, "")))];
}
