import type { Context, PluginConfig } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { optionsCollecting, optionsOrThrow } from "../release/options.js";
import { triggeringTag } from "../release/trigger.js";
import { modifiedTrackedFiles } from "../pyproject/git.js";
import { tagMismatch } from "../pyproject/tag.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject, type Pyproject } from "../pyproject/read.js";
import { versionBuildEnv } from "../pyproject/scm.js";
import { checkVersionTruth, type TruthCheck } from "../pyproject/truth.js";
import { writeReleaseVersion } from "../pyproject/write.js";
import { prereleaseIdentifiers } from "../version/branch.js";
import { prereleaseKind, releasePep440 } from "../version/pep440.js";

/** How many changed files EDIRTYTREE lists before "and N more". */
const LISTED_CHANGES = 20;

/**
 * pyproject.toml is the version truth: it parses, no uncommitted change to a tracked file
 * would be released (a dry run only warns), and every problem with the version is found. Those are reported together with the release's own version check (verifyRelease),
 * so one run names them all; here they are only logged, unless something else already
 * stops the run.
 */
export async function verifyConditions(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { cwd, env, logger } = context;
  const errors: Error[] = [];
  const options = optionsCollecting(readPyprojectOptions, pluginConfig, errors);

  const configuredBranches = Array.isArray(context.options.branches) ? context.options.branches : [];
  const badIdentifiers = prereleaseIdentifiers([...configuredBranches, ...(context.branches ?? [])]).filter((identifier) => !prereleaseKind(identifier));
  if (badIdentifiers.length) errors.push(getError("EPRERELEASEID", { identifiers: badIdentifiers }));

  const changed = await modifiedTrackedFiles(cwd);
  if (changed?.length) {
    const dirty = getError("EDIRTYTREE", { files: changed.slice(0, LISTED_CHANGES), more: Math.max(0, changed.length - LISTED_CHANGES) });
    if (context.options.dryRun) logger.warn("%s %s A dry run only warns; a real run stops here.", dirty.code, dirty.message);
    else errors.push(dirty);
  }

  const pyproject = await readPyproject(cwd, options.path).catch((error) => {
    errors.push(error);
    return undefined;
  });
  let truth: TruthCheck | undefined;
  if (pyproject) {
    truth = await checkVersionTruth({ cwd, options, pyproject });
    const tag = triggeringTag(env);
    const mismatch = tag && pyproject.version !== undefined && options.versionMode !== "scm" && tagMismatch(tag, context.options.tagFormat, pyproject.version, options.path);
    if (mismatch) errors.push(mismatch);
    logger.log("%s: %s %s (mode %s)", options.path, pyproject.name, describeVersion(pyproject), options.versionMode);
    for (const note of truth.notes) logger.log(note);
  }
  if (errors.length) throwAll([...errors, ...(truth?.problems ?? [])]);
  for (const problem of truth?.problems ?? []) {
    logger.warn("%s %s Reported again, as an error, by the version check of a release.", (problem as { code?: string }).code, problem.message);
  }
}

/**
 * The version the commits call for, in PEP 440, must be the one pyproject.toml holds
 * (verify mode), and nothing else may say otherwise: every problem is reported at once.
 */
export async function verifyRelease(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { cwd, logger, nextRelease } = context;
  const options = optionsOrThrow(readPyprojectOptions, pluginConfig);
  const pep440 = releasePep440(nextRelease!.version);
  const pyproject = await readPyproject(cwd, options.path);
  const truth = await checkVersionTruth({ cwd, options, pyproject, release: { semver: nextRelease!.version, pep440, type: nextRelease!.type } });
  throwAll(truth.problems);
  const channel = nextRelease!.channel ? `channel "${nextRelease!.channel}"` : "the default channel";
  const how =
    options.versionMode === "verify"
      ? "already holds it"
      : options.versionMode === "write"
        ? `will be written (now ${pyproject.version})${truth.lock ? `, and into ${truth.lock.file}` : ""}`
        : `keeps its dynamic version (${truth.dynamic?.source}); the build gets ${Object.keys(versionBuildEnv(pyproject, options.versionMode, pep440)).join(", ")}=${pep440}`;
  logger.log("Release plan: %s %s (semver %s), tag %s on %s; %s %s", pyproject.name, pep440, nextRelease!.version, nextRelease!.gitTag, channel, options.path, how);
}

/** Write mode: put the release version into pyproject.toml and the lock file's record of the project, touching nothing else, then read them back. */
export async function prepare(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { cwd, logger, nextRelease } = context;
  const options = optionsOrThrow(readPyprojectOptions, pluginConfig);
  if (options.versionMode !== "write") return;
  const pep440 = releasePep440(nextRelease!.version);
  const written = await writeReleaseVersion(cwd, options.path, pep440);
  if (!written.changed.length) logger.log("%s already holds %s", options.path, pep440);
  else logger.log("Wrote version %s into %s (was %s)", pep440, written.changed.join(" and "), written.previous);
}

function describeVersion(pyproject: Pyproject): string {
  if (pyproject.version !== undefined) return `${pyproject.version} ([${pyproject.table}].version)`;
  return pyproject.dynamic ? "(dynamic version)" : "(no version)";
}
