import { dirname, posix, relative } from "node:path";
import { getError } from "../errors.js";
import { normalizePep440, samePep440 } from "../version/pep440.js";
import { describeDynamicVersion, type DynamicVersion } from "./dynamic.js";
import { trackedFiles } from "./git.js";
import { readLockedVersion, type LockedVersion } from "./lock.js";
import type { PyprojectOptions, VersionMode } from "./options.js";
import type { Pyproject } from "./read.js";
import { defaultSourceFolders, scanSources, type HardcodedVersion } from "./sources.js";
import { defaultVersionFiles, findStrayVersions } from "./stray.js";

/** The release being checked, once semantic-release has computed it. */
export interface ReleaseVersion {
  semver: string;
  pep440: string;
  type?: string;
}

/**
 * Pure: what is wrong with pyproject.toml's own version for `mode`: a dynamic version
 * (naming the lines that make it so), none, one that is not PEP 440, or (verify mode, once
 * the release is known) another version than the release's.
 */
export function versionProblems(pyproject: Pyproject, path: string, mode: VersionMode, release?: ReleaseVersion): Error[] {
  const { version, dynamic, name } = pyproject;
  if (mode === "scm") {
    if (version !== undefined) {
      return [
        getError("EINVALIDCONFIG", {
          problems: [{ key: "pyproject.versionMode", reason: `"scm" releases a version computed from git (hatch-vcs, setuptools-scm, pdm-backend scm, poetry-dynamic-versioning), but ${path} holds the static version "${version}": use "verify" or "write"` }],
        }),
      ];
    }
    if (!dynamic) return [getError("ENOPYPROJECTVERSION", { path })];
    const described = describeDynamicVersion(pyproject.data, pyproject.text, release?.pep440);
    return described.scmTool ? [] : [getError("EDYNAMICVERSION", { path, name, versionMode: mode, version: release?.pep440, ...described })];
  }
  if (dynamic) return [getError("EDYNAMICVERSION", { path, name, versionMode: mode, version: release?.pep440, ...describeDynamicVersion(pyproject.data, pyproject.text, release?.pep440) })];
  if (version === undefined) return [getError("ENOPYPROJECTVERSION", { path })];
  if (normalizePep440(version) === null) return [getError("EINVALIDPEP440", { path, version })];
  if (mode === "verify" && release && !samePep440(release.pep440, version)) {
    return [getError("EVERSIONMISMATCH", { path, pyprojectVersion: version, semver: release.semver, pep440: release.pep440, releaseType: release.type, versionMode: mode })];
  }
  return [];
}

export interface TruthCheck {
  /** Every problem, in the order a user fixes them: the version itself, other copies of it, the lock file. */
  problems: Error[];
  /** What was checked or passed over on purpose, for the log. */
  notes: string[];
  dynamic?: DynamicVersion;
  /** The lock file's record of the project, when one exists (write mode and bump update it). */
  lock?: LockedVersion;
}

export interface TruthRequest {
  cwd: string;
  options: PyprojectOptions;
  pyproject: Pyproject;
  release?: ReleaseVersion;
}

/**
 * Everything that can make the version released differ from pyproject.toml's, found in one
 * go so that a user fixes them all at once: the version itself, hard-coded copies in the
 * sources, version files that disagree, and the lock file's record of the project.
 */
export async function checkVersionTruth({ cwd, options, pyproject, release }: TruthRequest): Promise<TruthCheck> {
  const mode = options.versionMode;
  const problems = versionProblems(pyproject, options.path, mode, release);
  const notes: string[] = [];
  const dynamic = pyproject.dynamic ? describeDynamicVersion(pyproject.data, pyproject.text, release?.pep440) : undefined;
  const staticVersion = pyproject.version !== undefined && normalizePep440(pyproject.version) !== null ? pyproject.version : undefined;

  const findings = await hardcodedFindings(cwd, options, pyproject, dynamic, notes);
  if (findings.length) problems.push(getError("EHARDCODEDVERSION", { findings, name: pyproject.name, versionMode: mode }));

  // Other copies must hold the version being released: the release's once known, else pyproject's.
  const expected = release?.pep440 ?? staticVersion;
  if (expected) {
    const strays = await findStrayVersions(cwd, options.versionFiles ?? defaultVersionFiles(options.path), expected, options.versionFiles !== undefined);
    if (strays.length) problems.push(getError("ESTRAYVERSION", { strays, expected }));
  }

  // The lock must agree with pyproject.toml as it is; write mode (and bump) rewrites both, so only verify mode can be stale.
  let lock: LockedVersion | undefined;
  if (staticVersion) {
    try {
      lock = await readLockedVersion(cwd, pyproject.file, pyproject.name);
    } catch (error) {
      problems.push(error as Error);
    }
    if (lock && mode === "verify" && !samePep440(lock.version, staticVersion)) {
      problems.push(getError("ESTALELOCK", { file: lock.file, folder: lock.folder, name: pyproject.name, recorded: lock.version, expected: staticVersion }));
    }
  }
  return { problems, notes, dynamic, lock };
}

/**
 * Hard-coded versions that matter: in scm mode the file the tool writes at build time is
 * regenerated with the release version when git ignores it, and a poetry-dynamic-versioning
 * `0.0.0` placeholder is substituted; a committed copy of a generated file goes stale.
 */
async function hardcodedFindings(cwd: string, options: PyprojectOptions, pyproject: Pyproject, dynamic: DynamicVersion | undefined, notes: string[]) {
  const folders = options.sources ?? defaultSourceFolders(pyproject.data, pyproject.name);
  const scanned = await scanSources(cwd, folders);
  if (!scanned.length) return [];
  const tracked = await trackedFiles(cwd, [...new Set(scanned.map((f) => f.file))]);
  const projectFolder = relative(cwd, dirname(pyproject.file)).split("\\").join("/");
  const generated = options.versionMode === "scm" && dynamic?.versionFile ? posix.normalize(posix.join(projectFolder || ".", dynamic.versionFile)) : undefined;
  const findings: (HardcodedVersion & { tracked: boolean; generated?: string })[] = [];
  for (const finding of scanned) {
    const isTracked = tracked.has(finding.file);
    if (finding.file === generated) {
      if (!isTracked) {
        notes.push(`${finding.file} is written by ${dynamic!.source} at build time (git does not track it): not a hard-coded version`);
        continue;
      }
      findings.push({ ...finding, tracked: true, generated: dynamic!.source });
      continue;
    }
    if (options.versionMode === "scm" && dynamic?.scmTool === "poetry-dynamic-versioning" && finding.value === "0.0.0") {
      notes.push(`${finding.file}:${finding.line} is poetry-dynamic-versioning's placeholder, substituted at build time`);
      continue;
    }
    findings.push({ ...finding, tracked: isTracked });
  }
  return findings;
}
