import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate } from "@sigstore/core";
import { maskInActions } from "../ci.js";
import { getError } from "../errors.js";
import { mask } from "../exec.js";
import { fetchIdentityToken, type SigstoreIdentity } from "./identity.js";
import type { ProvenanceOptions } from "./options.js";
import { IN_TOTO_PAYLOAD_TYPE, logIndexOf, type BundleJson, type Statement } from "./statement.js";

type Env = Record<string, string | undefined>;

/** What a signature says about itself: where it is logged and whose it is. */
export interface SignatureFacts {
  /** Rekor's log index of the entry. */
  logIndex?: number;
  /** The certificate's identity (its URI SAN): the workflow or CI config that signed. */
  signer?: string;
  /** The OIDC issuer Fulcio recorded (extension 1.3.6.1.4.1.57264.1.8). */
  issuer?: string;
}

export interface Signer {
  identity: SigstoreIdentity;
  /** The ID token's claims (the workflow, commit and run the provenance describes); the token itself stays inside. */
  claims: Record<string, any>;
  /** Sign an in-toto statement: a DSSE envelope, a Fulcio certificate, a Rekor entry, as one bundle. */
  sign(statement: Statement): Promise<BundleJson>;
  facts(bundle: BundleJson): SignatureFacts;
  /** Values that must never be printed (the ID token). */
  secrets: string[];
}

/**
 * A signer for one step: one ID token (GitHub's live ~5 minutes, so each step that signs
 * asks for its own), an ephemeral key and Fulcio certificate per statement, one Rekor entry
 * each. The token is masked in GitHub Actions the moment it arrives and never logged.
 */
export async function openSigner(options: ProvenanceOptions, identity: SigstoreIdentity, env: Env, write: (text: string) => void): Promise<Signer> {
  const secrets: string[] = [];
  // sigstore is loaded only when signing (TUF, protobuf and HTTP clients a run without provenance never needs), while the token is on its way.
  const [token, { attest, createVerifier }] = await Promise.all([
    fetchIdentityToken(identity, env, options.retry, (secret) => {
      secrets.push(secret);
      maskInActions(secret, env, write);
    }),
    import("sigstore"),
  ]);
  const { attempts, delayMs, timeoutMs } = options.retry;
  // sigstore-js retries 408, 429, 5xx and network failures itself (@sigstore/sign external/fetch.js).
  const retry = { retries: attempts - 1, factor: 2, minTimeout: delayMs, maxTimeout: delayMs * 8 };
  const claims = jwtClaims(token);
  let verifier: ReturnType<typeof createVerifier> | undefined;
  /** The instance's trusted root, from its TUF mirror, once (concurrent signatures share it): what PyPI and every verifier check the signatures against. */
  const checker = () => (verifier ??= loadVerifier());
  const loadVerifier = async () => {
    const cache = await mkdtemp(join(tmpdir(), "pyrelease-tuf-"));
    try {
      return await createVerifier({
        tufMirrorURL: options.tufMirrorUrl,
        tufRootPath: options.tufRootPath,
        tufCachePath: cache,
        certificateIssuer: typeof claims.iss === "string" ? claims.iss : undefined,
        certificateIdentityURI: expectedSigner(claims),
        retry,
        timeout: timeoutMs,
      });
    } catch (error) {
      throw getError("EPROVENANCE", { problem: "trust", url: options.tufMirrorUrl, reason: mask((error as Error).message, secrets) });
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  };
  return {
    identity,
    claims,
    secrets,
    async sign(statement) {
      let bundle: BundleJson;
      try {
        bundle = (await attest(Buffer.from(JSON.stringify(statement)), IN_TOTO_PAYLOAD_TYPE, {
          fulcioURL: options.fulcioUrl,
          rekorURL: options.rekorUrl,
          identityToken: token,
          retry,
          timeout: timeoutMs,
        })) as unknown as BundleJson;
      } catch (error) {
        throw signingError(error, options, statement, secrets);
      }
      // Never write or push a signature the instance's own trust root refuses: PyPI would refuse it after the tag.
      const check = await checker();
      try {
        check.verify(bundle as never);
      } catch (error) {
        throw getError("EPROVENANCE", { problem: "verify", subject: statement.subject.map((s) => s.name).join(", "), url: options.tufMirrorUrl, reason: mask((error as Error).message, secrets) });
      }
      return bundle;
    },
    facts: signatureFacts,
  };
}

/** Pure: the certificate identity Fulcio gives this CI token (fulcio pkg/identity/github and gitlabcom principal.go). */
export function expectedSigner(claims: Record<string, any>): string | undefined {
  if (typeof claims.job_workflow_ref === "string") return `https://github.com/${claims.job_workflow_ref}`;
  if (typeof claims.ci_config_ref_uri === "string") return `https://${claims.ci_config_ref_uri}`;
  return undefined;
}

/** A JWT's payload, read without checking it: Fulcio checks the token; this only describes the run it names. */
function jwtClaims(jwt: string): Record<string, any> {
  try {
    return JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString("utf8"));
  } catch {
    return {};
  }
}

/** EPROVENANCE for a failed signature: which service, what it said (token masked). */
function signingError(error: unknown, options: ProvenanceOptions, statement: Statement, secrets: string[]): Error {
  const code = (error as { code?: string }).code;
  const cause = (error as { cause?: { message?: string } }).cause?.message;
  const reason = mask([(error as Error).message, cause && !(error as Error).message.includes(cause) ? cause : ""].filter(Boolean).join(": "), secrets);
  const subject = statement.subject.map((s) => s.name).join(", ");
  if (code === "CA_CREATE_SIGNING_CERTIFICATE_ERROR") return getError("EPROVENANCE", { problem: "fulcio", url: options.fulcioUrl, reason, subject, attempts: options.retry.attempts });
  if (code === "TLOG_CREATE_ENTRY_ERROR") return getError("EPROVENANCE", { problem: "rekor", url: options.rekorUrl, reason, subject, attempts: options.retry.attempts });
  return getError("EPROVENANCE", { problem: "sign", reason, subject });
}

/** Pure: the log index, and the identity and issuer the certificate names. */
export function signatureFacts(bundle: BundleJson): SignatureFacts {
  const facts: SignatureFacts = { logIndex: logIndexOf(bundle.verificationMaterial.tlogEntries[0]) };
  const raw = bundle.verificationMaterial.certificate?.rawBytes;
  if (!raw) return facts;
  try {
    const certificate = X509Certificate.parse(Buffer.from(raw, "base64"));
    facts.signer = certificate.subjectAltName;
    facts.issuer = utf8String(certificate.extension(ISSUER_V2)?.value);
  } catch {
    // An unreadable certificate: the verifiers will say why; here it only goes unnamed.
  }
  return facts;
}

/** Fulcio's OIDC issuer extension (sigstore/fulcio pkg/certificate/extensions.go, OIDIssuerV2). */
const ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";

/** A DER UTF8String's text (tag 0x0c, short or long length form). */
function utf8String(der: Buffer | undefined): string | undefined {
  if (!der || der[0] !== 0x0c) return undefined;
  const long = der[1] & 0x80 ? der[1] & 0x7f : 0;
  const length = long ? der.subarray(2, 2 + long).reduce((n, byte) => n * 256 + byte, 0) : der[1];
  return der.subarray(2 + long, 2 + long + length).toString("utf8");
}
