import type { Context, PluginConfig } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { resolve } from "node:path";
import { maskInActions } from "../ci.js";
import { plannedDistNames, releaseDistsIn } from "../pypi/dists.js";
import type { Output } from "../pypi/log.js";
import { credentialRoute, describeRoute, probeTrustedPublishing } from "../pypi/oidc.js";
import { projectPageUrl, PYPI_RECORD_NAME, readPypiOptions, type PypiOptions } from "../pypi/options.js";
import { prepareDists, type ProjectFacts } from "../pypi/prepare.js";
import { publishDists } from "../pypi/publish.js";
import { scmVersionFiles } from "../pypi/sdist-content.js";
import { checkPythonTools, resolveBuilder } from "../pypi/tools.js";
import { attestationRecord, attestationsToUpload, checkDistProvenance, provenanceOptions, signDists, warmUpSigning } from "../provenance/steps.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject, type Pyproject } from "../pyproject/read.js";
import { versionBuildEnv } from "../pyproject/scm.js";
import { optionsCollecting, optionsOrThrow } from "../release/options.js";
import { releasePep440 } from "../version/pep440.js";

function output(context: Context): Output {
  const stream = context.stdout ?? process.stdout;
  return { logger: context.logger, env: context.env, write: (text) => void stream.write(text) };
}

async function release(pluginConfig: PluginConfig, context: Context) {
  const pyprojectOptions = optionsOrThrow(readPyprojectOptions, pluginConfig);
  const pyproject = await readPyproject(context.cwd, pyprojectOptions.path);
  const version = releasePep440(context.nextRelease!.version);
  return { pyproject, version, buildEnv: versionBuildEnv(pyproject, pyprojectOptions.versionMode, version) };
}

function projectFacts(pyproject: Pyproject): ProjectFacts {
  const requires = pyproject.data["build-system"]?.requires;
  return {
    buildBackend: pyproject.buildBackend,
    requires: Array.isArray(requires) ? requires.filter((r): r is string => typeof r === "string") : undefined,
    versionFiles: scmVersionFiles(pyproject.data),
  };
}

/**
 * Python tools, options and a way to authenticate; a missing credential is only a warning
 * when nothing will be uploaded. Trusted publishing itself is probed in verifyRelease.
 */
export async function verifyConditions(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { logger, env } = context;
  const errors: Error[] = [];
  const options = optionsCollecting(readPypiOptions, pluginConfig, errors);

  const tools = await checkPythonTools(options.python, context.cwd, context.env);
  const { builder, missing } = resolveBuilder(options.builder, tools);
  if (missing.length) errors.push(getError("ENOPYTHONTOOLS", { python: options.python, missing }));
  else logger.log("PyPI: %s builds with %s and checks with twine %s", options.python, builder === "uv" ? `uv ${tools.uv!.version}` : `build ${tools.buildVersion}`, tools.twineVersion);

  const route = credentialRoute(env);
  const uploads = options.publish && !context.options.dryRun;
  if (!route) {
    const error = getError("ENOPYPIAUTH");
    if (uploads) errors.push(error);
    else logger.warn("%s (%s: nothing is uploaded, so this is only a warning)", error.message, options.publish ? "dry run" : "pypi.publish is false");
  } else {
    if (route.kind === "api-token") logger.warn("PyPI: authenticating with %s", describeRoute(route));
    else logger.log("PyPI: authenticating with %s", describeRoute(route));
  }
  errors.push(...checkDistProvenance(pluginConfig, context, tools.twineVersion, uploads));
  throwAll(errors);
}

/**
 * Trusted publishing proven before the tag: in a real run that uploads, a token is minted
 * now and discarded, so a publisher that does not match fails with nothing tagged. In
 * verifyRelease, not verifyConditions: only a run that releases asks PyPI for a token.
 */
