import { clean, eq, gte, valid } from "@renovatebot/pep440";
import { getError } from "../errors.js";
import { parseSemver } from "./semver.js";

/** Semver prerelease identifier → PEP 440 prerelease kind. Anything else is refused (EPRERELEASEID). */
const PRERELEASE_KINDS: Record<string, "a" | "b" | "rc" | ".dev"> = {
  alpha: "a",
  a: "a",
  beta: "b",
  b: "b",
  rc: "rc",
  c: "rc",
  pre: "rc",
  preview: "rc",
  dev: ".dev",
};

export type Conversion =
  | { ok: true; pep440: string }
  | { ok: false; reason: "not-semver" | "build-metadata" | "prerelease-id" | "prerelease-shape"; identifier?: string };

/** The PEP 440 kind a semver prerelease identifier maps to, or undefined when it has none. */
export function prereleaseKind(identifier: string): string | undefined {
  return PRERELEASE_KINDS[identifier.toLowerCase()];
}

/**
 * `1.2.0-rc.1` → `1.2.0rc1`, `-beta.3` → `b3`, `-alpha.1` → `a1`, `-dev.0` → `.dev0`.
 * Build metadata and identifiers PyPI has no word for are refused, never guessed.
 */
export function semverToPep440(version: string): Conversion {
  const parsed = parseSemver(version.trim());
  if (!parsed) return { ok: false, reason: "not-semver" };
  if (parsed.build.length) return { ok: false, reason: "build-metadata" };
  const release = `${parsed.major}.${parsed.minor}.${parsed.patch}`;
  if (!parsed.prerelease.length) return { ok: true, pep440: release };
  const [identifier, number = 0, ...rest] = parsed.prerelease;
  const kind = prereleaseKind(String(identifier));
  if (!kind) return { ok: false, reason: "prerelease-id", identifier: String(identifier) };
  if (rest.length > 0 || typeof number !== "number") return { ok: false, reason: "prerelease-shape", identifier: String(identifier) };
  return { ok: true, pep440: `${release}${kind}${number}` };
}

/** The PEP 440 form of the version semantic-release computed, or the EPRERELEASEID error that refuses it. */
export function releasePep440(version: string): string {
  const converted = semverToPep440(version);
  if (converted.ok) return converted.pep440;
  const identifier = converted.reason === "build-metadata" ? `+${version.split("+")[1]} (build metadata)` : converted.identifier ?? version;
  throw getError("EPRERELEASEID", { identifiers: [identifier] });
}

/** The normalized form of a PEP 440 version (`2.0.0.rc1` → `2.0.0rc1`), or null when it is not one. */
export function normalizePep440(version: string): string | null {
  return clean(version.trim());
}

/** Same version once normalized. Release segments are compared as written: `2.0` ≠ `2.0.0` (file names and tags would differ). */
export function samePep440(a: string, b: string): boolean {
  const left = normalizePep440(a);
  return left !== null && left === normalizePep440(b);
}

/** Equal by PEP 440's own rules (`2.0` is `2.0.0`); false when either is not a version. */
export function equalPep440(a: string, b: string): boolean {
  return Boolean(valid(a) && valid(b)) && eq(a, b);
}

/** `version` is a PEP 440 version at or above `minimum` (tool versions: twine, Metadata-Version). */
export function pep440AtLeast(version: string, minimum: string): boolean {
  return Boolean(valid(version)) && gte(version, minimum);
}
