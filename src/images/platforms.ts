import { createHash } from "node:crypto";

/** An OCI platform (image-spec image-index.md, `platform`). */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const PART = /^[a-z0-9][a-z0-9._-]*$/;

/** Pure: `linux/arm64/v8` → `{ os, architecture, variant }`, or undefined when it is not `os/arch[/variant]`. */
export function parsePlatform(text: string): Platform | undefined {
  const parts = text.split("/");
  if (parts.length < 2 || parts.length > 3 || !parts.every((part) => PART.test(part))) return undefined;
  const [os, architecture, variant] = parts;
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Pure: `{ os: "linux", architecture: "arm64", variant: "v8" }` → `linux/arm64/v8`. */
export const platformText = (platform: Platform) => [platform.os, platform.architecture, platform.variant].filter(Boolean).join("/");

/** One platform's image in an index: the manifest pushed for it. */
export interface PlatformImage {
  platform: string;
  digest: string;
  size: number;
  mediaType: string;
}

export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";

/**
 * Pure: the OCI image index (image-spec image-index.md) of one matrix entry: a descriptor
 * per platform, in the order the options list them. Its bytes are what gets pushed, so
 * its digest is the sha256 of exactly this text.
 */
export function imageIndex(images: PlatformImage[], annotations: Record<string, string> = {}): { bytes: Buffer; digest: string } {
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((image) => ({
      mediaType: image.mediaType,
      digest: image.digest,
      size: image.size,
      platform: parsePlatform(image.platform) ?? { os: "unknown", architecture: "unknown" },
    })),
    ...(Object.keys(annotations).length ? { annotations } : {}),
  };
  const bytes = Buffer.from(JSON.stringify(index));
  return { bytes, digest: `sha256:${createHash("sha256").update(bytes).digest("hex")}` };
}

/** Pure: platform → digest of every platform manifest an index (OCI or Docker manifest list) lists; attestation manifests (`unknown/unknown`) left out. */
export function platformDigests(index: unknown): { platform: string; digest: string }[] {
  const manifests = (index as { manifests?: unknown })?.manifests;
  if (!Array.isArray(manifests)) return [];
  const found: { platform: string; digest: string }[] = [];
  for (const manifest of manifests) {
    const platform = (manifest as { platform?: Platform })?.platform;
    const digest = (manifest as { digest?: unknown })?.digest;
    if (!platform || typeof digest !== "string" || platform.os === "unknown") continue;
    found.push({ platform: platformText(platform), digest });
  }
  return found;
}
