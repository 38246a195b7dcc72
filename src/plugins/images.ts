import { access } from "node:fs/promises";
import { resolve } from "node:path";
import type { Context, PluginConfig } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { dockerHubCredentials } from "../images/credentials.js";
import { ociLabels } from "../images/labels.js";
import type { ImagesOptions } from "../images/options.js";
import type { ImagePlan } from "../images/plan.js";
import { createRunner, dryRunLines, imagesOptions, releasedImages, releasePlans, skipReason, type ReleasedImage } from "../images/release.js";
import { releasePep440 } from "../version/release.js";
import { githubMatrix } from "../images/scaleout.js";
import { latestAllowed } from "../images/tags.js";
import { writeGitHubOutput } from "../ci.js";
import { attestImages } from "../provenance/images.js";
import { readProvenanceOptions } from "../provenance/options.js";
import { imageProvenanceLine } from "../provenance/steps.js";

/** A stand-in version for checks made before semantic-release knows the next one: templates only need its shape. */
const SAMPLE_VERSION = "1.0.0";

/** The entries whose Dockerfile is missing: ENODOCKERFILE names each. */
export async function missingDockerfiles(plans: ImagePlan[], cwd: string): Promise<{ entry: string; dockerfile: string }[]> {
  const missing: { entry: string; dockerfile: string }[] = [];
  for (const plan of plans) {
    const exists = await access(resolve(cwd, plan.dockerfile)).then(() => true, () => false);
    if (!exists) missing.push({ entry: plan.label, dockerfile: plan.dockerfile });
  }
  return missing;
}

function runnerFor(options: ImagesOptions, context: Context, pluginConfig: PluginConfig) {
  // Problems with the provenance options are reported once, by the PyPI step.
  return createRunner(options, { cwd: context.cwd, env: context.env, logger: context.logger }, undefined, readProvenanceOptions(pluginConfig).options.buildxAttest);
}

/** Options, templates and references for every entry, Dockerfiles, the builder, and the Docker Hub login. */
export async function verifyConditions(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { logger } = context;
  const options = imagesOptions(pluginConfig);
  const skip = skipReason(options);
  if (skip || !options) {
    logger.log(`Images: ${skip}`);
    return;
  }
  const errors: Error[] = [];
  let plans: ImagePlan[] = [];
  try {
    plans = releasePlans(options, SAMPLE_VERSION, { type: "release", main: true });
  } catch (error) {
    errors.push(...(error instanceof AggregateError ? error.errors : [error]));
  }
  const missing = await missingDockerfiles(plans, context.cwd);
  if (missing.length) errors.push(getError("ENODOCKERFILE", { missing }));

  if (options.scaleOut) {
    throwAll(errors);
    logger.log(`Images: ${plans.length} matrix entries, built by \`pyrelease images build\` jobs (scaleOut)`);
    return;
  }
  const runner = runnerFor(options, context, pluginConfig);
  const noBuilder = await runner.check();
  if (noBuilder && context.options.dryRun) logger.warn(`Images: ${noBuilder.message} (dry run: nothing is built, so this is only a warning)`);
  else if (noBuilder) errors.push(noBuilder);

  const credentials = dockerHubCredentials(context.env);
  if (credentials && !noBuilder && !context.options.dryRun && errors.length === 0) {
    await runner.login("docker.io", credentials.username, credentials.password);
    logger.log(`Images: logged in to docker.io as ${credentials.username}`);
  }
  throwAll(errors);
  logger.log(`Images: ${plans.length} matrix entr${plans.length === 1 ? "y" : "ies"} with ${options.builder}`);
  const provenance = imageProvenanceLine(pluginConfig, context);
  if (provenance) logger.log(`Images: ${provenance}`);
}

/** Every reference this release would push and tag; a dry run shows exactly this. */
export async function verifyRelease(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { logger } = context;
  const options = imagesOptions(pluginConfig);
  const version = context.nextRelease!.version;
  const skip = skipReason(options, version);
  if (skip || !options) {
    logger.log(`Images: ${skip}`);
    return;
  }
  const plans = releasePlans(options, version, context.branch);
  const verb = context.options.dryRun ? "would push" : "will push";
  logger.log(`Images: ${verb} ${plans.length} image(s) by digest, then tag them:`);
  for (const line of dryRunLines(plans)) logger.log(`  ${line}`);
}

/** Build and push every entry by digest; only when all are in the registry, move the tags. */
export async function publish(
  pluginConfig: PluginConfig,
  context: Context,
): Promise<{ name: string; images: ReleasedImage[] } | false> {
  const { logger, nextRelease } = context;
  const options = imagesOptions(pluginConfig);
  const skip = skipReason(options, nextRelease!.version);
  if (skip || !options) {
    logger.log(`Images: ${skip}`);
    return false;
  }
  const plans = releasePlans(options, nextRelease!.version, context.branch);
  if (options.scaleOut) {
    await writeGitHubOutput(context.env, {
      version: nextRelease!.version,
      pep440: releasePep440(nextRelease!.version),
      tag: nextRelease!.gitTag,
      latest: String(latestAllowed(context.branch, nextRelease!.version)),
      "images-matrix": JSON.stringify(githubMatrix(options)),
    });
    logger.log(`Images: ${plans.length} entries left to \`pyrelease images build\` jobs; the matrix and version are in $GITHUB_OUTPUT`);
    return false;
  }
  const labels = ociLabels({
    pep440: releasePep440(nextRelease!.version),
    revision: nextRelease!.gitHead,
    source: context.options.repositoryUrl,
    created: buildTime(context.env),
  });
  const runner = runnerFor(options, context, pluginConfig);
  const pushed = await runner.push(plans, labels);
  // Signed provenance goes on every image before any tag moves.
  const provenance = await attestImages(pluginConfig, context, pushed.map(({ plan, digest }) => ({ repository: plan.repository, digest })), { tlsVerify: options.tlsVerify });
  await runner.tag(pushed);
  logger.success(`Images: pushed and tagged ${pushed.length} image(s)`);
  return { name: "Container images", images: releasedImages(pushed).map((image) => (provenance.has(image.digest) ? { ...image, provenance: provenance.get(image.digest) } : image)) };
}

/** SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
export function buildTime(env: Record<string, string | undefined>): string {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  return new Date(Number.isFinite(epoch) && env.SOURCE_DATE_EPOCH ? epoch * 1000 : Date.now()).toISOString();
}
