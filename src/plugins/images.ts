import { access } from "node:fs/promises";
import { resolve } from "node:path";
import type { Context, PluginConfig } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { loginBuilder, probePushAccess } from "../images/access.js";
import { ociLabels } from "../images/labels.js";
import { readImagesOptions, type ImagesOptions } from "../images/options.js";
import type { ImagePlan } from "../images/plan.js";
import {
  createRunner, dryRunLines, IMAGES_RECORD_NAME, matrixRepositories, pushUntagged, registryClient, releasedImages, releaseMatrix, skipReason,
  type ReleaseMatrix, type ReleasedImage,
} from "../images/release.js";
import { optionsOrThrow } from "../release/options.js";
import { releasePep440 } from "../version/pep440.js";
import { githubMatrix } from "../images/scaleout.js";
import { latestAllowed } from "../images/tags.js";
import { writeGitHubOutput } from "../ci.js";
import { attestImages } from "../provenance/images.js";
import { readProvenanceOptions } from "../provenance/options.js";
import { imageProvenanceLine } from "../provenance/steps.js";

/** A stand-in version for checks made before semantic-release knows the next one: templates only need its shape. */
const SAMPLE_VERSION = "1.0.0";

/** The entries (and base image) whose Dockerfile is missing: ENODOCKERFILE names each. */
export async function missingDockerfiles(plans: ImagePlan[], cwd: string): Promise<{ entry: string; dockerfile: string }[]> {
  const missing: { entry: string; dockerfile: string }[] = [];
  for (const plan of plans) {
    const exists = await access(resolve(cwd, plan.dockerfile)).then(() => true, () => false);
    if (!exists) missing.push({ entry: plan.label, dockerfile: plan.dockerfile });
  }
  return missing;
}

/**
 * Options, templates and references for every entry, Dockerfiles, the builder, and
 * (in a real run) push access to every repository the matrix pushes to: the registries'
 * own answer, found before the tag. A dry run says what it would probe.
 */
export async function verifyConditions(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { logger } = context;
  const options = optionsOrThrow(readImagesOptions, pluginConfig);
  const skip = skipReason(options);
  if (skip || !options) {
    logger.log(`Images: ${skip}`);
    return;
  }
  const errors: Error[] = [];
  let matrix: ReleaseMatrix = { plans: [] };
  try {
    matrix = releaseMatrix(options, SAMPLE_VERSION, { type: "release", main: true });
  } catch (error) {
    errors.push(...(error instanceof AggregateError ? error.errors : [error]));
  }
  const missing = await missingDockerfiles([...(matrix.base ? [matrix.base] : []), ...matrix.plans], context.cwd);
  if (missing.length) errors.push(getError("ENODOCKERFILE", { missing }));

  if (options.scaleOut) {
    throwAll(errors);
    logger.log(`Images: ${matrix.plans.length} matrix entries, built by \`pyrelease images build\` jobs (scaleOut)`);
    return;
  }
  const runner = createRunner(options, context);
  const noBuilder = await runner.check();
  if (noBuilder && context.options.dryRun) logger.warn(`Images: ${noBuilder.message} (dry run: nothing is built, so this is only a warning)`);
  else if (noBuilder) errors.push(noBuilder);

  throwAll(errors);
  logger.log(`Images: ${matrix.plans.length} matrix entr${matrix.plans.length === 1 ? "y" : "ies"} with ${options.builder}`);
  const provenance = imageProvenanceLine(pluginConfig, context);
  if (provenance) logger.log(`Images: ${provenance}`);
}

/**
 * Push access to every repository the release pushes to, proven before the tag. In
 * verifyRelease, not verifyConditions: only a run that releases asks the registries.
 * A scaled-out release job pushes nothing itself: its `images build` jobs do.
 */
