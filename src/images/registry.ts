import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { CredentialStore, type ResolvedCredentials } from "./credentials.js";
import { discard, GaveUp, HttpError, readBody, send, withAttempts, type RetryOptions } from "../http.js";
import { failure, RegistryError } from "./http.js";
import { imageIndex, OCI_INDEX, type PlatformImage } from "./platforms.js";
import { checkName } from "./reference.js";
import { basicAuthorization, grantedActions, mergeScopes, parseChallenge, repositoryScope } from "./registry-auth.js";
import { DEFAULT_RETRY } from "./options.js";

export { RegistryError } from "./http.js";

/** The manifest media types a tag can point at. */
export const MANIFEST_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
];
export const OCI_MANIFEST = MANIFEST_TYPES[0];

/** An OCI content descriptor (image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface Endpoint {
  /** `https://registry-1.docker.io` */
  base: string;
  /** The repository path on the registry: `library/ubuntu`, `ns/pytorch`. */
  path: string;
  /** The registry as the reference names it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`): credentials are looked up by it. */
  host: string;
}

/** Pure: where the Registry HTTP API V2 of `repository` lives. */
export function registryEndpoint(repository: string, tlsVerify: boolean): Endpoint {
  const name = checkName(repository);
  if (!name.ok) throw new RegistryError(`${repository}: ${name.reason}`);
  const hub = name.domain === "docker.io";
  const host = hub ? "registry-1.docker.io" : name.domain;
  const path = hub && !name.path.includes("/") ? `library/${name.path}` : name.path;
  return { base: `${tlsVerify ? "https" : "http"}://${host}`, path, host: name.domain };
}

/** Pure: the referrers tag schema's tag for `digest` (distribution-spec, "Referrers Tag Schema"): `sha256-<hex>`, at most 128 characters. */
export const referrersTag = (digest: string) => digest.replace(":", "-").slice(0, 128);

const sha256 = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const BUFFER_LIMIT = 64 * 1024 * 1024;
const PULL_PUSH = ["pull", "push"] as const;

/** What a client sent: blobs uploaded (and their bytes), mounted from a sibling repository, or found already there. */
export interface TransferStats {
  uploadedBlobs: number;
  uploadedBytes: number;
  mountedBlobs: number;
  existingBlobs: number;
}

export interface RegistryClientOptions {
  tlsVerify: boolean;
  env: Record<string, string | undefined>;
  retry?: RetryOptions;
  credentials?: CredentialStore;
  /** Told before every further try of a transient failure. */
  onRetry?: (what: string, failure: unknown, next: number) => void;
}

type BlobSource = { bytes: Buffer } | { file: string };

/**
 * The slice of the Registry HTTP API V2 (OCI distribution-spec) a release needs: blobs
 * (with cross-repository mounts), manifests and indexes pushed by digest, tags moved
 * onto pushed digests, referrers, and a push-permission probe. Every step is retried as
 * a whole on a transient failure, and each is idempotent: blobs and manifests are
 * content-addressed, a tag PUT of the same manifest changes nothing.
 * Auth as the registry challenges: Basic, or a Bearer token (Docker token spec).
 */
export class RegistryClient {
  readonly stats: TransferStats = { uploadedBlobs: 0, uploadedBytes: 0, mountedBlobs: 0, existingBlobs: 0 };
  private readonly retry: RetryOptions;
  private readonly credentials: CredentialStore;
  /** host + scopes → Authorization header value. */
  private readonly authorizations = new Map<string, string>();
  /** host → blob digest → a repository path on that host that holds it (a mount source). */
  private readonly knownBlobs = new Map<string, Map<string, string>>();

  constructor(private readonly options: RegistryClientOptions) {
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.credentials = options.credentials ?? new CredentialStore(options.env);
  }

  endpoint(repository: string): Endpoint {
    return registryEndpoint(repository, this.options.tlsVerify);
  }

  /** Where `repository`'s credentials come from (for messages). */
  credentialsFor(repository: string): Promise<ResolvedCredentials> {
    return this.credentials.get(this.endpoint(repository).host);
  }

