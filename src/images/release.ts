import type { Branch, Logger } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { releasePep440 } from "../version/release.js";
import { buildxRunner } from "./buildx.js";
import { readImagesOptions, type ImagesOptions } from "./options.js";
import { describePlan, planImages, type ImagePlan } from "./plan.js";
import { podmanRunner } from "./podman.js";
import { DEFAULT_RETRY, type RetryPolicy } from "./retry.js";
import type { ImageRunner, PushedImage } from "./runner.js";
import { shipsImages } from "./since.js";
import { latestAllowed } from "./tags.js";
import { versionVars } from "./template.js";

/** What a publish step returns for every image, and what the artifacts step pins. */
export interface ReleasedImage {
  /** The matrix entry, axis → value. */
  entry: Record<string, string>;
  /** The repository, without tag or digest: `docker.io/llenergymeasure/pytorch`. */
  ref: string;
  /** Tag names (without the repository). */
  tags: string[];
  digest: string;
}

/** The images options, or undefined when the config has none; EINVALIDCONFIG when they are wrong. */
export function imagesOptions(config: { images?: unknown }): ImagesOptions | undefined {
  const { options, problems } = readImagesOptions(config);
  if (problems.length) throw getError("EINVALIDCONFIG", { problems });
  return options;
}

/** Why this release ships no images, or undefined when it does. */
export function skipReason(options: ImagesOptions | undefined, version?: string): string | undefined {
  if (!options) return "no `images` option is set: no container images to build";
  if (version && !shipsImages(version, options.since)) return `images start at ${options.since}; ${version} ships none`;
  return undefined;
}

/** Every entry's plan for `version`; throws every config and reference problem at once. */
export function releasePlans(options: ImagesOptions, version: string, branch: Pick<Branch, "type" | "main"> | undefined): ImagePlan[] {
  releasePep440(version);
  const vars = versionVars(version)!;
  const { plans, errors } = planImages(options, { vars, latest: latestAllowed(branch, version) });
  throwAll(errors);
  return plans;
}

export function createRunner(
  options: ImagesOptions,
  context: { cwd: string; env: Record<string, string | undefined>; logger: Pick<Logger, "log" | "warn"> },
  retry: RetryPolicy = { ...DEFAULT_RETRY, attempts: options.retries },
  /** BuildKit attestations for buildx (`provenance.buildxAttest`). */
  attest: readonly string[] = [],
): ImageRunner {
  const runnerContext = { ...context, retry };
  return options.builder === "podman"
    ? podmanRunner(runnerContext, { tlsVerify: options.tlsVerify, concurrency: options.concurrency })
    : buildxRunner(runnerContext, { builder: options.buildxBuilder, attest });
}

export function releasedImages(pushed: PushedImage[]): ReleasedImage[] {
  return pushed.map(({ plan, digest }) => ({ entry: { ...plan.axes }, ref: plan.repository, tags: [...plan.tags], digest }));
}

export function dryRunLines(plans: ImagePlan[]): string[] {
  return plans.map(describePlan);
}