async function probeBeforeTheTag(options: PypiOptions, context: Context): Promise<void> {
  const { env, logger } = context;
  const route = credentialRoute(env);
  if (!options.publish || !route) return;
  if (context.options.dryRun) {
    if (route.kind === "api-token") return;
    logger.log("PyPI: a real run would now probe trusted publishing on %s (audience → ID token → mint-token) and discard the token", new URL(options.repositoryUrl).host);
    return;
  }
  const out = output(context);
  const done = await probeTrustedPublishing({
    repositoryUrl: options.repositoryUrl,
    env,
    retry: options.retry,
    onSecret: (secret) => maskInActions(secret, env, out.write),
    onRetry: (what, n, why) => logger.warn("Trusted publishing probe: %s failed (%s); try %d of %d", what, why, n, options.retry.attempts),
  });
  logger.log("PyPI: %s", done);
}

/** Say what a real run would build and where it would go: this is what a dry run shows. */
export async function verifyRelease(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const options = optionsOrThrow(readPypiOptions, pluginConfig);
  await probeBeforeTheTag(options, context);
  const { pyproject, version } = await release(pluginConfig, context);
  const names = plannedDistNames(pyproject.name, version, options.dists).join(" and ");
  if (options.publish) context.logger.log("PyPI: will build %s into %s and upload them to %s (%s)", names, options.distDir, options.repositoryUrl, projectPageUrl(options.indexUrl, pyproject.name, version));
  else context.logger.log("PyPI: will build and check %s into %s; pypi.publish is false, so nothing is uploaded", names, options.distDir);
}

/** Build the dists, prove PyPI and twine would take them (name, version, tags, size, metadata, contents), hash them. */
export async function prepare(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const options = optionsOrThrow(readPypiOptions, pluginConfig);
  const { pyproject, version, buildEnv } = await release(pluginConfig, context);
  warmUpSigning(pluginConfig, context, options.publish);
  const files = await prepareDists({ options, cwd: context.cwd, pyprojectFile: pyproject.file, name: pyproject.name, version, gitHead: context.nextRelease?.gitHead, out: output(context), project: projectFacts(pyproject), buildEnv });
  await signDists(pluginConfig, context, files, (await checkPythonTools(options.python, context.cwd, context.env)).twineVersion, options.publish);
}

/** Upload what the index lacks, with a token minted just now. */
export async function publish(pluginConfig: PluginConfig, context: Context) {
  const options = optionsOrThrow(readPypiOptions, pluginConfig);
  const { pyproject, version, buildEnv } = await release(pluginConfig, context);
  if (!options.publish) {
    context.logger.log("PyPI: pypi.publish is false; nothing uploaded");
    return false;
  }
  const out = output(context);
  const { twineVersion } = await checkPythonTools(options.python, context.cwd, context.env);
  // The release's files in distDir: prepare's, or the originals `pyrelease resume` restored from the draft release.
  let files = await releaseDistsIn(resolve(context.cwd, options.distDir), pyproject.name, version);
  if (!files.length) {
    files = await prepareDists({ options, cwd: context.cwd, pyprojectFile: pyproject.file, name: pyproject.name, version, gitHead: context.nextRelease?.gitHead, out, project: projectFacts(pyproject), buildEnv });
    await signDists(pluginConfig, context, files, twineVersion, true);
  }
  const signed = await attestationsToUpload(pluginConfig, context, files, twineVersion);
  const report = await publishDists({ options, cwd: context.cwd, env: context.env, name: pyproject.name, version, files, out, withAttestations: signed.paths.length > 0 });
  if (!report.uploaded.length) context.logger.log("PyPI: every file of %s %s was already published", pyproject.name, version);
  return {
    name: PYPI_RECORD_NAME,
    url: projectPageUrl(options.indexUrl, pyproject.name, version),
    project: pyproject.name,
    files: files.map(({ filename, sha256, size }) => {
      const attestation = signed.attestations.find((a) => a.filename === filename);
      return { filename, sha256, size, ...(attestation ? { attestation: attestationRecord(attestation, provenanceOptions(pluginConfig)) } : {}) };
    }),
  };
}
