import { readFile, writeFile } from "node:fs/promises";
import type { Logger } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { ATTESTATION_SUFFIX, attestationPath, type DistFile } from "../pypi/dists.js";
import { signatureFacts, type SignatureFacts, type Signer } from "./sign.js";
import { attestedStatement, distStatement, fromPep740, pep740Problem, PYPI_PUBLISH_PREDICATE, toPep740, type Pep740Attestation } from "./statement.js";

export interface DistAttestation extends SignatureFacts {
  filename: string;
  /** The attestation file's name, beside the dist. */
  attestation: string;
}

/** Pure: why `attestation` is not the publish attestation of `file`, or undefined when it is. */
export function attestationMismatch(attestation: unknown, file: Pick<DistFile, "filename" | "sha256">): string | undefined {
  const shape = pep740Problem(attestation);
  if (shape) return `not a PEP 740 attestation: ${shape}`;
  const statement = attestedStatement(attestation as Pep740Attestation);
  if (!statement) return "its statement is not JSON";
  if (statement.predicateType !== PYPI_PUBLISH_PREDICATE) return `predicate ${statement.predicateType}, not ${PYPI_PUBLISH_PREDICATE}`;
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  if (subjects.length !== 1) return `${subjects.length} subjects, not one`;
  const [subject] = subjects;
  if (subject.name !== file.filename) return `it attests ${subject.name}`;
  if (subject.digest?.sha256 !== file.sha256) return `it attests sha256 ${subject.digest?.sha256}, the file has ${file.sha256}`;
  return undefined;
}

/** The attestation beside `file`, parsed; `missing` when there is none, `mismatch` when it attests other bytes. */
export async function readAttestation(file: DistFile): Promise<{ state: "missing" } | { state: "mismatch"; reason: string } | { state: "ok"; attestation: Pep740Attestation }> {
  let text: string;
  try {
    text = await readFile(attestationPath(file.path), "utf8");
  } catch {
    return { state: "missing" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { state: "mismatch", reason: "not JSON" };
  }
  const reason = attestationMismatch(parsed, file);
  return reason ? { state: "mismatch", reason } : { state: "ok", attestation: parsed as Pep740Attestation };
}

function describe(file: DistFile, attestation: Pep740Attestation): DistAttestation {
  return { filename: file.filename, attestation: `${file.filename}${ATTESTATION_SUFFIX}`, ...signatureFacts(fromPep740(attestation)) };
}

/**
 * Sign once: every dist gets `<dist>.publish.attestation` beside it, unless one that attests
 * exactly its name and sha256 is already there (a rerun, or a resume that fetched the
 * original from the draft release). A stale one (other bytes) is replaced.
 */
export async function attestDists(files: readonly DistFile[], signer: Signer, logger: Pick<Logger, "log" | "warn">): Promise<DistAttestation[]> {
  const existing = await Promise.all(files.map(readAttestation));
  // The files are signed at once: each is its own certificate and log entry, and the round trips dominate.
  // Every signature is waited for, so a failure leaves nothing running behind it, and every failure is reported.
  const settled = await Promise.allSettled(
    files.map(async (file, i) => {
      const found = existing[i];
      if (found.state === "ok") return found.attestation;
      return toPep740(await signer.sign(distStatement(file.filename, file.sha256)));
    }),
  );
  throwAll(settled.flatMap((result) => (result.status === "rejected" ? [result.reason as Error] : [])));
  const signed = settled.map((result) => (result as PromiseFulfilledResult<Pep740Attestation>).value);
  const made: DistAttestation[] = [];
  for (const [i, file] of files.entries()) {
    const found = existing[i];
    const facts = describe(file, signed[i]);
    if (found.state === "ok") logger.log("%s already has its attestation %s: not signing again", file.filename, facts.attestation);
    else {
      if (found.state === "mismatch") logger.warn("%s%s did not attest this build (%s): signed anew", file.filename, ATTESTATION_SUFFIX, found.reason);
      await writeFile(attestationPath(file.path), `${JSON.stringify(signed[i])}\n`);
      logger.log("Signed %s: %s, Rekor log index %s, as %s", file.filename, facts.attestation, facts.logIndex ?? "?", facts.signer ?? "?");
    }
    made.push(facts);
  }
  return made;
}

/**
 * The attestations to upload with `files`: all of them, or none. A dist whose attestation
 * attests other bytes, or a set where only some files have one, is EPROVENANCE: PyPI would
 * refuse the first, and the second would publish part of a release unsigned for good.
 */
export async function uploadableAttestations(files: readonly DistFile[]): Promise<{ paths: string[]; attestations: DistAttestation[] }> {
  const found = await Promise.all(files.map(async (file) => ({ file, read: await readAttestation(file) })));
  const stale = found.flatMap(({ file, read }) => (read.state === "mismatch" ? [`${file.filename}${ATTESTATION_SUFFIX}: ${read.reason}`] : []));
  if (stale.length) throw getError("EPROVENANCE", { problem: "stale", files: stale });
  const present = found.filter(({ read }) => read.state === "ok");
  if (present.length === 0) return { paths: [], attestations: [] };
  if (present.length < files.length) {
    throw getError("EPROVENANCE", { problem: "partial", files: found.filter(({ read }) => read.state === "missing").map(({ file }) => file.filename) });
  }
  return {
    paths: files.map((file) => attestationPath(file.path)),
    attestations: present.map(({ file, read }) => describe(file, (read as { attestation: Pep740Attestation }).attestation)),
  };
}
