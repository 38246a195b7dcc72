import { REVISION_LABEL, VERSION_LABEL } from "./labels.js";
import type { ImagePlan } from "./plan.js";
import { platformDigests } from "./platforms.js";
import type { RegistryClient } from "./registry.js";
import type { PushedImage } from "./runner.js";

/**
 * Images a release already tagged: an entry one of whose tags points at an image labelled
 * with this release's version and commit was pushed and tagged by an earlier run of the same
 * release (a rerun, `pyrelease resume`). That image is the release: it is not built again,
 * so no tag a user may have pulled moves to new bytes (podman and buildx builds are not
 * byte-identical). Its tags are only put again, which changes nothing where they point at it.
 */

export interface ReleasedLookup {
  /** Entries already tagged with this release's image, in plan order. */
  released: PushedImage[];
  /** Entries to build and push. */
  toBuild: ImagePlan[];
  /** Why the registry could not be read (then every entry is built), when it could not. */
  unreadable?: string;
}

/** Pure: is an image with `stored` labels this release's, whose images get `labels` (same version, same commit; the build time aside)? */
export function isReleaseImage(stored: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Boolean(labels[VERSION_LABEL] && labels[REVISION_LABEL]) && stored?.[VERSION_LABEL] === labels[VERSION_LABEL] && stored?.[REVISION_LABEL] === labels[REVISION_LABEL];
}

/**
 * Pure: where a manifest's labels are: its config blob, or for an index (OCI or Docker
 * manifest list) the first platform image's manifest (attestation manifests left out).
 */
export function labelSource(manifest: unknown): { config: string } | { platform: string; platforms: { platform: string; digest: string }[] } | undefined {
  const config = (manifest as { config?: { digest?: unknown } })?.config?.digest;
  if (typeof config === "string") return { config };
  const platforms = platformDigests(manifest);
  return platforms.length ? { platform: platforms[0].digest, platforms } : undefined;
}

async function labelsOf(client: RegistryClient, repository: string, config: string): Promise<Record<string, string> | undefined> {
  const image = JSON.parse((await client.getBlob(repository, config)).toString("utf8")) as { config?: { Labels?: Record<string, string> } };
  return image.config?.Labels ?? undefined;
}

/** The image of this release that one of `plan`'s tags points at, if any. */
async function taggedReleaseImage(client: RegistryClient, plan: ImagePlan, labels: Record<string, string>): Promise<PushedImage | undefined> {
  for (const tag of plan.tags) {
    const manifest = await client.getManifest(plan.repository, tag);
    if (!manifest) continue;
    let source = labelSource(JSON.parse(manifest.bytes.toString("utf8")));
    let platforms: PushedImage["platforms"];
    if (source && "platform" in source) {
      platforms = source.platforms;
      const first = await client.getManifest(plan.repository, source.platform);
      source = first ? labelSource(JSON.parse(first.bytes.toString("utf8"))) : undefined;
    }
    if (!source || !("config" in source)) continue;
    if (!isReleaseImage(await labelsOf(client, plan.repository, source.config), labels)) continue;
    return { plan, digest: manifest.digest, ...(plan.platforms.length > 1 && platforms ? { platforms } : {}) };
  }
  return undefined;
}

/**
 * Ask the registry, entry by entry, which images this release already tagged. A registry
 * that cannot be read is not an error here (the push that follows needs it and says so):
 * every entry is then built, as a first run does.
 */
export async function findReleasedImages(client: RegistryClient, plans: readonly ImagePlan[], labels: Record<string, string>): Promise<ReleasedLookup> {
  const released: PushedImage[] = [];
  const toBuild: ImagePlan[] = [];
  for (const plan of plans) {
    try {
      const image = await taggedReleaseImage(client, plan, labels);
      if (image) released.push(image);
      else toBuild.push(plan);
    } catch (error) {
      return { released: [], toBuild: [...plans], unreadable: (error as Error).message };
    }
  }
  return { released, toBuild };
}

/** Pure: `images` in the order of `plans` (tags are put in this order, so `latest` moves last). */
export function inPlanOrder(plans: readonly ImagePlan[], images: readonly PushedImage[]): PushedImage[] {
  const byId = new Map(images.map((image) => [image.plan.id, image]));
  return plans.flatMap((plan) => (byId.has(plan.id) ? [byId.get(plan.id)!] : []));
}
