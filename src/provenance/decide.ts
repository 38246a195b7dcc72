import type { SigningFailure } from "../errors.js";
import { normalizePep440, pep440AtLeast } from "../version/pep440.js";
import { describeIdentity, type SigstoreIdentity } from "./identity.js";
import type { ProvenanceOptions } from "./options.js";

/** twine learned `upload --attestations` in 5.1.0 (twine changelog, 5.1.0: "Add --attestations"). */
export const TWINE_ATTESTATIONS = "5.1.0";

export interface ProvenanceFacts {
  options: ProvenanceOptions;
  identity: SigstoreIdentity | undefined;
  dryRun: boolean;
}

export type Verdict =
  | { sign: true; identity: SigstoreIdentity; line: string }
  | { sign: false; line: string; warn: boolean; error?: SigningFailure };

const where = (options: ProvenanceOptions) => new URL(options.fulcioUrl).host;

/**
 * Pure: whether images get signed provenance, and the one line that says so. Under `auto`
 * a missing identity turns provenance off with a reason; under `true` it is an error (a
 * warning in a dry run, which never signs).
 */
export function imageVerdict({ options, identity, dryRun }: ProvenanceFacts): Verdict {
  if (options.enabled === false) return { sign: false, warn: false, line: "Provenance: off (provenance.enabled is false)" };
  if (!identity) {
    const why = "no OIDC identity to sign with (GitHub Actions: `permissions: id-token: write`; GitLab: an `id_tokens` entry SIGSTORE_ID_TOKEN with `aud: sigstore`)";
    if (options.enabled === true) {
      return dryRun ? { sign: false, warn: true, line: `Provenance: ${why} (dry run: nothing is signed, so this is only a warning)` } : { sign: false, warn: true, line: `Provenance: ${why}`, error: { problem: "no-identity" } };
    }
    return { sign: false, warn: false, line: `Provenance: off: ${why}` };
  }
  return { sign: true, identity, line: `Provenance: signed with Sigstore (${where(options)}) as ${describeIdentity(identity)}` };
}

/**
 * Pure: whether the dists get PEP 740 attestations. Besides an identity, uploading them
 * needs twine >= 5.1: under `true` an older twine is an error naming it, under `auto` a
 * warning and an unsigned upload. Never a silent downgrade.
 */
export function distVerdict(facts: ProvenanceFacts & { twineVersion?: string; uploads: boolean }): Verdict {
  const verdict = imageVerdict(facts);
  if (!verdict.sign || !facts.uploads || !facts.twineVersion || !tooOld(facts.twineVersion)) {
    return verdict.sign ? { ...verdict, line: `${verdict.line}: a PEP 740 attestation for every file` } : verdict;
  }
  const why = `twine ${facts.twineVersion} cannot upload attestations (twine ${TWINE_ATTESTATIONS} or newer can)`;
  if (facts.options.enabled === true) {
    return facts.dryRun
      ? { sign: false, warn: true, line: `Provenance: ${why} (dry run: only a warning)` }
      : { sign: false, warn: true, line: `Provenance: ${why}`, error: { problem: "old-twine", twineVersion: facts.twineVersion } };
  }
  return { sign: false, warn: true, line: `Provenance: ${why}; the files are uploaded without attestations (provenance.enabled is "auto")` };
}

/** Pure: a twine too old for `--attestations`; an unreadable version is not judged. */
export function tooOld(twineVersion: string): boolean {
  return normalizePep440(twineVersion) !== null && !pep440AtLeast(twineVersion, TWINE_ATTESTATIONS);
}
