import type { Branch, Logger } from "../context.js";
import { throwAll } from "../errors.js";
import { releasePep440 } from "../version/pep440.js";
import { buildxRunner } from "./buildx.js";
import type { RetryOptions } from "../http.js";
import type { ImagesOptions } from "./options.js";
import { REVISION_LABEL, VERSION_LABEL } from "./labels.js";
import { describePlan, onBase, planImages, type ImagePlan } from "./plan.js";
import { podmanRunner } from "./podman.js";
import { RegistryClient } from "./registry.js";
import { findReleasedImages, inPlanOrder } from "./released.js";
import type { ImageRunner, PushedImage } from "./runner.js";
import { shipsImages } from "./since.js";
import { latestAllowed } from "./tags.js";
import { versionVars } from "../version/placeholders.js";

/** The name of the images' entry in `context.releases` (the publish result, and what `images finalize` records). */
export const IMAGES_RECORD_NAME = "Container images";

/** What a publish step returns for every image, and what the artifacts step pins. */
export interface ReleasedImage {
  /** The matrix entry, axis → value. */
  entry: Record<string, string>;
  /** The repository, without tag or digest: `docker.io/llenergymeasure/pytorch`. */
  ref: string;
  /** Tag names (without the repository). */
  tags: string[];
  /** The image's digest: its index's, when it has several platforms. */
  digest: string;
  /** Each platform's manifest digest, when the image is an index of several. */
  platforms?: { platform: string; digest: string }[];
}

/** The matrix of one release: the base image (built and pushed first, when there is one) and every entry. */
export interface ReleaseMatrix {
  base?: ImagePlan;
  plans: ImagePlan[];
}

type RunnerLogger = Pick<Logger, "log" | "warn">;

/** Why this release ships no images, or undefined when it does. */
export function skipReason(options: ImagesOptions | undefined, version?: string): string | undefined {
  if (!options) return "no `images` option is set: no container images to build";
  if (version && !shipsImages(version, options.since)) return `images start at ${options.since}; ${version} ships none`;
  return undefined;
}

/** The base image's plan and every entry's for `version`; throws every config and reference problem at once. */
export function releaseMatrix(options: ImagesOptions, version: string, branch: Pick<Branch, "type" | "main"> | undefined): ReleaseMatrix {
  releasePep440(version);
  const vars = versionVars(version)!;
  const { plans, base, errors } = planImages(options, { vars, latest: latestAllowed(branch, version) });
  throwAll(errors);
  return { plans, ...(base ? { base } : {}) };
}

/** Every entry's plan for `version` (the base image aside). */
export function releasePlans(options: ImagesOptions, version: string, branch: Pick<Branch, "type" | "main"> | undefined): ImagePlan[] {
  return releaseMatrix(options, version, branch).plans;
}

/** Every repository a release of `matrix` pushes to. */
export const matrixRepositories = (matrix: ReleaseMatrix) => [...new Set([...(matrix.base ? [matrix.base.repository] : []), ...matrix.plans.map((p) => p.repository)])];

/** The registry client a release's steps share (auth tokens, mount sources), retries logged. */
export function registryClient(options: ImagesOptions, context: { env: Record<string, string | undefined>; logger: RunnerLogger }, retry: RetryOptions = options.retry): RegistryClient {
  return new RegistryClient({
    tlsVerify: options.tlsVerify,
    env: context.env,
    retry,
    onRetry: (what, failure, next) => context.logger.warn(`${what}: ${(failure as Error).message}; trying again (attempt ${next} of ${retry.attempts})`),
  });
}

export function createRunner(
  options: ImagesOptions,
  context: { cwd: string; env: Record<string, string | undefined>; logger: RunnerLogger },
  retry: Partial<RetryOptions> = {},
  client?: RegistryClient,
  /** BuildKit attestations for buildx (`provenance.buildxAttest`). */
  attest: readonly string[] = [],
): ImageRunner {
  const runnerContext = { ...context, retry: { ...options.retry, ...retry } };
  return options.builder === "podman"
    ? podmanRunner(runnerContext, { tlsVerify: options.tlsVerify, concurrency: options.concurrency, client: client ?? registryClient(options, context, runnerContext.retry) })
    : buildxRunner(runnerContext, { builder: options.buildxBuilder, attest });
}

/**
 * Push every entry by digest: the base image first, when there is one, then the entries
 * built on it (its `repository@digest` as the build arg `options.base.arg`, and for bake a
 * named context). No tag moves here.
 */
async function pushMatrix(runner: ImageRunner, options: ImagesOptions, matrix: ReleaseMatrix, labels: Record<string, string>, logger: RunnerLogger): Promise<PushedImage[]> {
  let plans = matrix.plans;
  if (matrix.base && options.base) {
    const [base] = await runner.push([matrix.base], labels);
    const name = matrix.base.repository.slice(options.repository.length + 1);
    logger.log(`Images: base image ${base.plan.repository}@${base.digest} handed to every entry as ${options.base.arg}`);
    plans = onBase(plans, { name, arg: options.base.arg, ref: `${base.plan.repository}@${base.digest}` });
  }
  return runner.push(plans, labels);
}

/**
 * Every entry of `matrix` in the registry by digest, in matrix order: an entry an earlier run
 * of this release already tagged (one of its tags points at an image with this run's version
 * and revision labels) is taken as it is; the others are built and pushed (the base first).
 * So a rerun or a resume moves no tag to a rebuild. No tag moves here.
 */
export async function pushUntagged(
  runner: ImageRunner,
  options: ImagesOptions,
  matrix: ReleaseMatrix,
  labels: Record<string, string>,
  context: { env: Record<string, string | undefined>; logger: RunnerLogger },
): Promise<PushedImage[]> {
  // One try: a registry that cannot be read leaves every entry to be built, as on a first run.
  const found = await findReleasedImages(registryClient(options, context, { ...options.retry, attempts: 1 }), matrix.plans, labels);
  const release = `${labels[VERSION_LABEL]} (commit ${labels[REVISION_LABEL]?.slice(0, 12)})`;
  if (found.unreadable) context.logger.warn(`Images: could not ask the registry which images of ${release} an earlier run tagged (${found.unreadable}): every image is built`);
  for (const { plan, digest } of found.released) {
    context.logger.log(`Images: ${plan.repository}@${digest} is ${plan.label} of ${release}, tagged by an earlier run: not built again`);
  }
  const built = found.toBuild.length ? await pushMatrix(runner, options, { ...matrix, plans: found.toBuild }, labels, context.logger) : [];
  return inPlanOrder(matrix.plans, [...found.released, ...built]);
}

export function releasedImages(pushed: PushedImage[]): ReleasedImage[] {
  return pushed.map(({ plan, digest, platforms }) => ({ entry: { ...plan.axes }, ref: plan.repository, tags: [...plan.tags], digest, ...(platforms ? { platforms } : {}) }));
}

export function dryRunLines(matrix: ReleaseMatrix | ImagePlan[]): string[] {
  const { base, plans } = Array.isArray(matrix) ? { base: undefined, plans: matrix } : matrix;
  return [...(base ? [`${describePlan(base)} (built and pushed first)`] : []), ...plans.map(describePlan)];
}
