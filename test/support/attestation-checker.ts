import { X509Certificate } from "@sigstore/core";
import { bundleFromJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toSignedEntity, toTrustMaterial, Verifier } from "@sigstore/verify";
import { fromPep740, pep740Problem, PYPI_PUBLISH_PREDICATE, SLSA_PROVENANCE_PREDICATE, type Pep740Attestation, type Statement } from "../../src/provenance/statement.js";
import { parseDistFilename } from "../../src/pypi/dists.js";
import { normalizeDistName } from "../../src/pyproject/read.js";
import { samePep440 } from "../../src/version/pep440.js";

/**
 * What PyPI does with the `attestations` field of an upload, for the PyPI stand-in:
 * warehouse/attestations/services.py (`_extract_attestations_from_request`,
 * `IntegrityService.parse_attestations`) around pypi-attestations' `Attestation.verify`
 * (pypi_attestations/_impl.py), with the test trusted root in place of Sigstore's production one.
 */

export interface AttestationUpload {
  /** The raw form field: a JSON list of PEP 740 attestation objects. */
  attestations: string;
  filename: string;
  /** sha256 of the uploaded bytes, as the index computed it. */
  sha256: string;
  /** The trusted publisher whose token authenticated the upload; undefined for an API-token upload. */
  publisher?: { kind: "github" | "gitlab"; repository: string; workflow: string };
}

export type AttestationCheck = (upload: AttestationUpload) => Promise<{ ok: true; attestations: Pep740Attestation[] } | { ok: false; reason: string }>;

/** services.py SUPPORTED_ATTESTATION_TYPES. */
const SUPPORTED = [PYPI_PUBLISH_PREDICATE, SLSA_PROVENANCE_PREDICATE];
const OID = (n: number) => `1.3.6.1.4.1.57264.1.${n}`;

export function attestationChecker(trustedRoot: Record<string, unknown>): AttestationCheck {
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), { tlogThreshold: 1, ctlogThreshold: 1 });
  return async (upload) => {
    // _extract_attestations_from_request: Trusted Publishing only.
    if (!upload.publisher) return { ok: false, reason: "Attestations are only supported when using Trusted Publishing" };
    let list: unknown;
    try {
      list = JSON.parse(upload.attestations);
    } catch (error) {
      return { ok: false, reason: `Malformed attestations: ${(error as Error).message}` };
    }
    if (!Array.isArray(list)) return { ok: false, reason: "Malformed attestations: Input should be a valid list" };
    const shapes = list.map(pep740Problem).filter(Boolean);
    if (shapes.length) return { ok: false, reason: `Malformed attestations: ${shapes.join("; ")}` };
    if (list.length === 0) return { ok: false, reason: "Malformed attestations: an empty attestation set is not permitted" };
    if (list.length > SUPPORTED.length) return { ok: false, reason: `A maximum of ${SUPPORTED.length} attestations per file are supported` };

    const seen = new Set<string>();
    for (const attestation of list as Pep740Attestation[]) {
      let predicateType: string;
      try {
        predicateType = verify(verifier, attestation, upload);
      } catch (error) {
        return { ok: false, reason: `Could not verify the uploaded artifact using the included attestation: Verification failed: ${(error as Error).message}` };
      }
      if (!SUPPORTED.includes(predicateType)) return { ok: false, reason: `Attestation with unsupported predicate type: ${predicateType}` };
      if (seen.has(predicateType)) return { ok: false, reason: `Multiple attestations for the same file with the same predicate type (${predicateType}) are not supported` };
      seen.add(predicateType);
    }
    return { ok: true, attestations: list as Pep740Attestation[] };
  };
}

/** Attestation.verify: the Sigstore bundle against the root and the publisher's policy, then the statement against the file. Returns the predicate type. */
function verify(verifier: Verifier, attestation: Pep740Attestation, upload: AttestationUpload): string {
  const bundle = fromPep740(attestation);
  verifier.verify(toSignedEntity(bundleFromJSON(bundle)));
  checkPublisher(Buffer.from(attestation.verification_material.certificate, "base64"), upload.publisher!);

  const statement = JSON.parse(Buffer.from(attestation.envelope.statement, "base64").toString("utf8")) as Statement;
  if (!Array.isArray(statement.subject) || statement.subject.length !== 1) throw new Error("too many subjects in statement (must be exactly one)");
  const [subject] = statement.subject;
  if (!subject.name) throw new Error("invalid subject: missing name");
  if (!sameDistribution(subject.name, upload.filename)) throw new Error(`subject does not match distribution name: ${subject.name} != ${upload.filename}`);
  if (subject.digest?.sha256 !== upload.sha256) throw new Error("subject does not match distribution digest");
  if (!SUPPORTED.includes(statement.predicateType)) throw new Error(`unknown attestation type: ${statement.predicateType}`);
  return statement.predicateType;
}

/**
 * `_GitHubTrustedPublisherPolicy` / `_GitLabTrustedPublisherPolicy`: the issuer, the source
 * repository, and a build config URI of exactly `<repo>/<workflow>@<digest or ref>`.
 */
function checkPublisher(der: Buffer<ArrayBuffer>, publisher: NonNullable<AttestationUpload["publisher"]>) {
  const certificate = X509Certificate.parse(der);
  // Fulcio writes these extensions as DER UTF8Strings (tag 0x0c; a length of 128 or more takes the long form).
  const text = (n: number) => {
    const value = certificate.extension(OID(n))?.value;
    if (!value || value[0] !== 0x0c) return undefined;
    const long = value[1] & 0x80 ? value[1] & 0x7f : 0;
    return value.subarray(2 + long).toString("utf8");
  };
  const [issuer, base, path] =
    publisher.kind === "github"
      ? ["https://token.actions.githubusercontent.com", `https://github.com/${publisher.repository}`, `/.github/workflows/${publisher.workflow}`]
      : ["https://gitlab.com", `https://gitlab.com/${publisher.repository}`, `//${publisher.workflow}`];
  if (text(8) !== issuer) throw new Error(`Certificate's OIDC issuer (${text(8)}) does not match ${issuer}`);
  if (text(12) !== base) throw new Error(`Certificate's source repository URI (${text(12)}) does not match ${base}`);
  const suffixes = [text(13), text(14)].filter(Boolean);
  if (!suffixes.length) throw new Error("Certificate must contain either Source Repository Digest or Source Repository Ref");
  if (!suffixes.some((suffix) => text(18) === `${base}${path}@${suffix}`)) {
    throw new Error(`Certificate's Build Config URI (${text(18)}) does not match expected Trusted Publisher (${publisher.workflow} @ ${publisher.repository})`);
  }
}

/** `_check_dist_filename` on both names, compared parsed (normalized name and version, same wheel tags). */
function sameDistribution(a: string, b: string): boolean {
  const [pa, pb] = [parseDistFilename(a), parseDistFilename(b)];
  if (!pa || !pb || pa.kind !== pb.kind) return false;
  const tags = (name: string) => (name.endsWith(".whl") ? name.slice(0, -4).split("-").slice(2).join("-") : "");
  return normalizeDistName(pa.name) === normalizeDistName(pb.name) && samePep440(pa.version, pb.version) && tags(a) === tags(b);
}
