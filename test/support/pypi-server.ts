import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { clean as cleanPep440 } from "@renovatebot/pep440";
import type { AttestationCheck } from "./attestation-checker.js";

/**
 * A loopback stand-in for PyPI (warehouse) and GitHub Actions' ID-token endpoint that
 * speaks their real protocols and checks what it receives the way production does:
 * - legacy upload: multipart `:action=file_upload`, `protocol_version=1`, Basic
 *   `__token__:<minted token>`, digests recomputed from the bytes, 400 "File already
 *   exists (…)" when a stored name gets other bytes, 200 for the identical file again;
 *   and what Warehouse refuses besides (`handleUpload` follows its `file_upload` rule by
 *   rule): metadata versions and fields, the size limit, one sdist per release, archive
 *   layout, PEP 625 sdist names, normalized wheel names, unsupported platform tags;
 * - JSON API `GET /pypi/<name>/<version>/json` (404 for an unknown release);
 * - `GET /_/oidc/audience`, `POST /_/oidc/mint-token` (single-use JWTs, audience and
 *   trusted-publisher claims checked, 422 `{message, errors: [{code, description}]}`);
 * - `GET /_actions/token?api-version=2.0&audience=…` with `Authorization: bearer <request token>`.
 * Faults can be injected per step: N times a status, a reset connection, a slow answer, an expired token.
 */

export type Step = "id-token" | "audience" | "mint" | "json" | "upload";
export type Fault = { status: number; reason?: string } | { delayMs: number } | "reset" | "expired";

export interface TrustedPublisher {
  /** `owner/name` */
  repository: string;
  /** Workflow file name, e.g. `release.yml`. */
  workflow: string;
  environment?: string;
}

export interface RunClaims {
  repository: string;
  /** `owner/name/.github/workflows/release.yml@refs/heads/main` */
  workflow_ref: string;
  ref: string;
  environment?: string;
  /** More claims of GitHub's ID token (`sha`, `run_id`, …), over the defaults every token carries. */
  claims?: Record<string, string>;
}

export interface PypiServerOptions {
  /** The project the trusted publisher may upload to. */
  project?: string;
  audience?: string;
  publisher?: TrustedPublisher;
  /** What this "CI run" is: the claims the ID-token endpoint signs. */
  run?: RunClaims;
  /** Lifetime of a minted upload token (PyPI: 15 minutes). */
  tokenTtlMs?: number;
  /** The project's per-file upload limit (PyPI: `MAX_FILESIZE`, 100 MiB, unless raised for the project). */
  uploadLimitBytes?: number;
  /** Checks the `attestations` field of an upload (PEP 740); without it, an upload that carries one is refused. */
  attestations?: AttestationCheck;
}

export interface StoredFile {
  filename: string;
  name: string;
  version: string;
  packagetype: string;
  sha256: string;
  md5: string;
  size: number;
  bytes: Buffer;
  /** The Metadata-Version twine sent with the upload (undefined for files put there with `addFile`). */
  metadataVersion?: string;
  /** The PEP 740 attestations accepted with the file, as PyPI keeps them for its provenance. */
  attestations?: unknown[];
}

export interface UploadRecord {
  filename?: string;
  status: number;
  reason: string;
  /** stored: a new file; identical: the same bytes again (200, nothing stored); rejected; fault: an injected failure. */
  outcome: "stored" | "identical" | "rejected" | "fault";
}

export interface RequestRecord {
  step: Step | "other";
  method: string;
  path: string;
  status: number;
  /** Headers as received, without Authorization. */
  headers: Record<string, string | string[] | undefined>;
}

