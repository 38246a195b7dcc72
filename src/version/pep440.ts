import { clean } from "@renovatebot/pep440";

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

const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

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
  const match = SEMVER.exec(version.trim());
  if (!match) return { ok: false, reason: "not-semver" };
  const [, major, minor, patch, prerelease, build] = match;
  if (build !== undefined) return { ok: false, reason: "build-metadata" };
  const release = `${Number(major)}.${Number(minor)}.${Number(patch)}`;
  if (prerelease === undefined) return { ok: true, pep440: release };
  const [identifier, number = "0", ...rest] = prerelease.split(".");
  const kind = prereleaseKind(identifier);
  if (!kind) return { ok: false, reason: "prerelease-id", identifier };
  if (rest.length > 0 || !/^\d+$/.test(number)) return { ok: false, reason: "prerelease-shape", identifier };
  return { ok: true, pep440: `${release}${kind}${Number(number)}` };
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
