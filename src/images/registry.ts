import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { registryCredentials, type Credentials } from "./credentials.js";
import { checkName } from "./reference.js";

/** The manifest media types a tag can point at. */
export const MANIFEST_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
];

/** A registry answer other than the one expected; the message carries the status so retries can tell 5xx from 4xx. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

interface Endpoint {
  base: string;
  path: string;
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

const BUFFER_LIMIT = 64 * 1024 * 1024;

/**
 * The slice of the Registry HTTP API V2 (distribution spec) a release needs: upload an
 * OCI layout's blobs, put its manifest by digest (no tag), put the same manifest under
 * tags later, read a tag's digest. Bearer-token and basic auth as registries challenge.
 */
export class RegistryClient {
  private readonly tokens = new Map<string, string>();

  constructor(
    private readonly options: { tlsVerify: boolean; env: Record<string, string | undefined>; credentials?: (host: string) => Credentials | undefined },
  ) {}

  /** Push the image whose manifest is `digest` in the OCI layout `layoutDir` to `repository`, by digest only. Returns the registry's digest. */
  async pushLayout(layoutDir: string, repository: string, digest: string): Promise<string> {
    const endpoint = registryEndpoint(repository, this.options.tlsVerify);
    const blobPath = (d: string) => join(layoutDir, "blobs", ...d.split(":"));
    const manifestBytes = await readFile(blobPath(digest));
    const manifest = JSON.parse(manifestBytes.toString("utf8"));
    const blobs: { digest: string }[] = [manifest.config, ...(manifest.layers ?? [])].filter(Boolean);
    for (const blob of blobs) await this.uploadBlob(endpoint, blob.digest, blobPath(blob.digest));
    const mediaType = manifest.mediaType ?? MANIFEST_TYPES[0];
    const stored = await this.putManifest(endpoint, digest, manifestBytes, mediaType);
    if (stored !== digest) throw new RegistryError(`${repository}: the registry stored the manifest as ${stored}, not ${digest}`);
    return stored;
  }

  /** Point `repository:tag` at the manifest already pushed as `repository@digest`. */
  async tag(repository: string, digest: string, tag: string): Promise<void> {
    const endpoint = registryEndpoint(repository, this.options.tlsVerify);
    const response = await this.request(endpoint, "GET", `/manifests/${digest}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } });
    if (response.status !== 200) throw await failure(response, `read ${repository}@${digest}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const mediaType = response.headers.get("content-type") ?? MANIFEST_TYPES[0];
    const stored = await this.putManifest(endpoint, tag, bytes, mediaType);
    if (stored !== digest) throw new RegistryError(`${repository}:${tag} points at ${stored}, not ${digest}`);
  }

  /** The `Docker-Content-Digest` of `repository:reference`, or undefined when there is none. */
  async digestOf(repository: string, reference: string): Promise<string | undefined> {
    const endpoint = registryEndpoint(repository, this.options.tlsVerify);
    const response = await this.request(endpoint, "HEAD", `/manifests/${reference}`, { headers: { Accept: MANIFEST_TYPES.join(", ") } });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw await failure(response, `read ${repository}:${reference}`);
    return response.headers.get("docker-content-digest") ?? undefined;
  }

  private async uploadBlob(endpoint: Endpoint, digest: string, file: string): Promise<void> {
    const head = await this.request(endpoint, "HEAD", `/blobs/${digest}`);
    if (head.status === 200) return;
    const start = await this.request(endpoint, "POST", "/blobs/uploads/");
    await start.arrayBuffer().catch(() => undefined);
    if (start.status !== 202) throw await failure(start, `start the upload of ${digest}`);
    const location = start.headers.get("location");
    if (!location) throw new RegistryError(`the registry gave no upload location for ${digest}`);
    const url = new URL(location, endpoint.base);
    url.searchParams.set("digest", digest);
    const { size } = await stat(file);
    const body = size <= BUFFER_LIMIT ? await readFile(file) : undefined;
    const put = await this.request(endpoint, "PUT", url.toString(), {
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
      body: () => body ?? (Readable.toWeb(createReadStream(file)) as unknown as ReadableStream),
    });
    await put.arrayBuffer().catch(() => undefined);
    if (put.status !== 201) throw await failure(put, `upload ${digest}`);
  }

  private async putManifest(endpoint: Endpoint, reference: string, bytes: Buffer, mediaType: string): Promise<string | undefined> {
    const response = await this.request(endpoint, "PUT", `/manifests/${reference}`, {
      headers: { "Content-Type": mediaType },
      body: () => bytes,
    });
    await response.arrayBuffer().catch(() => undefined);
    if (response.status !== 201) throw await failure(response, `put the manifest ${endpoint.path}:${reference}`);
    return response.headers.get("docker-content-digest") ?? undefined;
  }

  /** One request, answering an auth challenge once. `body` is a function: a challenged request is sent again. */
  private async request(
    endpoint: Endpoint,
    method: string,
    pathOrUrl: string,
    init: { headers?: Record<string, string>; body?: () => Buffer | ReadableStream } = {},
  ): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : `${endpoint.base}/v2/${endpoint.path}${pathOrUrl}`;
    const scopeKey = `${endpoint.host}/${endpoint.path}`;
    const send = async (authorization?: string) => {
      const body = init.body?.();
      try {
        return await fetch(url, {
          method,
          headers: { ...init.headers, ...(authorization ? { Authorization: authorization } : {}) },
          body: body as BodyInit | undefined,
          redirect: "follow",
          ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
        } as RequestInit);
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new RegistryError(`${method} ${url} failed: ${cause?.code ?? ""} ${cause?.message ?? (error as Error).message}`.trim());
      }
    };
    let response = await send(this.tokens.get(scopeKey));
    if (response.status !== 401) return response;
    await response.arrayBuffer().catch(() => undefined);
    const authorization = await this.authorize(endpoint, response.headers.get("www-authenticate") ?? "");
    if (!authorization) return response;
    this.tokens.set(scopeKey, authorization);
    response = await send(authorization);
    return response;
  }

  private async authorize(endpoint: Endpoint, challenge: string): Promise<string | undefined> {
    const credentials = (this.options.credentials ?? ((host) => registryCredentials(host, this.options.env)))(endpoint.host);
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}` : undefined;
    if (/^basic/i.test(challenge)) return basic;
    if (!/^bearer/i.test(challenge)) return undefined;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!params.realm) return undefined;
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set("service", params.service);
    tokenUrl.searchParams.set("scope", `repository:${endpoint.path}:pull,push`);
    const response = await fetch(tokenUrl, { headers: basic ? { Authorization: basic } : {} });
    if (response.status !== 200) throw await failure(response, `get a token from ${tokenUrl.origin}${credentials ? " (check the registry login)" : " (no registry login was found)"}`);
    const json = (await response.json()) as { token?: string; access_token?: string };
    const token = json.token ?? json.access_token;
    return token ? `Bearer ${token}` : undefined;
  }
}

async function failure(response: Response, action: string): Promise<RegistryError> {
  let detail = "";
  try {
    const text = await response.text();
    const errors = JSON.parse(text).errors as { code: string; message: string }[] | undefined;
    detail = errors?.length ? `: ${errors.map((e) => `${e.code} ${e.message}`).join("; ")}` : text ? `: ${text.slice(0, 200)}` : "";
  } catch {
    /* no body */
  }
  const status = response.status === 429 ? "HTTP 429 toomanyrequests" : `HTTP ${response.status}`;
  return new RegistryError(`could not ${action}: ${status}${detail}`, response.status);
}