export interface PypiServer {
  /** Origin, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The `repositoryUrl` to give twine: `<url>/legacy/`. */
  uploadUrl: string;
  /** The `indexUrl` of the JSON API: `<url>/`. */
  indexUrl: string;
  /** What GitHub puts in ACTIONS_ID_TOKEN_REQUEST_URL. */
  idTokenRequestUrl: string;
  /** What GitHub puts in ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  files(): StoredFile[];
  uploads(): UploadRecord[];
  requests(): RequestRecord[];
  /** Every secret this server issued or holds: the request token, ID tokens, minted tokens. */
  secrets(): string[];
  /** Put a file on the index as if uploaded earlier. */
  addFile(filename: string, bytes: Buffer, name: string, version: string): void;
  /** The next `times` requests of `step` (after letting `after` pass untouched) fail with `fault`. */
  injectFault(step: Step, fault: Fault, times?: number, after?: number): void;
  /** A GitLab-style ID token (what PYPI_ID_TOKEN holds), signed for `audience`. */
  gitlabIdToken(projectPath: string, audience?: string, claims?: Record<string, unknown>): string;
  /** The claims of an ID token this server issued, when its signature holds and it has not expired: how another relying party (Fulcio) checks it. */
  verifyIdToken(jwt: string): Record<string, any> | undefined;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const canonical = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

export async function startPypiServer(options: PypiServerOptions = {}): Promise<PypiServer> {
  const project = options.project ?? "llenergymeasure-demo";
  const audience = options.audience ?? "pypi";
  const publisher: TrustedPublisher = options.publisher ?? { repository: "o/r", workflow: "release.yml" };
  const runClaims: RunClaims = options.run ?? { repository: "o/r", workflow_ref: "o/r/.github/workflows/release.yml@refs/heads/main", ref: "refs/heads/main" };
  const tokenTtlMs = options.tokenTtlMs ?? 15 * 60_000;
  // warehouse/constants.py MAX_FILESIZE = 100 * ONE_MIB; Project.upload_limit_size takes the larger of it and the project's own.
  const uploadLimitBytes = options.uploadLimitBytes ?? 100 * ONE_MIB;
  const signingKey = randomBytes(32);
  const requestToken = `ghs_request_${randomBytes(24).toString("hex")}`;

  const stored = new Map<string, StoredFile>();
  const minted = new Map<string, { project: string; expiresAt: number; publisher: "github" | "gitlab" }>();
  const usedJti = new Set<string>();
  const issued: string[] = [requestToken];
  const uploadLog: UploadRecord[] = [];
  const requestLog: RequestRecord[] = [];
  const faults = new Map<Step, { fault: Fault; remaining: number; skip: number }[]>();

  const signJwt = (claims: Record<string, unknown>) => {
    const head = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
    return `${head}.${createHmac("sha256", signingKey).update(head).digest("base64url")}`;
  };
  const verifyJwt = (jwt: string): Record<string, any> | undefined => {
    const parts = jwt.split(".");
    if (parts.length !== 3) return undefined;
    const expected = createHmac("sha256", signingKey).update(`${parts[0]}.${parts[1]}`).digest("base64url");
    if (expected !== parts[2]) return undefined;
    try {
      return JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    } catch {
      return undefined;
    }
  };
  const idToken = (claims: Record<string, unknown>, expired = false) => {
    const now = Math.floor(Date.now() / 1000);
    const jwt = signJwt({ jti: randomBytes(12).toString("hex"), nbf: now - 5, iat: now, exp: expired ? now - 60 : now + 300, ...claims });
    issued.push(jwt);
    return jwt;
  };

  const takeFault = (step: Step): Fault | undefined => {
    const queue = faults.get(step) ?? [];
    const entry = queue.find((f) => f.remaining > 0);
    if (!entry) return undefined;
    if (entry.skip > 0) {
      entry.skip--;
      return undefined;
    }
    entry.remaining--;
    return entry.fault;
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const step = stepOf(req.method ?? "GET", url.pathname);
    const body = await readBody(req);
    const { authorization: _auth, cookie: _cookie, ...headers } = req.headers;
    const record: RequestRecord = { step, method: req.method ?? "GET", path: url.pathname, status: 0, headers };
    requestLog.push(record);
    res.on("finish", () => (record.status = res.statusCode));

    const fault = step === "other" ? undefined : takeFault(step);
    if (fault === "reset") {
      if (step === "upload") uploadLog.push({ status: 0, reason: "connection reset", outcome: "fault" });
      req.socket.destroy();
      return;
    }
    if (fault && typeof fault === "object" && "status" in fault) {
      if (step === "upload") uploadLog.push({ status: fault.status, reason: fault.reason ?? "injected", outcome: "fault" });
      return send(res, fault.status, fault.reason ?? "Service Unavailable", { message: fault.reason ?? "injected failure" });
    }
    if (fault && typeof fault === "object" && "delayMs" in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
    const expired = fault === "expired";

    try {
      if (step === "audience") return send(res, 200, "OK", { audience });
      if (step === "id-token") return handleIdToken(req, res, url, expired);
      if (step === "mint") return handleMint(res, body, expired);
      if (step === "json") return handleJson(res, url);
      if (step === "upload") return await handleUpload(req, res, body, expired);
      return send(res, 404, "Not Found", { message: "Not Found" });
    } catch (error) {
      return send(res, 500, "Internal Server Error", { message: String(error) });
    }
  });

  function handleIdToken(req: IncomingMessage, res: ServerResponse, url: URL, expired: boolean) {
    const auth = req.headers.authorization ?? "";
    const [scheme, value] = auth.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || value !== requestToken) return send(res, 401, "Unauthorized", { message: "Bad credentials" });
    if (url.searchParams.get("api-version") !== "2.0") return send(res, 400, "Bad Request", { message: "api-version=2.0 is required" });
    const owner = runClaims.repository.split("/")[0];
    const aud = url.searchParams.get("audience") ?? `https://github.com/${owner}`;
    const value_ = idToken(
      {
        iss: "https://token.actions.githubusercontent.com",
        aud,
        sub: `repo:${runClaims.repository}:${runClaims.environment ? `environment:${runClaims.environment}` : `ref:${runClaims.ref}`}`,
        repository: runClaims.repository,
        repository_owner: owner,
        workflow_ref: runClaims.workflow_ref,
        job_workflow_ref: runClaims.workflow_ref,
        ref: runClaims.ref,
        ...(runClaims.environment ? { environment: runClaims.environment } : {}),
        ...githubRunClaims(runClaims),
      },
      expired,
    );
    return send(res, 200, "OK", { count: issued.length, value: value_ });
  }

