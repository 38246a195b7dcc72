import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, X509Certificate, type KeyObject } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { initializeCA, initializeCTLog } from "@sigstore/mock";

/**
 * A loopback Sigstore: Fulcio (`POST /api/v2/signingCert`) and Rekor (`POST
 * /api/v1/log/entries`) on one 127.0.0.1 port. The certificate authority and its CT log are
 * `@sigstore/mock`'s (the Sigstore project's own test doubles). The transparency log is a
 * small RFC 6962 Merkle tree here: the mock's log answers every entry with a one-leaf proof
 * whose index disagrees with the entry's, which the reference verifier (sigstore-python)
 * rightly refuses. In front of them this server checks each request the way the real
 * services do and refuses what they refuse, citing where the rule comes from:
 * - Fulcio verifies the OIDC token with its issuer, requires the `sigstore` audience and the
 *   CI claims, checks the proof of possession, and builds the certificate's SAN and
 *   extensions from the claims (sigstore/fulcio pkg/server/grpc_server.go,
 *   pkg/identity/github/principal.go, pkg/identity/gitlabcom/principal.go);
 * - Rekor verifies the DSSE envelope's signatures with the proposed verifiers and logs the
 *   canonical entry (envelopeHash, payloadHash, signatures), not the proposed one
 *   (sigstore/rekor pkg/types/dsse/v0.0.1/entry.go: Unmarshal, Canonicalize); an equivalent
 *   entry is refused with 409.
 * `trustedRoot()` is the root of trust verifiers need: the CA, the CT log and the log keys.
 */

export type SigstoreStep = "fulcio" | "rekor";
export interface SigstoreFault {
  status: number;
  message?: string;
}

export interface SigstoreServerOptions {
  /** The OIDC issuer's check of an ID token (what Fulcio does with the issuer's published keys): its claims, or undefined. */
  verifyToken: (jwt: string) => Record<string, any> | undefined;
}

export interface IssuedCertificate {
  subjectAlternativeName: string;
  issuer: string;
}

export interface LoggedEntry {
  logIndex: number;
  /** The canonical body Rekor logged. */
  body: Record<string, any>;
}

export interface SigstoreRequest {
  step: SigstoreStep | "other";
  status: number;
}

export interface SigstoreServer {
  url: string;
  fulcioUrl: string;
  rekorUrl: string;
  /** The `TrustedRoot` (protobuf-specs JSON) that verifies what this instance signed and logged. */
  trustedRoot(): Record<string, any>;
  /** Write trustedRoot() to `path` (for verifiers that read a file) and return the path. */
  writeTrustedRoot(path: string): string;
  certificates(): IssuedCertificate[];
  entries(): LoggedEntry[];
  requests(): SigstoreRequest[];
  /** The next `times` requests to `step` get `fault` instead of an answer. */
  injectFault(step: SigstoreStep, fault: SigstoreFault, times?: number): void;
  close(): Promise<void>;
}

const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";
const GITLAB_ISSUER = "https://gitlab.com";
/** Fulcio's client id for CI issuers (sigstore/fulcio config/identity/config.yaml: ClientID "sigstore"). */
const AUDIENCE = "sigstore";

type Answer = { status: number; body: unknown; location?: string };
const failure = (status: number, message: string): Answer => ({ status, body: { code: status, message } });

