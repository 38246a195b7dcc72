import type { Context, PluginConfig } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { triggeringTag } from "../ci.js";
import { tagMismatch } from "../pyproject/tag.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject, pyprojectFile } from "../pyproject/read.js";
import { defaultSourceFolders, scanSources } from "../pyproject/sources.js";
import { replaceVersion } from "../pyproject/write.js";
import { prereleaseKind, samePep440 } from "../version/pep440.js";
import { releasePep440 } from "../version/release.js";
import { readFile, writeFile } from "node:fs/promises";

/** pyproject.toml is the version truth: it parses, holds a static PEP 440 version, and nothing else hard-codes one. */
export async function verifyConditions(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { cwd, env, logger } = context;
  const { options, problems } = readPyprojectOptions(pluginConfig);
  const errors: Error[] = [];
  if (problems.length) errors.push(getError("EINVALIDCONFIG", { problems }));

  const badIdentifiers = prereleaseIdentifiers(context).filter((identifier) => !prereleaseKind(identifier));
  if (badIdentifiers.length) errors.push(getError("EPRERELEASEID", { identifiers: badIdentifiers }));

  const pyproject = await readPyproject(cwd, options.path).catch((error) => {
    errors.push(error);
    return undefined;
  });
  if (pyproject) {
    const folders = options.sources ?? defaultSourceFolders(pyproject.data, pyproject.name);
    const findings = await scanSources(cwd, folders);
    if (findings.length) errors.push(getError("EHARDCODEDVERSION", { findings }));

    const tag = triggeringTag(env);
    const mismatch = tag && tagMismatch(tag, context.options.tagFormat, pyproject.version, options.path);
    if (mismatch) errors.push(mismatch);
    logger.log("%s: %s %s ([%s].version, mode %s)", options.path, pyproject.name, pyproject.version, pyproject.table, options.versionMode);
  }
  throwAll(errors);
}

/** The version the commits call for, in PEP 440, must be the one pyproject.toml holds (verify mode). */
export async function verifyRelease(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { cwd, logger, nextRelease } = context;
  const { options } = readPyprojectOptions(pluginConfig);
  const pep440 = releasePep440(nextRelease!.version);
  const pyproject = await readPyproject(cwd, options.path);
  if (options.versionMode === "verify" && !samePep440(pep440, pyproject.version)) {
    throw getError("EVERSIONMISMATCH", {
      path: options.path,
      pyprojectVersion: pyproject.version,
      semver: nextRelease!.version,
      pep440,
      releaseType: nextRelease!.type,
      versionMode: options.versionMode,
    });
  }
  const channel = nextRelease!.channel ? `channel "${nextRelease!.channel}"` : "the default channel";
  logger.log(
    "Release plan: %s %s (semver %s), tag %s on %s; %s %s",
    pyproject.name,
    pep440,
    nextRelease!.version,
    nextRelease!.gitTag,
    channel,
    options.path,
    options.versionMode === "verify" ? "already holds it" : `will be written (now ${pyproject.version})`,
  );
}

/** Write mode: put the release version into pyproject.toml, touching nothing else, then read it back. */
export async function prepare(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { cwd, logger, nextRelease } = context;
  const { options } = readPyprojectOptions(pluginConfig);
  if (options.versionMode !== "write") return;
  const pep440 = releasePep440(nextRelease!.version);
  const pyproject = await readPyproject(cwd, options.path);
  if (pyproject.version === pep440) {
    logger.log("%s already holds %s", options.path, pep440);
    return;
  }
  const file = pyprojectFile(cwd, options.path);
  const updated = replaceVersion(await readFile(file, "utf8"), pyproject.table, pep440);
  if (updated === null) {
    throw getError("EINVALIDPYPROJECT", { path: options.path, reason: `no \`version = "…"\` line was found in [${pyproject.table}] to rewrite` });
  }
  await writeFile(file, updated);
  const reread = await readPyproject(cwd, options.path);
  if (!samePep440(reread.version, pep440)) {
    throw getError("EINVALIDPYPROJECT", { path: options.path, reason: `after writing ${pep440} it reads ${reread.version}` });
  }
  logger.log("Wrote version %s into %s (was %s)", pep440, options.path, pyproject.version);
}

/**
 * Every prerelease identifier the configuration names, whether or not its branch exists
 * yet: a wrong one must fail on main today, not on the day someone pushes `next`.
 */
function prereleaseIdentifiers(context: Context): string[] {
  const configured = Array.isArray(context.options.branches) ? (context.options.branches as unknown[]) : [];
  const specs = [...configured, ...(context.branches ?? [])].filter(
    (spec): spec is { name: string; prerelease: string | true } =>
      typeof spec === "object" && spec !== null && typeof (spec as any).name === "string" && (typeof (spec as any).prerelease === "string" || (spec as any).prerelease === true),
  );
  const identifiers = specs
    .map((spec) => (spec.prerelease === true ? spec.name : spec.prerelease))
    .filter((identifier) => !/[*?{}()[\]!+@]/.test(identifier));
  return [...new Set(identifiers)];
}