  function mintFailure(res: ServerResponse, code: string, description: string) {
    return send(res, 422, "Unprocessable Entity", { message: "Token request failed", errors: [{ code, description }] });
  }

  function handleMint(res: ServerResponse, body: Buffer, expired: boolean) {
    let token: unknown;
    try {
      token = JSON.parse(body.toString("utf8"))?.token;
    } catch {
      token = undefined;
    }
    if (typeof token !== "string") return mintFailure(res, "invalid-payload", "1 validation error for TokenPayload\ntoken\n  Field required");
    const claims = verifyJwt(token);
    const now = Date.now() / 1000;
    if (!claims || claims.aud !== audience || typeof claims.exp !== "number" || claims.exp < now || (claims.nbf ?? 0) > now + 5) {
      return mintFailure(res, "invalid-token", "malformed or invalid token");
    }
    if (usedJti.has(claims.jti)) return mintFailure(res, "invalid-reuse-token", "invalid token: already used");
    const github =
      claims.iss === "https://token.actions.githubusercontent.com" &&
      claims.repository === publisher.repository &&
      typeof claims.workflow_ref === "string" &&
      claims.workflow_ref.startsWith(`${publisher.repository}/.github/workflows/${publisher.workflow}@`) &&
      (publisher.environment === undefined || claims.environment === publisher.environment);
    const gitlab = claims.iss === "https://gitlab.com" && claims.project_path === publisher.repository;
    if (!github && !gitlab) return mintFailure(res, "invalid-publisher", "valid token, but no corresponding publisher (Publisher with matching claims was not found)");
    usedJti.add(claims.jti);
    const apiToken = `pypi-${randomBytes(48).toString("base64url")}`;
    const expiresAt = expired ? Date.now() - 1000 : Date.now() + tokenTtlMs;
    minted.set(apiToken, { project, expiresAt, publisher: github ? "github" : "gitlab" });
    issued.push(apiToken);
    return send(res, 200, "OK", { success: true, token: apiToken, expires: Math.floor(expiresAt / 1000) });
  }

  function handleJson(res: ServerResponse, url: URL) {
    const [, , name, version] = url.pathname.split("/").map(decodeURIComponent);
    const wanted = cleanPep440(version ?? "");
    const files = [...stored.values()].filter((f) => canonical(f.name) === canonical(name ?? "") && cleanPep440(f.version) === wanted);
    if (!files.length) return send(res, 404, "Not Found", { message: "Not Found" });
    return send(res, 200, "OK", {
      info: { name: files[0].name, version: files[0].version },
      last_serial: stored.size,
      urls: files.map((f) => ({
        filename: f.filename,
        packagetype: f.packagetype,
        size: f.size,
        digests: { md5: f.md5, sha256: f.sha256 },
        url: `${origin}/packages/${f.filename}`,
        python_version: f.packagetype === "sdist" ? "source" : "py3",
      })),
      vulnerabilities: [],
    });
  }

  function reject(res: ServerResponse, status: number, reason: string, filename?: string) {
    uploadLog.push({ filename, status, reason, outcome: "rejected" });
    return send(res, status, reason, reason, "text/plain");
  }

