import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Logger } from "../context.js";
import { getError } from "../errors.js";
import { entryId, entryLabel, entryMatches, expandMatrix, parseSelector } from "./matrix.js";
import type { ImagesOptions } from "./options.js";
import type { ImagePlan } from "./plan.js";
import type { RetryOptions } from "../http.js";
import { loginBuilder } from "./access.js";
import { createRunner, matrixRepositories, pushUntagged, registryClient, releasedImages, releaseMatrix, releasePlans, type ReleasedImage } from "./release.js";
import type { PushedImage } from "./runner.js";

/** What `images build` leaves for `images finalize`: one file per entry. */
export interface DigestFile {
  version: string;
  entry: Record<string, string>;
  ref: string;
  digest: string;
  /** Each platform's manifest digest, when the image is an index of several. */
  platforms?: { platform: string; digest: string }[];
}

export const DEFAULT_DIGEST_DIR = "image-digests";

export const digestFileName = (plan: ImagePlan) => `${plan.id}.json`;

interface ScaleOutContext {
  cwd: string;
  env: Record<string, string | undefined>;
  logger: Pick<Logger, "log" | "warn">;
  retry?: Partial<RetryOptions>;
}

/** Pure: the entries an `--only axis=value,…` selects; EINVALIDCONFIG when it names an unknown axis or value. */
export function selectPlans(plans: ImagePlan[], options: ImagesOptions, only: string): ImagePlan[] {
  const parsed = parseSelector(only);
  if (!parsed.ok) throw getError("EINVALIDCONFIG", { problems: [{ key: "--only", reason: parsed.reason }] });
  const problems = Object.entries(parsed.selector)
    .filter(([axis, value]) => !options.matrix[axis]?.includes(value))
    .map(([axis, value]) => ({
      key: "--only",
      reason: options.matrix[axis] ? `${axis}=${value}: ${axis} is one of ${options.matrix[axis].join(", ")}` : `${axis} is not a matrix axis (${Object.keys(options.matrix).join(", ")})`,
    }));
  if (problems.length) throw getError("EINVALIDCONFIG", { problems });
  return plans.filter((plan) => entryMatches(plan.axes, parsed.selector));
}

/**
 * `pyrelease images build`: build and push the selected entries by digest (on the base
 * image, which each job pushes itself first), and write their digest files. No tag moves.
 */
export async function buildSelected(
  options: ImagesOptions,
  input: { version: string; only: string; dir: string; labels: Record<string, string>; /** BuildKit attestations (`provenance.buildxAttest`). */ attest?: readonly string[] },
  context: ScaleOutContext,
): Promise<DigestFile[]> {
  const matrix = releaseMatrix(options, input.version, undefined);
  const selected = { ...matrix, plans: selectPlans(matrix.plans, options, input.only) };
  const client = registryClient(options, context, { ...options.retry, ...context.retry });
  const runner = createRunner(options, context, context.retry, client, input.attest);
  const noBuilder = await runner.check();
  if (noBuilder) throw noBuilder;
  await loginBuilder(runner, matrixRepositories(selected), client, context.logger);
  const pushed = await pushUntagged(runner, options, selected, input.labels, context);
  const dir = resolve(context.cwd, input.dir);
  await mkdir(dir, { recursive: true });
  const files: DigestFile[] = [];
  for (const { plan, digest, platforms } of pushed) {
    const file: DigestFile = { version: input.version, entry: plan.axes, ref: plan.repository, digest, ...(platforms ? { platforms } : {}) };
    await writeFile(join(dir, digestFileName(plan)), `${JSON.stringify(file, null, 2)}\n`);
    context.logger.log(`Wrote ${join(input.dir, digestFileName(plan))}: ${plan.repository}@${digest}`);
    files.push(file);
  }
  return files;
}

/** Read every entry's digest file for `version`; EIMAGEDIGESTS lists the entries without one. */
export async function readDigestFiles(plans: ImagePlan[], dir: string, version: string): Promise<PushedImage[]> {
  const pushed: PushedImage[] = [];
  const missing: string[] = [];
  for (const plan of plans) {
    const text = await readFile(join(dir, digestFileName(plan)), "utf8").catch(() => undefined);
    let file: Partial<DigestFile> | undefined;
    try {
      file = text === undefined ? undefined : JSON.parse(text);
    } catch {
      file = undefined;
    }
    if (file && file.version === version && file.ref === plan.repository && typeof file.digest === "string" && /^sha256:[a-f0-9]{64}$/.test(file.digest)) {
      pushed.push({ plan, digest: file.digest, ...(Array.isArray(file.platforms) ? { platforms: file.platforms } : {}) });
    } else missing.push(plan.label);
  }
  if (missing.length) throw getError("EIMAGEDIGESTS", { missing, dir, version });
  return pushed;
}

/**
 * `pyrelease images finalize`: once every entry's digest file is there, move the tags.
 * `latest` only when asked for and the version is stable (the release job knows the branch).
 */
export async function finalizeAll(
  options: ImagesOptions,
  input: { version: string; dir: string; latest: boolean },
  context: ScaleOutContext,
): Promise<ReleasedImage[]> {
  const branch = input.latest ? ({ type: "release", main: true } as const) : undefined;
  const plans = releasePlans(options, input.version, branch);
  const pushed = await readDigestFiles(plans, resolve(context.cwd, input.dir), input.version);
  const client = registryClient(options, context, { ...options.retry, ...context.retry });
  const runner = createRunner(options, context, context.retry, client);
  const noBuilder = await runner.check();
  if (noBuilder) throw noBuilder;
  await loginBuilder(runner, plans.map((p) => p.repository), client, context.logger);
  await runner.tag(pushed);
  return releasedImages(pushed);
}

/**
 * Pure: the matrix as a GitHub Actions `strategy.matrix` (`fromJSON(...)`), one job per
 * entry, each with the `--only` value for `pyrelease images build`. The release job
 * writes it to `$GITHUB_OUTPUT`.
 */
export function githubMatrix(options: Pick<ImagesOptions, "matrix">): { include: { id: string; only: string }[] } {
  return { include: expandMatrix(options.matrix).map((entry) => ({ id: entryId(entry), only: entryLabel(entry) })) };
}
