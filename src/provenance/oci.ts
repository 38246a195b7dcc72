import { createHash } from "node:crypto";
import { registryCredentials } from "../images/credentials.js";
import { MANIFEST_TYPES, registryEndpoint } from "../images/registry.js";
import { backoffMs, sleep } from "../retry.js";
import { BUNDLE_V03, type BundleJson } from "./statement.js";

/**
 * The registry calls provenance needs, kept in one small place (the images registry client
 * will take them over): find the Sigstore bundles attached to an image, read one, and attach
 * one in the layout GitHub's attest action pushes with push-to-registry (@sigstore/oci): an
 * OCI image manifest whose artifactType and one layer are the bundle, whose config is the
 * empty descriptor and whose `subject` is the image. A registry without the referrers API
 * gets the referrers tag schema's index (`sha256-<hex>`) updated as well
 * (opencontainers/distribution-spec spec.md, "Pushing Manifests with Subject").
 */

export const INDEX = "application/vnd.oci.image.index.v1+json";
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
/** image-spec manifest.md, "Guidance for an Empty Descriptor". */
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", bytes: Buffer.from("{}") };

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface RegistryAccess {
  tlsVerify: boolean;
  env: Record<string, string | undefined>;
  timeoutMs: number;
  /** Tries of an attach that fails with a transient error (5xx, 429, a network failure). */
  attempts: number;
  delayMs: number;
}

/** Pure: the annotations GitHub's attest action puts on a bundle referrer (actions/toolkit packages/attest). */
export function bundleAnnotations(predicateType: string): Record<string, string> {
  return { "dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": predicateType };
}

/** Pure: the referrers tag schema's tag for `digest` (`sha256:ab…` → `sha256-ab…`). */
export const referrersTag = (digest: string) => digest.replace(":", "-");

/** Pure: the referrers of the kind this package attaches (a Sigstore bundle of `predicateType`). */
export function bundleReferrers(manifests: readonly Descriptor[], predicateType: string): Descriptor[] {
  return manifests.filter((m) => m.artifactType === BUNDLE_V03 && m.annotations?.["dev.sigstore.bundle.predicateType"] === predicateType);
}

/** Pure: the referrer manifest for `bundle` about `subject`. */
export function referrerManifest(subject: Descriptor, bundle: { mediaType: string; digest: string; size: number }, annotations: Record<string, string>) {
  return {
    schemaVersion: 2,
    mediaType: MANIFEST,
    artifactType: bundle.mediaType,
    config: { mediaType: EMPTY.mediaType, digest: sha256(EMPTY.bytes), size: EMPTY.bytes.length },
    layers: [bundle],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  };
}

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

class RegistryFailure extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** One repository of a registry, answering its auth challenge (Basic, or a Bearer token for `scope`) once. */
class Session {
  private authorization?: string;
  private readonly endpoint: ReturnType<typeof registryEndpoint>;

  constructor(
    repository: string,
    private readonly access: RegistryAccess,
    private readonly scope: "pull" | "pull,push",
  ) {
    this.endpoint = registryEndpoint(repository, access.tlsVerify);
  }

  async send(method: string, pathOrUrl: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${this.endpoint.base}/v2/${this.endpoint.path}${pathOrUrl}`;
    const once = async () => {
      try {
        return await fetch(url, {
          method,
          headers: { ...init.headers, ...(this.authorization ? { authorization: this.authorization } : {}) },
          body: init.body as BodyInit | undefined,
          redirect: "follow",
          signal: AbortSignal.timeout(this.access.timeoutMs),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        throw new RegistryFailure(`${method} ${url}: ${cause?.code ?? (error as Error).message}`, true);
      }
    };
    let response = await once();
    if (response.status === 401 && !this.authorization) {
      await response.arrayBuffer().catch(() => undefined);
      this.authorization = await this.authorize(response.headers.get("www-authenticate") ?? "");
      if (this.authorization) response = await once();
    }
    return response;
  }

  async expect(method: string, path: string, status: number, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    const response = await this.send(method, path, init);
    if (response.status !== status) {
      const text = await response.text().catch(() => "");
      throw new RegistryFailure(`${method} ${path}: HTTP ${response.status}${text ? ` ${text.slice(0, 200).trim()}` : ""}`, response.status >= 500 || response.status === 429);
    }
    return response;
  }

  private async authorize(challenge: string): Promise<string | undefined> {
    const credentials = registryCredentials(this.endpoint.host, this.access.env);
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}` : undefined;
    if (/^basic/i.test(challenge)) return basic;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!/^bearer/i.test(challenge) || !params.realm) return undefined;
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set("service", params.service);
    url.searchParams.set("scope", `repository:${this.endpoint.path}:${this.scope}`);
    const response = await fetch(url, { headers: basic ? { authorization: basic } : {}, signal: AbortSignal.timeout(this.access.timeoutMs) });
    if (response.status !== 200) throw new RegistryFailure(`the registry's token service refused ${this.scope} access to ${this.endpoint.path} (HTTP ${response.status}${credentials ? "" : "; no registry login was found"})`, false);
    const json = (await response.json()) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    return token ? `Bearer ${token}` : undefined;
  }

  /** A blob, uploaded unless the registry has it (monolithic POST-then-PUT upload). */
  async putBlob(bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    const head = await this.send("HEAD", `/blobs/${digest}`);
    if (head.status === 200) return digest;
    const start = await this.expect("POST", "/blobs/uploads/", 202);
    const location = start.headers.get("location");
    if (!location) throw new RegistryFailure("the registry gave no upload location", false);
    const url = new URL(location, this.endpoint.base);
    url.searchParams.set("digest", digest);
    await this.expect("PUT", url.href, 201, { headers: { "content-type": "application/octet-stream" }, body: bytes });
    return digest;
  }
}