  /**
   * Warehouse's `file_upload` (warehouse/forklift/legacy.py), check by check in its order;
   * each refusal carries Warehouse's own message, in the status line as Warehouse sends it.
   */
  async function handleUpload(req: IncomingMessage, res: ServerResponse, body: Buffer, expired: boolean) {
    const auth = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
    const [user, password] = auth ? Buffer.from(auth[1], "base64").toString("utf8").split(/:(.*)/s) : [];
    const token = password === undefined ? undefined : minted.get(password);
    if (user !== "__token__" || !token) return reject(res, 403, `Invalid or non-existent authentication information. See ${origin}/help/#invalid-auth for more information.`);
    if (expired || token.expiresAt < Date.now()) return reject(res, 403, "Invalid API Token: token is expired");

    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(req.headers["content-type"] ?? "");
    if (!/^multipart\/form-data/i.test(req.headers["content-type"] ?? "") || !boundary) return reject(res, 400, "Invalid request: expected multipart/form-data");
    const form = parseMultipart(body, boundary[1] ?? boundary[2]);
    const field = (key: string) => form.fields.get(key)?.[0];
    const fields = (key: string) => form.fields.get(key) ?? [];
    if (field(":action") !== "file_upload") return reject(res, 400, `Unknown action ${JSON.stringify(field(":action"))}.`);
    // file_upload: "We require protocol_version 1".
    if (field("protocol_version") !== "1") return reject(res, 400, "Unknown protocol version.");

    // forms.py UploadForm: required fields, a known filetype, pyversion, digest formats, at least one digest.
    for (const key of ["metadata_version", "name", "version", "filetype"]) {
      if (!field(key)) return reject(res, 400, `Invalid value for ${key}. Error: This field is required.`);
    }
    const filetype = field("filetype")!;
    if (!(filetype in FILETYPE_EXTENSIONS)) return reject(res, 400, "Invalid value for filetype. Error: Use a known file type.");
    if (filetype !== "sdist" && !field("pyversion")) return reject(res, 400, "Invalid value for pyversion. Error: Python version is required for binary distribution uploads.");
    if (filetype === "sdist" && field("pyversion") && field("pyversion") !== "source") return reject(res, 400, "Invalid value for pyversion. Error: Use 'source' as Python version for an sdist.");
    for (const key of ["sha256_digest", "blake2_256_digest"]) {
      if (field(key) && !/^[A-F0-9]{64}$/i.test(field(key)!)) return reject(res, 400, `Invalid value for ${key}. Error: Use a valid, hex-encoded, ${key.startsWith("sha") ? "SHA256" : "BLAKE2"} message digest.`);
    }
    if (!field("sha256_digest") && !field("md5_digest") && !field("blake2_256_digest")) return reject(res, 400, "Error: Include at least one message digest.");

    // metadata.py _validate_metadata, on the metadata twine sent as form fields (metadata.parse(None, form_data=…)).
    const metadataVersion = field("metadata_version")!;
    if (!SUPPORTED_METADATA_VERSIONS.has(metadataVersion)) return reject(res, 400, `'${metadataVersion}' is not a valid metadata version. See https://packaging.python.org/specifications/core-metadata for more information.`);
    const name = field("name")!;
    const version = field("version")!;
    const normalizedVersion = cleanPep440(version);
    if (!normalizedVersion) return reject(res, 400, `Invalid value for version. Error: '${version}' is an invalid value for Version.`);
    if (normalizedVersion.includes("+")) return reject(res, 400, `The use of local versions in '${normalizedVersion}' is not allowed. See https://packaging.python.org/en/latest/specifications/version-specifiers/#local-version-identifiers for more information.`);
    const metadataProblem = formMetadataProblem(fields);
    if (metadataProblem) return reject(res, 400, `${metadataProblem} See https://packaging.python.org/specifications/core-metadata for more information.`);

    const content = form.files.find((f) => f.field === "content");
    if (!content) return reject(res, 400, "Upload payload does not have a file.");
    const filename = content.filename;
    if (canonical(name) !== canonical(token.project)) {
      return reject(res, 403, `The user '__token__' isn't allowed to upload to project '${name}'. See ${origin}/help/#project-name for more information.`, filename);
    }

    // _validate_filename: no control characters or path separators, an extension that fits the filetype.
    if (/[\x00-\x1f\x7f]/.test(filename)) return reject(res, 400, "Cannot upload a file with non-printable characters (ordinals 0-31) or the DEL character (ordinal 127) in the name.", filename);
    if (/[/\\]/.test(filename)) return reject(res, 400, "Cannot upload a file with '/' or '\\' in the name.", filename);
    const extension = /\.(tar\.gz|zip|whl)$/i.exec(filename)?.[0];
    if (!extension) return reject(res, 400, "Invalid file extension: Use .tar.gz, .whl or .zip extension. See https://www.python.org/dev/peps/pep-0527 and https://peps.python.org/pep-0715/ for more information", filename);
    if (!FILETYPE_EXTENSIONS[filetype].includes(extension)) return reject(res, 400, `Invalid file extension: Extension ${extension} is invalid for filetype ${filetype}. See https://www.python.org/dev/peps/pep-0527 for more information.`, filename);

    // The size limit, enforced while the file streams in.
    if (content.data.length > uploadLimitBytes) {
      return reject(res, 400, `File too large. Limit for project '${token.project}' is ${Math.floor(uploadLimitBytes / ONE_MIB)} MB. See ${origin}/help/#file-size-limit for more information.`, filename);
    }

    const sha256 = createHash("sha256").update(content.data).digest("hex");
    const md5 = createHash("md5").update(content.data).digest("hex");
    const sentSha = field("sha256_digest");
    const sentMd5 = field("md5_digest");
    if ((sentSha && sentSha.toLowerCase() !== sha256) || (sentMd5 && sentMd5.toLowerCase() !== md5)) {
      return reject(res, 400, "The digest supplied does not match a digest calculated from the uploaded file.", filename);
    }

    // _is_duplicate_file: the same name and bytes again is a silent 200; the same name with other bytes is refused.
    const existing = stored.get(filename);
    if (existing) {
      if (existing.sha256 === sha256) {
        uploadLog.push({ filename, status: 200, reason: "OK", outcome: "identical" });
        return send(res, 200, "OK", "", "text/plain");
      }
      return reject(res, 400, `File already exists ('${filename}', with sha256 hash '${existing.sha256}'). See ${origin}/help/#file-name-reuse for more information.`, filename);
    }
    // "Only one sdist may be uploaded per release."
    const release = [...stored.values()].filter((f) => canonical(f.name) === canonical(name) && cleanPep440(f.version) === normalizedVersion);
    if (filetype === "sdist" && release.some((f) => f.packagetype === "sdist")) return reject(res, 400, "Only one sdist may be uploaded per release.", filename);

    // _is_valid_dist_file: the archive itself.
    const invalid = invalidDistFile(filename, content.data);
    if (invalid !== undefined) return reject(res, 400, `Invalid distribution file. ${invalid}`, filename);

    const expectedName = canonical(token.project).replace(/-/g, "_");
    if (filetype === "sdist") {
      // packaging.utils.parse_sdist_filename, then the project check, then PEP 625's exact name.
      const stem = /^(.*)-([^-]+)\.(tar\.gz|zip)$/.exec(filename);
      if (!stem) return reject(res, 400, `Invalid source distribution filename: ${filename}`, filename);
      if (canonical(stem[1]) !== canonical(token.project)) return reject(res, 400, `Start filename for '${token.project}' with '${expectedName}'.`, filename);
      const expectedFilename = `${expectedName}-${normalizedVersion}.tar.gz`;
      if (filename !== expectedFilename) return reject(res, 400, `Filename '${filename}' is invalid, should be '${expectedFilename}'.`, filename);
    } else {
      // packaging.utils.parse_wheel_filename: 5 or 6 parts, a valid version.
      const parts = filename.slice(0, -4).split("-");
      if ((parts.length !== 5 && parts.length !== 6) || !cleanPep440(parts[1])) return reject(res, 400, `Invalid wheel filename (wrong number of parts): '${filename}'`, filename);
      // _valid_platform_tag for every platform of the (possibly compressed) tag set.
      for (const platform of parts[parts.length - 1].toLowerCase().split(".")) {
        if (!warehouseValidPlatformTag(platform)) return reject(res, 400, `Binary wheel '${filename}' has an unsupported platform tag '${platform}'.`, filename);
      }
      if (canonical(parts[0]) !== canonical(name)) return reject(res, 400, `Start filename for '${token.project}' with '${canonical(name).replace(/-/g, "_")}'.`, filename);
      // "PEP 427 / PEP 503: Enforcement of project name normalization."
      if (parts[0] !== expectedName) return reject(res, 400, `Filename '${filename}' should contain the normalized project name '${expectedName}', not '${parts[0]}'.`, filename);
      if (cleanPep440(parts[1]) !== normalizedVersion) return reject(res, 400, `Version in filename should be '${normalizedVersion}' not '${cleanPep440(parts[1])}'.`, filename);
      const names = zipEntries(content.data).map((e) => e.name);
      const distInfo = `${parts[0]}-${parts[1]}.dist-info`;
      // validate_record (warehouse/utils/wheel.py), then the METADATA file the wheel must carry.
      if (!names.includes(`${distInfo}/RECORD`)) return reject(res, 400, `Wheel '${filename}' does not contain the required RECORD file: ${distInfo}/RECORD`, filename);
      if (!names.includes(`${distInfo}/METADATA`)) return reject(res, 400, `Wheel '${filename}' does not contain the required METADATA file: ${distInfo}/METADATA`, filename);
    }
    // Warehouse reads `attestations` only now, after the duplicate-file check above (warehouse/forklift/legacy.py, file_upload).
    let attestations: unknown[] | undefined;
    if (field("attestations") !== undefined) {
      const verdict = options.attestations
        ? await options.attestations({ attestations: field("attestations")!, filename, sha256, publisher: { ...publisher, kind: token.publisher } })
        : { ok: false as const, reason: "this stand-in was started without an attestation checker" };
      if (!verdict.ok) return reject(res, 400, `Invalid attestations supplied during upload: ${verdict.reason}`, filename);
      attestations = verdict.attestations;
    }
    stored.set(filename, { filename, name, version, packagetype: filetype, sha256, md5, size: content.data.length, bytes: content.data, metadataVersion, ...(attestations ? { attestations } : {}) });
    uploadLog.push({ filename, status: 200, reason: "OK", outcome: "stored" });
    return send(res, 200, "OK", "", "text/plain");
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    uploadUrl: `${origin}/legacy/`,
    indexUrl: `${origin}/`,
    idTokenRequestUrl: `${origin}/_actions/token?api-version=2.0`,
    requestToken,
    files: () => [...stored.values()],
    uploads: () => [...uploadLog],
    requests: () => [...requestLog],
    secrets: () => [...issued],
    addFile(filename, bytes, name, version) {
      stored.set(filename, {
        filename,
        name,
        version,
        packagetype: filename.endsWith(".whl") ? "bdist_wheel" : "sdist",
        sha256: createHash("sha256").update(bytes).digest("hex"),
        md5: createHash("md5").update(bytes).digest("hex"),
        size: bytes.length,
        bytes,
      });
    },
    injectFault(step, fault, times = 1, after = 0) {
      faults.set(step, [...(faults.get(step) ?? []), { fault, remaining: times, skip: after }]);
    },
    verifyIdToken(jwt) {
      const claims = verifyJwt(jwt);
      return claims && typeof claims.exp === "number" && claims.exp >= Date.now() / 1000 ? claims : undefined;
    },
    gitlabIdToken(projectPath, aud = audience, claims = {}) {
      return idToken({ iss: "https://gitlab.com", aud, project_path: projectPath, sub: `project_path:${projectPath}:ref_type:branch:ref:main`, ...gitlabJobClaims(projectPath), ...claims });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The rest of the claims GitHub puts in every Actions ID token
 * (docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#understanding-the-oidc-token);
 * Fulcio refuses a token without them (sigstore/fulcio pkg/identity/github/principal.go, WorkflowPrincipalFromIDToken).
 */
function githubRunClaims(run: RunClaims): Record<string, string> {
  const sha = run.claims?.sha ?? "0".repeat(40);
  return {
    sha,
    event_name: "push",
    ref_type: run.ref.startsWith("refs/tags/") ? "tag" : "branch",
    workflow: "release",
    workflow_sha: sha,
    job_workflow_sha: sha,
    runner_environment: "github-hosted",
    repository_id: "1000",
    repository_owner_id: "2000",
    repository_visibility: "public",
    run_id: "3000",
    run_number: "1",
    run_attempt: "1",
    ...run.claims,
  };
}

/** The rest of GitLab's ID-token claims (docs.gitlab.com/ci/secrets/id_token_authentication/#token-payload), which Fulcio requires (sigstore/fulcio pkg/identity/gitlabcom/principal.go). */
function gitlabJobClaims(projectPath: string): Record<string, unknown> {
  return {
    namespace_path: projectPath.split("/")[0],
    namespace_id: "4000",
    project_id: "5000",
    project_visibility: "public",
    pipeline_source: "push",
    pipeline_id: "6000",
    job_id: "7000",
    ci_config_ref_uri: `gitlab.com/${projectPath}//.gitlab-ci.yml@refs/heads/main`,
    ci_config_sha: "0".repeat(40),
    ref: "main",
    ref_type: "branch",
    sha: "0".repeat(40),
    runner_environment: "gitlab-hosted",
    runner_id: 8000,
  };
}

function stepOf(method: string, path: string): Step | "other" {
  if (method === "GET" && path === "/_/oidc/audience") return "audience";
  if (method === "POST" && path === "/_/oidc/mint-token") return "mint";
  if (method === "GET" && path === "/_actions/token") return "id-token";
  if (method === "GET" && /^\/pypi\/[^/]+\/[^/]+\/json$/.test(path)) return "json";
  if (method === "POST" && (path === "/legacy/" || path === "/legacy")) return "upload";
  return "other";
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", () => resolve(Buffer.concat(chunks)));
  });
}

function send(res: ServerResponse, status: number, reason: string, body: unknown, type = "application/json") {
  if (res.destroyed) return;
  res.statusCode = status;
  // Warehouse's legacy API carries its message in the status line; twine prints that reason.
  res.statusMessage = reason.replace(/[^\x20-\x7e]/g, " ");
  res.setHeader("content-type", type);
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

/** RFC 7578 multipart/form-data: repeated fields are kept in order, file parts keep their bytes. */
export function parseMultipart(body: Buffer, boundary: string): { fields: Map<string, string[]>; files: { field: string; filename: string; data: Buffer }[] } {
  const fields = new Map<string, string[]>();
  const files: { field: string; filename: string; data: Buffer }[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    const start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf("\r\n\r\n");
    const head = part.subarray(0, headerEnd).toString("utf8");
    const data = part.subarray(headerEnd + 4);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(head)?.[1] ?? "";
    const name = /\bname="([^"]*)"/.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/.exec(disposition)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) files.push({ field: name, filename, data: Buffer.from(data) });
      else fields.set(name, [...(fields.get(name) ?? []), data.toString("utf8")]);
    }
    position = next;
  }
  return { fields, files };
}