async function probePushBeforeTheTag(options: ImagesOptions, matrix: ReleaseMatrix, context: Context): Promise<void> {
  if (options.scaleOut) return;
  const repositories = matrixRepositories(matrix);
  if (!repositories.length) return;
  if (context.options.dryRun) {
    context.logger.log(`Images: a real run first checks that it may push to ${repositories.join(", ")}`);
    return;
  }
  throwAll(await probePushAccess(repositories, registryClient(options, context)));
  context.logger.log(`Images: this run may push to ${repositories.join(", ")}`);
}

/** Every reference this release would push and tag; a dry run shows exactly this. */
export async function verifyRelease(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { logger } = context;
  const options = optionsOrThrow(readImagesOptions, pluginConfig);
  const version = context.nextRelease!.version;
  const skip = skipReason(options, version);
  if (skip || !options) {
    logger.log(`Images: ${skip}`);
    return;
  }
  const matrix = releaseMatrix(options, version, context.branch);
  await probePushBeforeTheTag(options, matrix, context);
  const verb = context.options.dryRun ? "would push" : "will push";
  logger.log(`Images: ${verb} ${matrix.plans.length} image(s) by digest, then tag them:`);
  for (const line of dryRunLines(matrix)) logger.log(`  ${line}`);
}

/**
 * Build and push every entry by digest (the base image first); only when all are in the
 * registry, move the tags. An entry an earlier run of this release already tagged (a rerun,
 * a resume) is taken as it is, not built again.
 */
export async function publish(
  pluginConfig: PluginConfig,
  context: Context,
): Promise<{ name: string; images: ReleasedImage[] } | false> {
  const { logger, nextRelease } = context;
  const options = optionsOrThrow(readImagesOptions, pluginConfig);
  const skip = skipReason(options, nextRelease!.version);
  if (skip || !options) {
    logger.log(`Images: ${skip}`);
    return false;
  }
  const matrix = releaseMatrix(options, nextRelease!.version, context.branch);
  if (options.scaleOut) {
    await writeGitHubOutput(context.env, {
      version: nextRelease!.version,
      pep440: releasePep440(nextRelease!.version),
      tag: nextRelease!.gitTag,
      latest: String(latestAllowed(context.branch, nextRelease!.version)),
      "images-matrix": JSON.stringify(githubMatrix(options)),
    });
    logger.log(`Images: ${matrix.plans.length} entries left to \`pyrelease images build\` jobs; the matrix and version are in $GITHUB_OUTPUT`);
    return false;
  }
  const labels = ociLabels({
    pep440: releasePep440(nextRelease!.version),
    revision: nextRelease!.gitHead,
    source: context.options.repositoryUrl,
    created: buildTime(context.env),
  });
  const client = registryClient(options, context);
  // Problems with the provenance options are reported once, by the PyPI step.
  const runner = createRunner(options, context, {}, client, readProvenanceOptions(pluginConfig).options.buildxAttest);
  await loginBuilder(runner, matrixRepositories(matrix), client, logger);
  const pushed = await pushUntagged(runner, options, matrix, labels, context);
  // Signed provenance goes on every image before any tag moves.
  const provenance = await attestImages(pluginConfig, context, pushed.map(({ plan, digest }) => ({ repository: plan.repository, digest })), client);
  await runner.tag(pushed);
  const { uploadedBlobs, uploadedBytes, mountedBlobs, existingBlobs } = client.stats;
  if (options.builder === "podman") logger.log(`Images: ${uploadedBlobs} blob(s) uploaded (${uploadedBytes} bytes), ${mountedBlobs} mounted from a sibling repository, ${existingBlobs} already there`);
  logger.success(`Images: pushed and tagged ${pushed.length} image(s)`);
  return { name: IMAGES_RECORD_NAME, images: releasedImages(pushed).map((image) => (provenance.has(image.digest) ? { ...image, provenance: provenance.get(image.digest) } : image)) };
}

/** SOURCE_DATE_EPOCH when set (reproducible builds), else now. */
export function buildTime(env: Record<string, string | undefined>): string {
  const epoch = Number(env.SOURCE_DATE_EPOCH);
  return new Date(Number.isFinite(epoch) && env.SOURCE_DATE_EPOCH ? epoch * 1000 : Date.now()).toISOString();
}