  /**
   * May this run push to `repository`? The auth handshake with `pull,push` scope, then an
   * upload session opened and cancelled at once: the registry's own answer, whatever its
   * auth scheme. Throws a RegistryError with `auth` set when it refuses.
   */
  async checkPush(repository: string): Promise<void> {
    const endpoint = this.endpoint(repository);
    await this.attempt(`check push access to ${repository}`, async () => {
      const start = await this.request(endpoint, "POST", "/blobs/uploads/", { push: true });
      if (start.status !== 202) throw await failure(start, `open an upload to ${repository}`, refused(start.status, endpoint));
      await discard(start);
      const location = start.headers.get("location");
      if (location) {
        // Cancel with the token we hold (some registries want a `delete` grant for this, which a release needs nowhere else); a stale session is purged by the registry anyway.
        const cancel = await this.request(endpoint, "DELETE", new URL(location, endpoint.base).toString(), { push: true, reauthorize: false }).catch(() => undefined);
        if (cancel) await discard(cancel);
      }
    });
  }

  /** Push the image whose manifest is `digest` in the OCI layout `layoutDir` to `repository`, by digest only. */
  async pushLayout(layoutDir: string, repository: string, digest: string): Promise<Descriptor> {
    const endpoint = this.endpoint(repository);
    const blobPath = (d: string) => join(layoutDir, "blobs", ...d.split(":"));
    const manifestBytes = await readFile(blobPath(digest));
    const manifest = JSON.parse(manifestBytes.toString("utf8"));
    const blobs: Descriptor[] = [manifest.config, ...(manifest.layers ?? [])].filter(Boolean);
    for (const blob of blobs) await this.pushBlob(repository, blob.digest, { file: blobPath(blob.digest) });
    const mediaType = manifest.mediaType ?? OCI_MANIFEST;
    const stored = await this.pushManifest(repository, digest, manifestBytes, mediaType);
    if (stored !== digest) throw new RegistryError(`${endpoint.host}/${endpoint.path}: the registry stored the manifest as ${stored}, not ${digest}`);
    return { mediaType, digest, size: manifestBytes.length };
  }

  /** Push one image index over the platform images already in `repository`; returns its digest. */
  async pushIndex(repository: string, images: PlatformImage[]): Promise<string> {
    const index = imageIndex(images);
    const stored = await this.pushManifest(repository, index.digest, index.bytes, OCI_INDEX);
    if (stored !== index.digest) throw new RegistryError(`${repository}: the registry stored the index as ${stored}, not ${index.digest}`);
    return index.digest;
  }

