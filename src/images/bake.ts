import { posix } from "node:path";
import type { ImagePlan } from "./plan.js";

/**
 * The bake JSON file (docs.docker.com/build/bake/reference, JSON form): one explicit
 * target per matrix entry, pushed by digest only (no tag moves during the build: bake
 * pushes each target's tags as soon as it finishes, docker/buildx#1089).
 */
export interface BakeFile {
  group: { default: { targets: string[] } };
  target: Record<string, BakeTarget>;
}

export interface BakeTarget {
  context: string;
  dockerfile: string;
  /** Named contexts: the pushed base image, pinned by digest (`docker-image://…`). */
  contexts?: Record<string, string>;
  target?: string;
  args: Record<string, string>;
  labels: Record<string, string>;
  platforms: string[];
  output: string[];
  /** BuildKit attestations (`--attest` values), pushed with the image in its index. */
  attest?: string[];
}

/** `type=image,name=<repo>,push-by-digest=true,name-canonical=true,push=true`: pushed under no tag. */
export function digestOutput(repository: string): string {
  return `type=image,name=${repository},push-by-digest=true,name-canonical=true,push=true`;
}

/**
 * Pure: the options name the Dockerfile from the project root (as `podman build --file`
 * does); bake reads it relative to the context.
 */
export function dockerfileInContext(context: string, dockerfile: string): string {
  if (posix.isAbsolute(dockerfile) || /^[a-z][a-z0-9+.-]*:\/\//i.test(context)) return dockerfile;
  return posix.relative(context, dockerfile) || dockerfile;
}

/** Pure: the bake file for `plans`, with the OCI `labels` and BuildKit `attest`ations on every image. */
export function bakeFile(plans: ImagePlan[], labels: Record<string, string>, attest: readonly string[] = []): BakeFile {
  const target: Record<string, BakeTarget> = {};
  for (const plan of plans) {
    target[plan.id] = {
      context: plan.context,
      dockerfile: dockerfileInContext(plan.context, plan.dockerfile),
      ...(plan.base ? { contexts: { [plan.base.name]: `docker-image://${plan.base.ref}` } } : {}),
      ...(plan.target ? { target: plan.target } : {}),
      args: { ...plan.buildArgs },
      labels: { ...labels },
      platforms: [...plan.platforms],
      output: [digestOutput(plan.repository)],
      ...(attest.length ? { attest: [...attest] } : {}),
    };
  }
  return { group: { default: { targets: plans.map((p) => p.id) } }, target };
}

/** Pure: `docker buildx bake` argv; `targets` limits a retry to the entries still missing. */
export function bakeArgv(options: { file: string; metadataFile: string; builder?: string; targets?: string[] }): string[] {
  return [
    "buildx",
    "bake",
    ...(options.builder ? ["--builder", options.builder] : []),
    "-f",
    options.file,
    "--metadata-file",
    options.metadataFile,
    "--progress",
    "plain",
    ...(options.targets ?? []),
  ];
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Pure: target → `containerimage.digest` from a `--metadata-file` (targets without one are left out). */
export function parseBakeMetadata(text: string): Record<string, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {};
  }
  const digests: Record<string, string> = {};
  if (typeof json !== "object" || json === null) return digests;
  for (const [target, result] of Object.entries(json as Record<string, unknown>)) {
    const digest = (result as Record<string, unknown> | null)?.["containerimage.digest"];
    if (typeof digest === "string" && DIGEST.test(digest)) digests[target] = digest;
  }
  return digests;
}

/** Pure: `docker buildx imagetools inspect --raw` argv: the index behind a multi-platform digest, for its platforms' digests. */
export function inspectArgv(options: { ref: string; builder?: string }): string[] {
  return ["buildx", "imagetools", "inspect", ...(options.builder ? ["--builder", options.builder] : []), "--raw", options.ref];
}

/** Pure: `docker buildx imagetools create` argv: every tag of one entry, pointing at its pushed digest. */
export function imagetoolsArgv(options: { repository: string; digest: string; tags: string[]; builder?: string }): string[] {
  return [
    "buildx",
    "imagetools",
    "create",
    ...(options.builder ? ["--builder", options.builder] : []),
    ...options.tags.flatMap((tag) => ["-t", `${options.repository}:${tag}`]),
    `${options.repository}@${options.digest}`,
  ];
}
