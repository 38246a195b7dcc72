import type { Context, PluginConfig } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { describeDist, plannedDistNames, type DistFile } from "../pypi/dists.js";
import type { Output } from "../pypi/log.js";
import { credentialRoute, describeRoute } from "../pypi/oidc.js";
import { projectPageUrl, readPypiOptions, type PypiOptions } from "../pypi/options.js";
import { prepareDists } from "../pypi/prepare.js";
import { publishDists } from "../pypi/publish.js";
import { checkPythonTools } from "../pypi/tools.js";
import { attestationRecord, attestationsToUpload, checkDistProvenance, provenanceOptions, signDists, warmUpSigning } from "../provenance/steps.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject } from "../pyproject/read.js";
import { releasePep440 } from "../version/release.js";

/** The files prepare built, per working copy and release commit, for publish to upload. */
const prepared = new Map<string, DistFile[]>();
const preparedKey = (context: Context, version: string) => `${context.cwd}\0${context.nextRelease?.gitHead ?? ""}\0${version}`;

function output(context: Context): Output {
  const stream = context.stdout ?? process.stdout;
  return { logger: context.logger, env: context.env, write: (text) => void stream.write(text) };
}

function optionsOrThrow(pluginConfig: PluginConfig): PypiOptions {
  const { options, problems } = readPypiOptions(pluginConfig);
  if (problems.length) throw getError("EINVALIDCONFIG", { problems });
  return options;
}

async function release(pluginConfig: PluginConfig, context: Context) {
  const { options: pyprojectOptions } = readPyprojectOptions(pluginConfig);
  const pyproject = await readPyproject(context.cwd, pyprojectOptions.path);
  return { pyproject, version: releasePep440(context.nextRelease!.version) };
}

/** Python tools, options and a way to authenticate; a missing credential is only a warning when nothing will be uploaded. */
export async function verifyConditions(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { logger, env } = context;
  const { options, problems } = readPypiOptions(pluginConfig);
  const errors: Error[] = [];
  if (problems.length) errors.push(getError("EINVALIDCONFIG", { problems }));

  const tools = await checkPythonTools(options.python, context.cwd, context.env);
  if (tools.missing.length) errors.push(getError("ENOPYTHONTOOLS", { python: options.python, missing: tools.missing }));
  else logger.log("PyPI: %s runs build %s and twine %s", options.python, tools.buildVersion ?? "?", tools.twineVersion ?? "?");

  const route = credentialRoute(env);
  const uploads = options.publish && !context.options.dryRun;
  if (!route) {
    const error = getError("ENOPYPIAUTH");
    if (uploads) errors.push(error);
    else logger.warn("%s (%s: nothing is uploaded, so this is only a warning)", error.message, options.publish ? "dry run" : "pypi.publish is false");
  } else if (route.kind === "api-token") {
    logger.warn("PyPI: authenticating with %s", describeRoute(route));
  } else {
    logger.log("PyPI: authenticating with %s", describeRoute(route));
  }
  errors.push(...checkDistProvenance(pluginConfig, context, tools.twineVersion, uploads));
  throwAll(errors);
}

/** Say what a real run would build and where it would go: this is what a dry run shows. */
export async function verifyRelease(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const options = optionsOrThrow(pluginConfig);
  const { pyproject, version } = await release(pluginConfig, context);
  const names = plannedDistNames(pyproject.name, version).join(" and ");
  if (options.publish) logger(context).log("PyPI: will build %s into %s and upload them to %s (%s)", names, options.distDir, options.repositoryUrl, projectPageUrl(options.indexUrl, pyproject.name, version));
  else logger(context).log("PyPI: will build and check %s into %s; pypi.publish is false, so nothing is uploaded", names, options.distDir);
}

const logger = (context: Context) => context.logger;

/** Build the sdist and wheel, prove they carry this release's name and version, twine check them, hash them. */
export async function prepare(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const options = optionsOrThrow(pluginConfig);
  const { pyproject, version } = await release(pluginConfig, context);
  warmUpSigning(pluginConfig, context, options.publish);
  const files = await prepareDists({ options, cwd: context.cwd, pyprojectFile: pyproject.file, name: pyproject.name, version, gitHead: context.nextRelease?.gitHead, out: output(context) });
  await signDists(pluginConfig, context, files, (await checkPythonTools(options.python, context.cwd, context.env)).twineVersion, options.publish);
  prepared.set(preparedKey(context, version), files);
}

/** Upload what the index lacks, with a token minted just now. */
export async function publish(pluginConfig: PluginConfig, context: Context) {
  const options = optionsOrThrow(pluginConfig);
  const { pyproject, version } = await release(pluginConfig, context);
  if (!options.publish) {
    context.logger.log("PyPI: pypi.publish is false; nothing uploaded");
    return false;
  }
  const out = output(context);
  const { twineVersion } = await checkPythonTools(options.python, context.cwd, context.env);
  let files = prepared.get(preparedKey(context, version));
  // Files changed or gone since prepare (or prepare never ran here, as in a resume): build again.
  const current = files && (await Promise.all(files.map((f) => describeDist(f.path).catch(() => undefined))));
  if (!files || !current || current.some((f, i) => f?.sha256 !== files![i].sha256)) {
    if (files) context.logger.warn("PyPI: the built files changed since prepare; building again");
    files = await prepareDists({ options, cwd: context.cwd, pyprojectFile: pyproject.file, name: pyproject.name, version, gitHead: context.nextRelease?.gitHead, out });
    await signDists(pluginConfig, context, files, twineVersion, true);
  }
  const signed = await attestationsToUpload(pluginConfig, context, files, twineVersion);
  const report = await publishDists({ options, cwd: context.cwd, env: context.env, name: pyproject.name, version, files, out, withAttestations: signed.paths.length > 0 });
  if (!report.uploaded.length) context.logger.log("PyPI: every file of %s %s was already published", pyproject.name, version);
  return {
    name: "PyPI",
    url: projectPageUrl(options.indexUrl, pyproject.name, version),
    project: pyproject.name,
    files: files.map(({ filename, sha256, size }) => {
      const attestation = signed.attestations.find((a) => a.filename === filename);
      return { filename, sha256, size, ...(attestation ? { attestation: attestationRecord(attestation, provenanceOptions(pluginConfig)) } : {}) };
    }),
  };
}