/** Every referrer of `digest`: the referrers API, else the referrers tag schema's index. */
export async function listReferrers(repository: string, digest: string, access: RegistryAccess): Promise<Descriptor[]> {
  const session = new Session(repository, access, "pull");
  const api = await session.send("GET", `/referrers/${digest}`, { headers: { accept: INDEX } });
  if (api.status === 200) return ((await api.json()) as { manifests?: Descriptor[] }).manifests ?? [];
  await api.arrayBuffer().catch(() => undefined);
  const tagged = await session.send("GET", `/manifests/${referrersTag(digest)}`, { headers: { accept: INDEX } });
  if (tagged.status === 404) return [];
  if (tagged.status !== 200) throw new RegistryFailure(`reading the referrers of ${repository}@${digest}: HTTP ${tagged.status}`, tagged.status >= 500);
  return ((await tagged.json()) as { manifests?: Descriptor[] }).manifests ?? [];
}

/** The Sigstore bundle a referrer manifest carries (its one layer). */
export async function fetchBundle(repository: string, referrer: Descriptor, access: RegistryAccess): Promise<BundleJson> {
  const session = new Session(repository, access, "pull");
  const manifest = await session.expect("GET", `/manifests/${referrer.digest}`, 200, { headers: { accept: MANIFEST } });
  const { layers } = (await manifest.json()) as { layers?: Descriptor[] };
  if (!layers?.[0]) throw new RegistryFailure(`${repository}@${referrer.digest} has no layer`, false);
  const blob = await session.expect("GET", `/blobs/${layers[0].digest}`, 200);
  return (await blob.json()) as BundleJson;
}

/** Attach `bundle` to `repository@digest` as a referrer, trying again on transient failures; returns the referrer manifest's digest. */
export async function attachBundle(repository: string, digest: string, bundle: BundleJson, predicateType: string, access: RegistryAccess): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attachOnce(new Session(repository, access, "pull,push"), digest, bundle, predicateType);
    } catch (error) {
      if (!(error instanceof RegistryFailure && error.transient) || attempt >= access.attempts) throw error;
      await sleep(backoffMs(attempt + 1, access.delayMs));
    }
  }
}

async function attachOnce(session: Session, digest: string, bundle: BundleJson, predicateType: string): Promise<string> {
  const head = await session.expect("HEAD", `/manifests/${digest}`, 200, { headers: { accept: MANIFEST_TYPES.join(", ") } });
  const subject: Descriptor = { mediaType: head.headers.get("content-type") ?? MANIFEST, digest, size: Number(head.headers.get("content-length")) };
  const bytes = Buffer.from(JSON.stringify(bundle));
  await session.putBlob(EMPTY.bytes);
  const layer = { mediaType: bundle.mediaType, digest: await session.putBlob(bytes), size: bytes.length };
  const annotations = { "org.opencontainers.image.created": new Date().toISOString(), ...bundleAnnotations(predicateType) };
  const manifest = Buffer.from(JSON.stringify(referrerManifest(subject, layer, annotations)));
  const referrer = sha256(manifest);
  const put = await session.expect("PUT", `/manifests/${referrer}`, 201, { headers: { "content-type": MANIFEST }, body: manifest });
  // A registry with the referrers API says so with OCI-Subject; any other needs the tag schema's index.
  if (put.headers.get("oci-subject") === digest) return referrer;
  const tag = referrersTag(digest);
  const current = await session.send("GET", `/manifests/${tag}`, { headers: { accept: INDEX } });
  let index: { schemaVersion: number; mediaType: string; manifests: Descriptor[] } = { schemaVersion: 2, mediaType: INDEX, manifests: [] };
  const etag = current.headers.get("etag");
  if (current.status === 200) index = (await current.json()) as typeof index;
  else if (current.status !== 404) throw new RegistryFailure(`GET /manifests/${tag}: HTTP ${current.status}`, current.status >= 500);
  else await current.arrayBuffer().catch(() => undefined);
  if (!index.manifests.some((m) => m.digest === referrer)) {
    index.manifests.push({ mediaType: MANIFEST, digest: referrer, size: manifest.length, artifactType: bundle.mediaType, annotations });
    await session.expect("PUT", `/manifests/${tag}`, 201, { headers: { "content-type": INDEX, ...(etag ? { "if-match": etag } : {}) }, body: Buffer.from(JSON.stringify(index)) });
  }
  return referrer;
}