const ONE_MIB = 1024 * 1024;

/** warehouse/forklift/forms.py `_filetype_extension_mapping`. */
const FILETYPE_EXTENSIONS: Record<string, string[]> = { sdist: [".zip", ".tar.gz"], bdist_wheel: [".whl"] };

/** warehouse/forklift/metadata.py `SUPPORTED_METADATA_VERSIONS`. */
const SUPPORTED_METADATA_VERSIONS = new Set(["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"]);

/** warehouse/forklift/metadata.py `DYNAMIC_FIELDS`, lower-cased. */
const DYNAMIC_FIELDS = new Set(
  "platform supported-platform summary description description-content-type keywords home-page download-url author author-email maintainer maintainer-email license license-expression license-file classifier requires-dist requires-python requires-external project-url provides-extra provides-dist obsoletes-dist requires provides obsoletes import-name import-namespace".split(" "),
);

/**
 * warehouse/forklift/metadata.py `_validate_metadata`, the rules a form can break that the
 * stand-in can judge without PyPI's databases: the summary's length (`_LENGTH_LIMITS`),
 * Project-URL labels, direct-URL requirements, Dynamic fields, License beside License-Expression.
 */
function formMetadataProblem(fields: (key: string) => string[]): string | undefined {
  const summary = fields("summary")[0];
  if (summary !== undefined && summary.length > 512) return "'summary' field must be 512 characters or less.";
  for (const entry of fields("project_urls")) {
    const [label, url] = entry.split(/,(.*)/s).map((p) => p?.trim() ?? "");
    if (!label) return "Must have a label.";
    if (label.length > 32) return `'${label}' must be 32 characters or less.`;
    if (!url) return "Must have a URL.";
  }
  for (const requirement of fields("requires_dist")) {
    if (/^[^;]*@\s*\S+:\/\//.test(requirement)) return `Can't have direct dependency: ${requirement}.`;
  }
  for (const key of fields("dynamic")) {
    if (!DYNAMIC_FIELDS.has(key.toLowerCase())) return `Dynamic field '${key.toLowerCase()}' is not a valid dynamic field.`;
  }
  if (fields("license")[0] && fields("license_expression")[0]) return "License is deprecated when License-Expression is present. Only License-Expression should be present.";
  return undefined;
}

/**
 * warehouse/forklift/legacy.py `_valid_platform_tag` with `_allowed_platforms`, the macOS,
 * many/musllinux, iOS, Android and pyemscripten patterns. Written out again here, apart from
 * the plugin's copy, so the stand-in is an independent judge of the plugin's checks.
 */
function warehouseValidPlatformTag(tag: string): boolean {
  const allowed = ["any", "win32", "win_arm64", "win_amd64", "win_ia64", "manylinux1_x86_64", "manylinux1_i686", "manylinux2010_x86_64", "manylinux2010_i686", "manylinux2014_x86_64", "manylinux2014_i686", "manylinux2014_aarch64", "manylinux2014_armv7l", "manylinux2014_ppc64", "manylinux2014_ppc64le", "manylinux2014_s390x", "linux_armv6l", "linux_armv7l"];
  if (allowed.includes(tag)) return true;
  const macArches = ["ppc", "ppc64", "i386", "x86_64", "arm64", "intel", "fat", "fat3", "fat64", "universal", "universal2"];
  const mac = /^macosx_(\d+)_(\d+)_(.*)$/.exec(tag);
  if (mac && ((mac[1] === "10" && macArches.includes(mac[3])) || (["11", "12", "13", "14", "15", "26"].includes(mac[1]) && mac[2] === "0" && macArches.includes(mac[3])))) return true;
  const linux = /^(many|musl)linux_\d+_\d+_(.*)$/.exec(tag);
  const jointArches = ["x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64"];
  if (linux) return jointArches.includes(linux[2]) || (linux[1] === "many" && linux[2] === "ppc64");
  const ios = /^ios_\d+_\d+_(.*)_(iphoneos|iphonesimulator)/.exec(tag);
  if (ios && ["arm64", "x86_64"].includes(ios[1])) return true;
  const android = /^android_\d+_(.*)/.exec(tag);
  if (android && ["armeabi_v7a", "arm64_v8a", "x86", "x86_64"].includes(android[1])) return true;
  return /^pyemscripten_\d+_\d+_wasm32/.test(tag);
}

/** warehouse/forklift/legacy.py `_is_valid_dist_file`: why the archive is not a distribution, or undefined. */
function invalidDistFile(filename: string, data: Buffer): string | undefined {
  if (filename.endsWith(".whl") || filename.endsWith(".zip")) {
    let entries: { name: string; method: number }[];
    try {
      entries = zipEntries(data);
    } catch {
      return "File is not a zipfile";
    }
    if (entries.some((e) => e.method !== 0 && e.method !== 8)) return "File does not use a supported compression type";
    const names = entries.map((e) => e.name);
    if (filename.endsWith(".zip")) {
      const top = commonPath(names);
      if (["", ".", "/"].includes(top)) return "Incorrect number of top-level directories in sdist";
      if (!names.includes(`${top}/PKG-INFO`)) return `PKG-INFO not found at ${top}/PKG-INFO`;
    } else {
      const [name, version] = filename.split("-");
      if (!names.includes(`${name}-${version}.dist-info/WHEEL`)) return `WHEEL not found at ${name}-${version}.dist-info/WHEEL`;
    }
    return undefined;
  }
  let members: TarMember[];
  try {
    members = tarMembers(gunzipSync(data));
  } catch {
    return "File is not a tarfile";
  }
  if (members.some((m) => m.sparse)) return "tar archive not accepted: Sparse members are not allowed. See https://docs.pypi.org/archives for more information";
  const top = commonPath(members.map((m) => m.name));
  if (["", ".", "/"].includes(top)) return "Incorrect number of top-level directories in sdist";
  if (!members.some((m) => m.name === `${top}/PKG-INFO`)) return `PKG-INFO not found at ${top}/PKG-INFO`;
  return undefined;
}

/** Python's os.path.commonpath over archive names. */
function commonPath(names: readonly string[]): string {
  if (!names.length) return "";
  const split = names.map((n) => n.replace(/\/+$/, "").split("/"));
  const first = split[0];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  return first.slice(0, n).join("/");
}

interface TarMember {
  name: string;
  size: number;
  type: string;
  sparse: boolean;
}

/** POSIX/GNU tar headers, with pax (`x`) and GNU long-name (`L`) records, as Python's tarfile writes them. */
export function tarMembers(tar: Buffer): TarMember[] {
  const members: TarMember[] = [];
  let offset = 0;
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const text = (start: number, length: number) => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(text(124, 12).trim() || "0", 8);
    const type = text(156, 1) || "0";
    const data = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      pax = {};
      for (let rest = data.toString("utf8"); rest.length; ) {
        const space = rest.indexOf(" ");
        const length = Number(rest.slice(0, space));
        const record = rest.slice(space + 1, length - 1);
        const equals = record.indexOf("=");
        pax[record.slice(0, equals)] = record.slice(equals + 1);
        rest = rest.slice(length);
      }
      continue;
    }
    if (type === "g") continue;
    if (type === "L") {
      longName = data.toString("utf8").replace(/\0.*$/s, "");
      continue;
    }
    const prefix = header.subarray(257, 263).toString("latin1").startsWith("ustar") ? text(345, 155) : "";
    const name = pax.path ?? longName ?? (prefix ? `${prefix}/${text(0, 100)}` : text(0, 100));
    members.push({ name: name.replace(/^\.\//, "").replace(/\/$/, ""), size, type, sparse: type === "S" || Object.keys(pax).some((k) => k.startsWith("GNU.sparse")) });
    longName = undefined;
    pax = {};
  }
  return members;
}

/** The central directory of a zip file: each entry's name and compression method. */
export function zipEntries(zip: Buffer): { name: string; method: number }[] {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error("no end of central directory");
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: { name: string; method: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error("bad central directory");
    const method = zip.readUInt16LE(offset + 10);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    entries.push({ name: zip.subarray(offset + 46, offset + 46 + nameLength).toString("utf8"), method });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
