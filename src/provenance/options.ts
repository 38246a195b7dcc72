import type { ConfigProblem } from "../config/problem.js";
import { readChoice, readRetry, readServiceUrl, readUnknownKeys } from "../config/fields.js";
import type { Attempts } from "../http.js";

export type ProvenanceMode = "auto" | true | false;

/** Tries of every Sigstore request (ID token, Fulcio, Rekor, TUF), and how long one may take. */
export interface ProvenanceRetry extends Attempts {
  timeoutMs: number;
}

export interface ProvenanceOptions {
  /** `auto`: sign wherever an OIDC identity exists; `true`: a missing identity is an error; `false`: never sign. */
  enabled: ProvenanceMode;
  fulcioUrl: string;
  rekorUrl: string;
  /** The TUF repository that distributes the instance's trusted root: every signature is checked against it before anything is written or pushed. */
  tufMirrorUrl: string;
  /** The mirror's initial root.json, for a mirror other than Sigstore's public-good and staging ones (sigstore-js carries those). */
  tufRootPath?: string;
  /** `docker buildx bake` attestations per image (`--attest` values); BuildKit's own, unsigned, stored in the image index. */
  buildxAttest: string[];
  retry: ProvenanceRetry;
}

/** Sigstore's public-good instance (sigstore/sigstore-js @sigstore/sign DEFAULT_FULCIO_URL, DEFAULT_REKOR_URL; @sigstore/tuf DEFAULT_MIRROR_URL). */
export const PUBLIC_GOOD = {
  fulcioUrl: "https://fulcio.sigstore.dev",
  rekorUrl: "https://rekor.sigstore.dev",
  tufMirrorUrl: "https://tuf-repo-cdn.sigstore.dev",
};

/** SLSA provenance with every build argument (mode=max) and an SBOM, as docker/build-push-action users ask for. */
export const DEFAULT_BUILDX_ATTEST = ["type=provenance,mode=max", "type=sbom"];

export const DEFAULT_PROVENANCE_OPTIONS: ProvenanceOptions = {
  enabled: "auto",
  ...PUBLIC_GOOD,
  buildxAttest: DEFAULT_BUILDX_ATTEST,
  retry: { attempts: 3, delayMs: 1_000, timeoutMs: 30_000 },
};

const KEYS = ["enabled", "fulcioUrl", "rekorUrl", "tufMirrorUrl", "tufRootPath", "buildxAttest", "retry"];
const ATTEST = /^type=(provenance|sbom)(,[a-z-]+=[^,]+)*$/;

/** Pure: the `provenance` options with defaults, and every problem with them. */
export function readProvenanceOptions(config: { provenance?: unknown }): { options: ProvenanceOptions; problems: ConfigProblem[] } {
  const raw = config.provenance ?? {};
  const options: ProvenanceOptions = { ...DEFAULT_PROVENANCE_OPTIONS, retry: { ...DEFAULT_PROVENANCE_OPTIONS.retry } };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { options, problems: [{ key: "provenance", reason: "must be an object" }] };
  const given = raw as Record<string, unknown>;
  const problems: ConfigProblem[] = [];

  options.enabled = readChoice<ProvenanceMode, ProvenanceMode>("provenance", given, "enabled", ["auto", true, false], options.enabled, problems);
  for (const key of ["fulcioUrl", "rekorUrl", "tufMirrorUrl"] as const) {
    if (given[key] !== undefined) options[key] = readServiceUrl(`provenance.${key}`, given[key], problems)?.replace(/\/+$/, "") ?? options[key];
  }
  if (given.tufRootPath !== undefined) {
    if (typeof given.tufRootPath === "string" && given.tufRootPath.trim()) options.tufRootPath = given.tufRootPath;
    else problems.push({ key: "provenance.tufRootPath", reason: "must be the path of the mirror's root.json" });
  }
  if (given.buildxAttest !== undefined) {
    if (!Array.isArray(given.buildxAttest) || !given.buildxAttest.every((a) => typeof a === "string")) problems.push({ key: "provenance.buildxAttest", reason: 'must be an array of --attest values, e.g. ["type=provenance,mode=max", "type=sbom"], or []' });
    else {
      const bad = given.buildxAttest.filter((a) => !ATTEST.test(a));
      if (bad.length) problems.push({ key: "provenance.buildxAttest", reason: `${bad.map((a) => JSON.stringify(a)).join(", ")}: each is type=provenance or type=sbom with key=value options` });
      else options.buildxAttest = given.buildxAttest as string[];
    }
  } else if (options.enabled === false) {
    options.buildxAttest = [];
  }
  options.retry = readRetry("provenance", given, DEFAULT_PROVENANCE_OPTIONS.retry, problems);
  readUnknownKeys("provenance", given, KEYS, problems);
  return { options, problems };
}