export async function startSigstoreServer(options: SigstoreServerOptions): Promise<SigstoreServer> {
  const keys = () => generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const ctlog = await initializeCTLog(keys());
  const ca = await initializeCA(keys(), ctlog);
  const since = new Date(Date.now() - 60_000);
  const issued: IssuedCertificate[] = [];
  const logged: LoggedEntry[] = [];
  const requestLog: SigstoreRequest[] = [];
  const seenBodies = new Map<string, string>();
  const faults = new Map<SigstoreStep, { fault: SigstoreFault; remaining: number }[]>();
  let tlog: TransparencyLog;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const step: SigstoreStep | "other" =
        req.method === "POST" && req.url === "/api/v2/signingCert" ? "fulcio" : req.method === "POST" && req.url === "/api/v1/log/entries" ? "rekor" : "other";
      const record: SigstoreRequest = { step, status: 0 };
      requestLog.push(record);
      let answer: Answer;
      const fault = step === "other" ? undefined : takeFault(step);
      try {
        if (fault) answer = failure(fault.status, fault.message ?? "injected failure");
        else if (step === "fulcio") answer = await signingCertificate(Buffer.concat(chunks).toString("utf8"));
        else if (step === "rekor") answer = await logEntry(Buffer.concat(chunks).toString("utf8"));
        else answer = failure(404, "not found");
      } catch (error) {
        answer = failure(500, String(error));
      }
      record.status = answer.status;
      send(res, answer);
    });
  });

  function takeFault(step: SigstoreStep): SigstoreFault | undefined {
    const entry = (faults.get(step) ?? []).find((f) => f.remaining > 0);
    if (!entry) return undefined;
    entry.remaining--;
    return entry.fault;
  }

  /** Fulcio's CreateSigningCertificate for a `publicKeyRequest` (sigstore/fulcio pkg/server/grpc_server.go). */
  async function signingCertificate(text: string): Promise<Answer> {
    let request: any;
    try {
      request = JSON.parse(text);
    } catch {
      return failure(400, "invalid JSON body");
    }
    const token = request?.credentials?.oidcIdentityToken;
    // grpc_server.go: an unverifiable token is InvalidArgument "There was an error processing the identity token".
    const claims = typeof token === "string" ? options.verifyToken(token) : undefined;
    if (!claims) return failure(400, "There was an error processing the identity token");
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(AUDIENCE)) return failure(400, `There was an error processing the identity token: expected audience "${AUDIENCE}" got ${JSON.stringify(claims.aud)}`);
    const principal = principalOf(claims);
    if ("error" in principal) return failure(400, principal.error);

    const content = request?.publicKeyRequest?.publicKey?.content;
    const proof = request?.publicKeyRequest?.proofOfPossession;
    // This stand-in speaks the public-key form sigstore-js sends; a CSR is refused rather than half-checked.
    if (typeof content !== "string" || typeof proof !== "string") return failure(400, "The public key supplied in the request could not be parsed");
    let publicKey: KeyObject;
    try {
      publicKey = createPublicKey(content);
    } catch {
      return failure(400, "The public key supplied in the request could not be parsed");
    }
    // challenges.CheckSignatureWithVerifier(verifier, proofOfPossession, principal.Name(ctx)): the token's subject, signed.
    if (!verify("sha256", Buffer.from(String(claims.sub)), publicKey, Buffer.from(proof, "base64"))) {
      return failure(400, "The signature supplied in the request could not be verified");
    }
    const der = publicKey.export({ type: "spki", format: "der" });
    const leaf = await ca.issueCertificate({ publicKey: der, subjectAltName: principal.san, extensions: principal.extensions });
    issued.push({ subjectAlternativeName: principal.san, issuer: String(claims.iss) });
    return {
      status: 201,
      body: { signedCertificateEmbeddedSct: { chain: { certificates: [toPem(bytes(leaf)), toPem(bytes(ca.rootCertificate))] } } },
    };
  }

  /** Rekor's createLogEntry for a proposed `dsse` 0.0.1 entry (sigstore/rekor pkg/types/dsse/v0.0.1/entry.go). */
  async function logEntry(text: string): Promise<Answer> {
    let proposed: any;
    try {
      proposed = JSON.parse(text);
    } catch {
      return failure(400, "invalid JSON body");
    }
    if (proposed?.kind !== "dsse" || proposed?.apiVersion !== "0.0.1") return failure(400, `this stand-in logs dsse 0.0.1 entries only, not ${proposed?.kind} ${proposed?.apiVersion}`);
    const content = proposed.spec?.proposedContent;
    if (typeof content?.envelope !== "string") return failure(400, "proposed content envelope is missing");
    let envelope: any;
    try {
      envelope = JSON.parse(content.envelope);
    } catch {
      return failure(400, "proposed content envelope is not JSON");
    }
    if (!Array.isArray(envelope.signatures) || envelope.signatures.length === 0) return failure(400, "DSSE envelope must contain 1 or more signatures");
    if (!Array.isArray(content.verifiers) || content.verifiers.length === 0) return failure(400, "an invalid null verifier was provided in ProposedContent");
    const payload = Buffer.from(String(envelope.payload ?? ""), "base64");
    const pae = preAuthEncoding(String(envelope.payloadType ?? ""), payload);
    // verifyEnvelope: every signature must verify with one of the verifiers; the verifier is stored in canonical PEM.
    const signatures: { signature: string; verifier: string }[] = [];
    for (const signature of envelope.signatures) {
      const verifier = (content.verifiers as string[]).map((v) => canonicalVerifier(v)).find((v) => v && verify("sha256", pae, v.key, Buffer.from(String(signature.sig), "base64")));
      if (!verifier) return failure(400, "could not verify envelope: all signatures must have a key that verifies it");
      signatures.push({ signature: String(signature.sig), verifier: Buffer.from(verifier.pem).toString("base64") });
    }
    signatures.sort((a, b) => (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0));
    const body = {
      apiVersion: "0.0.1",
      kind: "dsse",
      spec: {
        envelopeHash: { algorithm: "sha256", value: sha256(Buffer.from(content.envelope)) },
        payloadHash: { algorithm: "sha256", value: sha256(payload) },
        signatures,
      },
    };
    const key = sha256(Buffer.from(JSON.stringify(body)));
    const existing = seenBodies.get(key);
    // api/entries.go: an equivalent entry is a 409 Conflict pointing at the existing one.
    if (existing) return { ...failure(409, `an equivalent entry already exists in the transparency log with UUID ${existing}`), location: `/api/v1/log/entries/${existing}` };
    const entry = tlog.append(Buffer.from(canonicalJson(body)));
    seenBodies.set(key, entry.uuid);
    logged.push({ logIndex: entry.logIndex, body });
    return { status: 201, body: { [entry.uuid]: entry.response }, location: `/api/v1/log/entries/${entry.uuid}` };
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  tlog = transparencyLog(new URL(url).host, keys());

  const publicKeyEntry = (rawBytes: Buffer, baseUrl: string, keyId: Buffer) => ({
    baseUrl,
    hashAlgorithm: "SHA2_256",
    publicKey: { rawBytes: rawBytes.toString("base64"), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start: since.toISOString() } },
    logId: { keyId: keyId.toString("base64") },
  });
  const trustedRoot = () => ({
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [publicKeyEntry(tlog.publicKey, url, tlog.logId)],
    certificateAuthorities: [
      {
        subject: { organization: "sigstore.mock", commonName: "sigstore" },
        uri: url,
        certChain: { certificates: [{ rawBytes: bytes(ca.rootCertificate).toString("base64") }] },
        validFor: { start: since.toISOString() },
      },
    ],
    ctlogs: [publicKeyEntry(ctlog.publicKey, url, bytes(ctlog.logID))],
    timestampAuthorities: [],
  });

  return {
    url,
    fulcioUrl: url,
    rekorUrl: url,
    trustedRoot,
    writeTrustedRoot(path) {
      writeFileSync(path, JSON.stringify(trustedRoot(), null, 2));
      return path;
    },
    certificates: () => [...issued],
    entries: () => [...logged],
    requests: () => [...requestLog],
    injectFault(step, fault, times = 1) {
      faults.set(step, [...(faults.get(step) ?? []), { fault, remaining: times }]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface TransparencyLog {
  publicKey: Buffer;
  logId: Buffer;
  append(body: Buffer): { uuid: string; logIndex: number; response: Record<string, unknown> };
}

/**
 * Rekor's log: RFC 6962 leaf and node hashes, an inclusion proof against a signed checkpoint
 * (sigstore/rekor pkg/util/signed_note.go, checkpoint.go) and a signed entry timestamp over
 * the canonical {body, integratedTime, logID, logIndex} (pkg/api/entries.go). Other people's
 * entries come first, as in any public log, so no proof here is a trivial one-leaf tree.
 */
function transparencyLog(origin: string, keyPair: { publicKey: KeyObject; privateKey: KeyObject }): TransparencyLog {
  const publicKey = keyPair.publicKey.export({ type: "spki", format: "der" });
  const logId = createHash("sha256").update(publicKey).digest();
  const treeId = BigInt(`0x${randomBytes(6).toString("hex")}`);
  const leaves: Buffer[] = Array.from({ length: 5 + randomBytes(1)[0] % 11 }, () => leafHash(randomBytes(64)));
  return {
    publicKey,
    logId,
    append(body) {
      const logIndex = leaves.length;
      leaves.push(leafHash(body));
      const treeSize = leaves.length;
      const rootHash = merkleRoot(leaves);
      const integratedTime = Math.floor(Date.now() / 1000);
      const note = `${origin} - ${treeId}\n${treeSize}\n${rootHash.toString("base64")}\nTimestamp: ${BigInt(Date.now()) * 1_000_000n}\n`;
      const noteSignature = Buffer.concat([logId.subarray(0, 4), sign("sha256", Buffer.from(note), keyPair.privateKey)]);
      const set = { body: body.toString("base64"), integratedTime, logID: logId.toString("hex"), logIndex };
      return {
        uuid: leaves[logIndex].toString("hex"),
        logIndex,
        response: {
          ...set,
          verification: {
            signedEntryTimestamp: sign("sha256", Buffer.from(canonicalJson(set)), keyPair.privateKey).toString("base64"),
            inclusionProof: {
              logIndex,
              treeSize,
              rootHash: rootHash.toString("hex"),
              hashes: inclusionPath(logIndex, leaves).map((h) => h.toString("hex")),
              checkpoint: `${note}\n\u2014 ${origin} ${noteSignature.toString("base64")}\n`,
            },
          },
        },
      };
    },
  };
}

const leafHash = (data: Buffer) => createHash("sha256").update(Buffer.from([0])).update(data).digest();
const nodeHash = (left: Buffer, right: Buffer) => createHash("sha256").update(Buffer.from([1])).update(left).update(right).digest();
/** The largest power of two smaller than n (RFC 6962 section 2.1's k). */
const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1));

function merkleRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/** RFC 6962 section 2.1.1 PATH(m, D[n]), leaf first. */
function inclusionPath(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  return m < k ? [...inclusionPath(m, leaves.slice(0, k)), merkleRoot(leaves.slice(k))] : [...inclusionPath(m - k, leaves.slice(k)), merkleRoot(leaves.slice(0, k))];
}

/** RFC 8785 (JCS) for what Rekor canonicalizes here: objects with sorted keys, arrays, strings and integers. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

interface Principal {
  san: string;
  extensions: { oid: string; value: string; legacy?: boolean }[];
}

const OID = (n: number) => `1.3.6.1.4.1.57264.1.${n}`;

/**
 * The certificate identity Fulcio derives from a CI token: the SAN and the extensions of
 * certificate.Extensions.Render (sigstore/fulcio pkg/certificate/extensions.go; OIDs 1–6 are
 * the deprecated raw-string ones, the rest DER UTF8Strings; empty values are left out).
 */
function principalOf(claims: Record<string, any>): Principal | { error: string } {
  const need = (names: string[]) => names.find((name) => claims[name] === undefined || claims[name] === "" || claims[name] === 0);
  const extensions: Principal["extensions"] = [];
  const add = (n: number, value: unknown, legacy = false) => {
    if (value !== undefined && value !== "") extensions.push({ oid: OID(n), value: String(value), ...(legacy ? { legacy } : {}) });
  };
  if (claims.iss === GITHUB_ISSUER) {
    // github/principal.go WorkflowPrincipalFromIDToken: every one of these claims is required.
    const missing = need([
      "job_workflow_ref", "sha", "event_name", "repository", "workflow", "ref", "job_workflow_sha", "runner_environment",
      "repository_id", "repository_owner", "repository_owner_id", "repository_visibility", "workflow_ref", "workflow_sha", "run_id", "run_attempt",
    ]);
    if (missing) return { error: `missing ${missing} claim in ID token` };
    const github = (path: string) => `https://github.com/${path}`;
    add(1, claims.iss, true);
    add(2, claims.event_name, true);
    add(3, claims.sha, true);
    add(4, claims.workflow, true);
    add(5, claims.repository, true);
    add(6, claims.ref, true);
    add(8, claims.iss);
    add(9, github(claims.job_workflow_ref));
    add(10, claims.job_workflow_sha);
    add(11, claims.runner_environment);
    add(12, github(claims.repository));
    add(13, claims.sha);
    add(14, claims.ref);
    add(15, claims.repository_id);
    add(16, github(claims.repository_owner));
    add(17, claims.repository_owner_id);
    add(18, github(claims.workflow_ref));
    add(19, claims.workflow_sha);
    add(20, claims.event_name);
    add(21, github(`${claims.repository}/actions/runs/${claims.run_id}/attempts/${claims.run_attempt}`));
    add(22, claims.repository_visibility);
    add(24, claims.sub);
    return { san: github(claims.job_workflow_ref), extensions };
  }
  if (claims.iss === GITLAB_ISSUER) {
    // gitlabcom/principal.go JobPrincipalFromIDToken.
    const missing = need(["project_path", "pipeline_source", "pipeline_id", "ci_config_ref_uri", "job_id", "ref", "ref_type", "namespace_path", "namespace_id", "project_id", "sha", "runner_environment", "runner_id"]);
    if (missing) return { error: `missing ${missing} claim in ID token` };
    if (claims.ref_type !== "branch" && claims.ref_type !== "tag") return { error: `unexpected ref_type: ${claims.ref_type}` };
    const ref = `refs/${claims.ref_type === "branch" ? "heads" : "tags"}/${claims.ref}`;
    const config = `https://${claims.ci_config_ref_uri}`;
    const gitlab = (path: string) => `https://gitlab.com/${path}`;
    add(8, claims.iss);
    add(9, config);
    add(10, claims.ci_config_sha);
    add(11, claims.runner_environment);
    add(12, gitlab(claims.project_path));
    add(13, claims.sha);
    add(14, ref);
    add(15, claims.project_id);
    add(16, gitlab(claims.namespace_path));
    add(17, claims.namespace_id);
    add(18, config);
    add(19, claims.ci_config_sha);
    add(20, claims.pipeline_source);
    add(21, gitlab(`${claims.project_path}/-/jobs/${claims.job_id}`));
    add(22, claims.project_visibility);
    add(24, claims.sub);
    return { san: config, extensions };
  }
  return { error: `unsupported issuer: ${claims.iss}` };
}

/** DSSE's pre-authentication encoding (github.com/secure-systems-lab/dsse protocol.md), what the signatures sign. */
function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** A proposed verifier (base64 of a PEM certificate or key) as Rekor stores it: re-encoded PEM (key.CanonicalValue()). */
function canonicalVerifier(base64: string): { key: KeyObject; pem: string } | undefined {
  const text = Buffer.from(base64, "base64").toString("utf8");
  try {
    if (text.includes("CERTIFICATE")) {
      const cert = new X509Certificate(text);
      return { key: cert.publicKey, pem: toPem(cert.raw) };
    }
    const key = createPublicKey(text);
    return { key, pem: toPem(key.export({ type: "spki", format: "der" }), "PUBLIC KEY") };
  } catch {
    return undefined;
  }
}

/** PEM as Go's pem.EncodeToMemory writes it: 64-column base64 and a final newline. */
function toPem(der: Buffer, label = "CERTIFICATE"): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

const bytes = (view: ArrayBufferView) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

function send(res: ServerResponse, answer: Answer) {
  res.statusCode = answer.status;
  res.setHeader("content-type", "application/json");
  if (answer.location) res.setHeader("location", answer.location);
  res.end(JSON.stringify(answer.body));
}

