import type { Context, PluginConfig } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { resolve } from "node:path";
import { plannedDistNames, releaseDistsIn } from "../pypi/dists.js";
import type { Output } from "../pypi/log.js";
import { credentialRoute, describeRoute } from "../pypi/oidc.js";
import { projectPageUrl, readPypiOptions, type PypiOptions } from "../pypi/options.js";
import { prepareDists } from "../pypi/prepare.js";
import { publishDists } from "../pypi/publish.js";
import { checkPythonTools } from "../pypi/tools.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject } from "../pyproject/read.js";
import { releasePep440 } from "../version/release.js";

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
  await prepareDists({ options, cwd: context.cwd, pyprojectFile: pyproject.file, name: pyproject.name, version, gitHead: context.nextRelease?.gitHead, out: output(context) });
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
  // The release's files in distDir: prepare's, or the originals `pyrelease resume` restored from the draft release.
  let files = await releaseDistsIn(resolve(context.cwd, options.distDir), pyproject.name, version);
  if (!files.length) files = await prepareDists({ options, cwd: context.cwd, pyprojectFile: pyproject.file, name: pyproject.name, version, gitHead: context.nextRelease?.gitHead, out });
  const report = await publishDists({ options, cwd: context.cwd, env: context.env, name: pyproject.name, version, files, out });
  if (!report.uploaded.length) context.logger.log("PyPI: every file of %s %s was already published", pyproject.name, version);
  return {
    name: "PyPI",
    url: projectPageUrl(options.indexUrl, pyproject.name, version),
    project: pyproject.name,
    files: files.map(({ filename, sha256, size }) => ({ filename, sha256, size })),
  };
}
