/**
 * Pure: the in-toto v1 statements this package signs, and the PEP 740 attestation object a
 * Sigstore bundle becomes.
 */

export const IN_TOTO_STATEMENT = "https://in-toto.io/Statement/v1";
/** DSSE payload type of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json";
/** docs.pypi.org/attestations/publish/v1: no schema; the predicate is empty or null. */
export const PYPI_PUBLISH_PREDICATE = "https://docs.pypi.org/attestations/publish/v1";
export const SLSA_PROVENANCE_PREDICATE = "https://slsa.dev/provenance/v1";

export interface Statement {
  _type: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: Record<string, unknown> | null;
}

/** The PyPI publish attestation of one distribution file: subject = its file name and sha256. */
export function distStatement(filename: string, sha256: string): Statement {
  return { _type: IN_TOTO_STATEMENT, subject: [{ name: filename, digest: { sha256 } }], predicateType: PYPI_PUBLISH_PREDICATE, predicate: null };
}

/** A Sigstore bundle (v0.3, DSSE) in its JSON form, the parts read here. */
export interface BundleJson {
  mediaType: string;
  verificationMaterial: {
    certificate?: { rawBytes: string };
    tlogEntries: { logIndex: string; integratedTime?: string; [key: string]: unknown }[];
    [key: string]: unknown;
  };
  dsseEnvelope?: { payload: string; payloadType: string; signatures: { sig: string; keyid?: string }[] };
}

/** PEP 740's attestation object (peps.python.org/pep-0740/#attestation-objects). */
export interface Pep740Attestation {
  version: 1;
  verification_material: { certificate: string; transparency_entries: Record<string, unknown>[] };
  envelope: { statement: string; signature: string };
}

export const BUNDLE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

/**
 * A bundle as PEP 740 writes it, the conversion pypi-attestations documents
 * (`Attestation.from_bundle`): the leaf certificate, the log entry, and the envelope's
 * statement and one signature, all base64 as in the bundle.
 */
export function toPep740(bundle: BundleJson): Pep740Attestation {
  const certificate = bundle.verificationMaterial.certificate?.rawBytes;
  if (!certificate) throw new Error("the bundle carries no single signing certificate (a v0.3 bundle does)");
  if (!bundle.dsseEnvelope) throw new Error("the bundle does not contain a DSSE envelope");
  if (bundle.dsseEnvelope.signatures.length !== 1) throw new Error(`expected exactly one signature, got ${bundle.dsseEnvelope.signatures.length}`);
  const [entry] = bundle.verificationMaterial.tlogEntries;
  if (!entry) throw new Error("the bundle has no transparency log entry");
  return {
    version: 1,
    verification_material: { certificate, transparency_entries: [entry] },
    envelope: { statement: bundle.dsseEnvelope.payload, signature: bundle.dsseEnvelope.signatures[0].sig },
  };
}

/** The inverse (`Attestation.to_bundle`): what Sigstore verifiers take. */
export function fromPep740(attestation: Pep740Attestation): BundleJson {
  return {
    mediaType: BUNDLE_V03,
    verificationMaterial: {
      certificate: { rawBytes: attestation.verification_material.certificate },
      tlogEntries: [attestation.verification_material.transparency_entries[0] as BundleJson["verificationMaterial"]["tlogEntries"][0]],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: { payload: attestation.envelope.statement, payloadType: IN_TOTO_PAYLOAD_TYPE, signatures: [{ sig: attestation.envelope.signature, keyid: "" }] },
  };
}

/** Why `value` is not a PEP 740 attestation object, or undefined when it is one (shape only). */
export function pep740Problem(value: unknown): string | undefined {
  const v = value as Record<string, any> | null;
  if (!v || typeof v !== "object") return "not a JSON object";
  if (v.version !== 1) return "version must be 1";
  const material = v.verification_material;
  if (!material || typeof material.certificate !== "string") return "verification_material.certificate is missing";
  if (!Array.isArray(material.transparency_entries) || material.transparency_entries.length < 1) return "verification_material.transparency_entries needs at least one entry";
  if (!v.envelope || typeof v.envelope.statement !== "string" || typeof v.envelope.signature !== "string") return "envelope.statement and envelope.signature are required";
  return undefined;
}

/** The statement inside a PEP 740 attestation, or undefined when it is not JSON. */
export function attestedStatement(attestation: Pep740Attestation): Statement | undefined {
  try {
    return JSON.parse(Buffer.from(attestation.envelope.statement, "base64").toString("utf8")) as Statement;
  } catch {
    return undefined;
  }
}

/** The log entry's index, as a number (the JSON form carries int64 as a string). */
export function logIndexOf(entry: { logIndex?: string | number } | undefined): number | undefined {
  const index = Number(entry?.logIndex);
  return Number.isSafeInteger(index) ? index : undefined;
}
