import { createHash } from "node:crypto";
import { OCI_MANIFEST, type Descriptor, type RegistryClient } from "../images/registry.js";
import { BUNDLE_V03, type BundleJson } from "./statement.js";

/**
 * Sigstore bundles as OCI referrers, through the images' registry client (its auth, retries
 * and referrers-tag fallback): find the bundles attached to an image, read one, and attach
 * one in the layout GitHub's attest action pushes with push-to-registry (@sigstore/oci): an
 * OCI image manifest whose artifactType and one layer are the bundle, whose config is the
 * empty descriptor and whose `subject` is the image.
 */

/** image-spec manifest.md, "Guidance for an Empty Descriptor". */
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", bytes: Buffer.from("{}") };

/** Pure: the annotations GitHub's attest action puts on a bundle referrer (actions/toolkit packages/attest). */
export function bundleAnnotations(predicateType: string): Record<string, string> {
  return { "dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": predicateType };
}

/** Pure: the referrers of the kind this package attaches (a Sigstore bundle of `predicateType`). */
export function bundleReferrers(manifests: readonly Descriptor[], predicateType: string): Descriptor[] {
  return manifests.filter((m) => m.artifactType === BUNDLE_V03 && m.annotations?.["dev.sigstore.bundle.predicateType"] === predicateType);
}

/** Pure: the referrer manifest for `bundle` about `subject`. */
export function referrerManifest(subject: Descriptor, bundle: { mediaType: string; digest: string; size: number }, annotations: Record<string, string>) {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: bundle.mediaType,
    config: { mediaType: EMPTY.mediaType, digest: sha256(EMPTY.bytes), size: EMPTY.bytes.length },
    layers: [bundle],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
}

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** Every referrer of `digest` that carries a Sigstore bundle. */
export async function listReferrers(client: RegistryClient, repository: string, digest: string): Promise<Descriptor[]> {
  return client.referrers(repository, digest, BUNDLE_V03);
}

/** The Sigstore bundle a referrer manifest carries (its one layer). */
export async function fetchBundle(client: RegistryClient, repository: string, referrer: Descriptor): Promise<BundleJson> {
  const manifest = await client.getManifest(repository, referrer.digest);
  const layer = manifest && (JSON.parse(manifest.bytes.toString("utf8")) as { layers?: Descriptor[] }).layers?.[0];
  if (!layer) throw new Error(`${repository}@${referrer.digest} has no layer`);
  return JSON.parse((await client.getBlob(repository, layer.digest)).toString("utf8")) as BundleJson;
}

/** Attach `bundle` to `repository@digest` as a referrer; returns the referrer manifest's digest. */
export async function attachBundle(client: RegistryClient, repository: string, digest: string, bundle: BundleJson, predicateType: string): Promise<string> {
  const image = await client.getManifest(repository, digest);
  if (!image) throw new Error(`${repository}@${digest} is not in the registry`);
  const subject: Descriptor = { mediaType: image.mediaType, digest, size: image.bytes.length };
  const bytes = Buffer.from(JSON.stringify(bundle));
  const layer = { mediaType: bundle.mediaType, digest: sha256(bytes), size: bytes.length };
  const annotations = { "org.opencontainers.image.created": new Date().toISOString(), ...bundleAnnotations(predicateType) };
  const referrer = await client.pushArtifact(repository, { manifest: referrerManifest(subject, layer, annotations), blobs: [EMPTY.bytes, bytes] });
  return referrer.digest;
}