  /**
   * Put blob `digest` into `repository`: nothing when it is there; a cross-repository
   * mount when this client saw it in a sibling repository of the same registry; else an
   * upload (also when the registry answers a mount with 202: it opened an upload instead).
   */
  async pushBlob(repository: string, digest: string, source: BlobSource): Promise<"existing" | "mounted" | "uploaded"> {
    const endpoint = this.endpoint(repository);
    const outcome = await this.attempt(`push ${digest.slice(0, 19)}… to ${repository}`, async () => {
      const head = await this.request(endpoint, "HEAD", `/blobs/${digest}`, { push: true });
      await discard(head);
      if (head.status === 200) return "existing" as const;
      const from = this.mountSource(endpoint, digest);
      const start = from
        ? await this.request(endpoint, "POST", `/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, { push: true, alsoPull: from })
        : await this.request(endpoint, "POST", "/blobs/uploads/", { push: true });
      if (from && start.status === 201) {
        await discard(start);
        return "mounted" as const;
      }
      if (start.status !== 202) throw await failure(start, `start the upload of ${digest}`, refused(start.status, endpoint));
      await discard(start);
      const location = start.headers.get("location");
      if (!location) throw new RegistryError(`the registry gave no upload location for ${digest}`);
      const url = new URL(location, endpoint.base);
      url.searchParams.set("digest", digest);
      const size = "bytes" in source ? source.bytes.length : (await stat(source.file)).size;
      const bytes = "bytes" in source ? source.bytes : size <= BUFFER_LIMIT ? await readFile(source.file) : undefined;
      const put = await this.request(endpoint, "PUT", url.toString(), {
        headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
        body: () => bytes ?? (Readable.toWeb(createReadStream((source as { file: string }).file)) as unknown as ReadableStream),
        push: true,
        timeoutMs: this.retry.uploadTimeoutMs,
      });
      if (put.status !== 201) throw await failure(put, `upload ${digest}`, refused(put.status, endpoint));
      await discard(put);
      this.stats.uploadedBytes += size;
      return "uploaded" as const;
    });
    if (outcome === "existing") this.stats.existingBlobs++;
    else if (outcome === "mounted") this.stats.mountedBlobs++;
    else this.stats.uploadedBlobs++;
    this.remember(endpoint, digest);
    return outcome;
  }

  /** PUT a manifest under `reference` (a digest, or a tag); returns the registry's `Docker-Content-Digest`. */
  async pushManifest(repository: string, reference: string, bytes: Buffer, mediaType: string): Promise<string> {
    const endpoint = this.endpoint(repository);
    return this.attempt(`put ${repository}${reference.startsWith("sha256:") ? "@" : ":"}${reference}`, async () => {
      const response = await this.request(endpoint, "PUT", `/manifests/${reference}`, { headers: { "Content-Type": mediaType }, body: () => bytes, push: true });
      if (response.status !== 201) throw await failure(response, `put the manifest ${endpoint.path}:${reference}`, refused(response.status, endpoint));
      await discard(response);
      return response.headers.get("docker-content-digest") ?? sha256(bytes);
    });
  }

  /** The manifest `repository:reference` (tag or digest), or undefined when there is none. */
  async getManifest(repository: string, reference: string): Promise<{ bytes: Buffer; mediaType: string; digest: string } | undefined> {
    const endpoint = this.endpoint(repository);
    return this.attempt(`read ${repository}:${reference}`, async () => {
      const url = `${endpoint.base}/v2/${endpoint.path}/manifests/${reference}`;
      const response = await this.request(endpoint, "GET", `/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } });
      if (response.status === 404) {
        await discard(response);
        return undefined;
      }
      if (response.status !== 200) throw await failure(response, `read ${repository}:${reference}`, refused(response.status, endpoint));
      const bytes = await readBody(response, url);
      return { bytes, mediaType: response.headers.get("content-type") ?? OCI_MANIFEST, digest: response.headers.get("docker-content-digest") ?? sha256(bytes) };
    });
  }

  /** The bytes of the blob `repository@digest`, checked against the digest. */
  async getBlob(repository: string, digest: string): Promise<Buffer> {
    const endpoint = this.endpoint(repository);
    return this.attempt(`read ${repository}@${digest}`, async () => {
      const url = `${endpoint.base}/v2/${endpoint.path}/blobs/${digest}`;
      const response = await this.request(endpoint, "GET", `/blobs/${digest}`, {});
      if (response.status !== 200) throw await failure(response, `read the blob ${endpoint.path}@${digest}`, refused(response.status, endpoint));
      const bytes = await readBody(response, url);
      if (sha256(bytes) !== digest) throw new RegistryError(`${repository}@${digest} answered other bytes (${sha256(bytes)})`);
      return bytes;
    });
  }

  /** Point `repository:tag` at the manifest already pushed as `repository@digest`. */
  async tag(repository: string, digest: string, tag: string): Promise<void> {
    const manifest = await this.getManifest(repository, digest);
    if (!manifest) throw new RegistryError(`${repository}@${digest} is not in the registry: it cannot be tagged`, 404);
    const stored = await this.pushManifest(repository, tag, manifest.bytes, manifest.mediaType);
    if (stored !== digest) throw new RegistryError(`${repository}:${tag} points at ${stored}, not ${digest}`);
  }

  /** The `Docker-Content-Digest` of `repository:reference`, or undefined when there is none. */
  async digestOf(repository: string, reference: string): Promise<string | undefined> {
    return (await this.getManifest(repository, reference))?.digest;
  }

  /**
   * Push an arbitrary OCI manifest (an artifact, e.g. a Sigstore bundle with a `subject`)
   * and its blobs to `repository`, by digest. A manifest with a `subject` is findable
   * through `referrers()`: by the registry's referrers API when it says it indexed the
   * subject (`OCI-Subject` header), else through the referrers tag schema's index, which
   * this updates (distribution-spec, "Pushing Manifests with Subject").
   */
  async pushArtifact(repository: string, artifact: { manifest: Record<string, unknown> | Buffer; blobs?: Buffer[] }): Promise<Descriptor> {
    for (const blob of artifact.blobs ?? []) await this.pushBlob(repository, sha256(blob), { bytes: blob });
    const bytes = Buffer.isBuffer(artifact.manifest) ? artifact.manifest : Buffer.from(JSON.stringify(artifact.manifest));
    const manifest = JSON.parse(bytes.toString("utf8")) as { mediaType?: string; artifactType?: string; config?: { mediaType?: string }; subject?: Descriptor; annotations?: Record<string, string> };
    const mediaType = manifest.mediaType ?? OCI_MANIFEST;
    const digest = sha256(bytes);
    const endpoint = this.endpoint(repository);
    const indexed = await this.attempt(`put ${repository}@${digest}`, async () => {
      const response = await this.request(endpoint, "PUT", `/manifests/${digest}`, { headers: { "Content-Type": mediaType }, body: () => bytes, push: true });
      if (response.status !== 201) throw await failure(response, `put the manifest ${endpoint.path}@${digest}`, refused(response.status, endpoint));
      await discard(response);
      return response.headers.get("oci-subject") !== null;
    });
    const descriptor: Descriptor = {
      mediaType,
      digest,
      size: bytes.length,
      ...(manifest.artifactType ?? manifest.config?.mediaType ? { artifactType: manifest.artifactType ?? manifest.config?.mediaType } : {}),
      ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
    };
    if (manifest.subject && !indexed) await this.addToReferrersTag(repository, manifest.subject.digest, descriptor);
    return descriptor;
  }

  /** The manifests whose `subject` is `digest` in `repository`: the referrers API, else the referrers tag schema; optionally of one artifact type. */
  async referrers(repository: string, digest: string, artifactType?: string): Promise<Descriptor[]> {
    const endpoint = this.endpoint(repository);
    const found = await this.attempt(`read the referrers of ${repository}@${digest}`, async () => {
      const query = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : "";
      const url = `${endpoint.base}/v2/${endpoint.path}/referrers/${digest}${query}`;
      const response = await this.request(endpoint, "GET", `/referrers/${digest}${query}`, { headers: { Accept: OCI_INDEX } });
      if (response.status === 404) {
        await discard(response);
        return undefined;
      }
      if (response.status !== 200) throw await failure(response, `read the referrers of ${repository}@${digest}`, refused(response.status, endpoint));
      return (JSON.parse((await readBody(response, url)).toString("utf8")) as { manifests?: Descriptor[] }).manifests ?? [];
    });
    const manifests = found ?? (await this.referrersTagIndex(repository, digest)).manifests;
    return artifactType ? manifests.filter((m) => m.artifactType === artifactType) : manifests;
  }

  private async referrersTagIndex(repository: string, subject: string): Promise<{ schemaVersion: 2; mediaType: string; manifests: Descriptor[] }> {
    const existing = await this.getManifest(repository, referrersTag(subject));
    const manifests = existing ? ((JSON.parse(existing.bytes.toString("utf8")) as { manifests?: Descriptor[] }).manifests ?? []) : [];
    return { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
  }

  private async addToReferrersTag(repository: string, subject: string, descriptor: Descriptor): Promise<void> {
    const index = await this.referrersTagIndex(repository, subject);
    if (index.manifests.some((m) => m.digest === descriptor.digest)) return;
    index.manifests.push(descriptor);
    await this.pushManifest(repository, referrersTag(subject), Buffer.from(JSON.stringify(index)), OCI_INDEX);
  }

  private async attempt<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await withAttempts(this.retry, action, (failed, next) => this.options.onRetry?.(what, failed, next));
    } catch (error) {
      if (error instanceof GaveUp && error.last instanceof HttpError) throw Object.assign(error.last, { attempts: error.attempts });
      throw error instanceof GaveUp ? error.last : error;
    }
  }

  private mountSource(endpoint: Endpoint, digest: string): string | undefined {
    const from = this.knownBlobs.get(endpoint.base)?.get(digest);
    return from && from !== endpoint.path ? from : undefined;
  }

  private remember(endpoint: Endpoint, digest: string): void {
    const blobs = this.knownBlobs.get(endpoint.base) ?? new Map<string, string>();
    if (!blobs.has(digest)) blobs.set(digest, endpoint.path);
    this.knownBlobs.set(endpoint.base, blobs);
  }

  /**
   * One request, answering an auth challenge: the header that worked for these scopes is
   * reused; a 401 (none yet, or an expired token) gets a fresh one once.
   */
  private async request(
    endpoint: Endpoint,
    method: string,
    pathOrUrl: string,
    init: { headers?: Record<string, string>; body?: () => Buffer | ReadableStream; push?: boolean; alsoPull?: string; timeoutMs?: number; reauthorize?: false },
  ): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${endpoint.base}/v2/${endpoint.path}${pathOrUrl}`;
    const scopes = mergeScopes([repositoryScope(endpoint.path, init.push ? PULL_PUSH : ["pull"])], init.alsoPull ? [repositoryScope(init.alsoPull, ["pull"])] : []);
    const key = `${endpoint.base} ${scopes.join(" ")}`;
    const sendWith = (authorization?: string) =>
      send(url, {
        method,
        headers: { ...init.headers, ...(authorization ? { Authorization: authorization } : {}) },
        body: init.body,
        timeoutMs: init.timeoutMs ?? this.retry.requestTimeoutMs,
      });
    const cached = this.authorizations.get(key);
    const response = await sendWith(cached);
    if (response.status !== 401 || init.reauthorize === false) return response;
    await discard(response);
    const authorization = await this.authorize(endpoint, response.headers.get("www-authenticate") ?? "", scopes, init.push === true);
    this.authorizations.set(key, authorization);
    const again = await sendWith(authorization);
    if (again.status === 401) {
      const resolved = await this.credentials.get(endpoint.host);
      throw await failure(again, `authenticate to ${endpoint.host} as ${resolved.credentials?.username ?? "anonymous"} (${resolved.source.description})`, { repository: endpoint.path, host: endpoint.host });
    }
    return again;
  }

  /** The Authorization header the challenge asks for: Basic with our credentials, or a Bearer token from the realm for `scopes`. */
  private async authorize(endpoint: Endpoint, header: string, scopes: string[], push: boolean): Promise<string> {
    const resolved = await this.credentials.get(endpoint.host);
    const { credentials } = resolved;
    const who = `${credentials ? `as ${credentials.username}` : "anonymously"} (${resolved.source.description}${resolved.notes.length ? `; ${resolved.notes.join("; ")}` : ""})`;
    const auth = { repository: endpoint.path, host: endpoint.host };
    const challenge = parseChallenge(header);
    if (challenge.scheme === "basic") {
      if (!credentials) throw new RegistryError(`${endpoint.host} asks for a username and password, and none was found ${who}`, 401, auth);
      return basicAuthorization(credentials.username, credentials.password);
    }
    if (challenge.scheme !== "bearer" || !challenge.params.realm) throw new RegistryError(`${endpoint.host} answered 401 with an auth challenge this client does not know: ${header.split(" ")[0] || "(none)"}`, 401, auth);

    // Docker token spec: GET <realm>?service=<service>&scope=<scope>&scope=<scope>, Basic credentials when we have them.
    const tokenUrl = new URL(challenge.params.realm);
    if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
    for (const scope of mergeScopes([challenge.params.scope], scopes)) tokenUrl.searchParams.append("scope", scope);
    const response = await send(tokenUrl.toString(), {
      headers: credentials ? { Authorization: basicAuthorization(credentials.username, credentials.password) } : {},
      timeoutMs: this.retry.requestTimeoutMs,
    });
    if (response.status === 401 || response.status === 403) throw await failure(response, `get a token from ${tokenUrl.origin}${tokenUrl.pathname} ${who}`, auth);
    if (response.status !== 200) throw await failure(response, `get a token from ${tokenUrl.origin}${tokenUrl.pathname}`);
    const body = await readBody(response, tokenUrl.toString());
    let token: string | undefined;
    try {
      const json = JSON.parse(body.toString("utf8")) as { token?: string; access_token?: string };
      token = json.token ?? json.access_token;
    } catch {
      token = undefined;
    }
    if (!token) throw new RegistryError(`the token server ${tokenUrl.origin} answered without a token`);
    const granted = push ? grantedActions(token, endpoint.path) : undefined;
    if (granted && !granted.includes("push")) {
      throw new RegistryError(`${tokenUrl.origin} granted ${granted.length ? granted.join(",") : "no access"} on ${endpoint.path}, not push, ${who}`, 403, auth);
    }
    return `Bearer ${token}`;
  }
}

/** The `auth` mark for a status that means "not with these credentials". */
function refused(status: number, endpoint: Endpoint): RegistryError["auth"] {
  return status === 401 || status === 403 ? { repository: endpoint.path, host: endpoint.host } : undefined;
}
