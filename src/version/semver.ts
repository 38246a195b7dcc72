import semver, { type SemVer } from "semver";

/**
 * Every semver question of this package, through the `semver` package: what
 * semantic-release computes and compares with, so both always agree.
 */

/** The version `text` is, written exactly as semver writes one (no `v`, no spaces, no leading zeros); null otherwise. */
export function parseSemver(text: string): SemVer | null {
  const parsed = semver.parse(text);
  if (!parsed) return null;
  const written = parsed.build.length ? `${parsed.version}+${parsed.build.join(".")}` : parsed.version;
  return written === text ? parsed : null;
}

/** A semver prerelease (`2.0.0-rc.1`): it never moves `latest`, never counts as a newer stable release. */
export function isPrerelease(version: string): boolean {
  return Boolean(parseSemver(version)?.prerelease.length);
}

/** The first prerelease identifier (`rc` of `2.0.0-rc.1`), undefined for a stable version. */
export function prereleaseIdentifier(version: string): string | undefined {
  const first = parseSemver(version)?.prerelease[0];
  return first === undefined ? undefined : String(first);
}

/** Semver precedence of `a` against `b`: negative, zero, positive. Throws on a version that is not semver. */
export function compareSemver(a: string, b: string): number {
  return semver.compare(a, b);
}

/** The release a version belongs to: `2.0.0` of `2.0.0-rc.1` (and of `2.0.0+build`). */
export function stableCore(version: string): string | undefined {
  const parsed = parseSemver(version);
  return parsed ? `${parsed.major}.${parsed.minor}.${parsed.patch}` : undefined;
}

/** The first version `minors` minor releases after `version` (`2.1.3`, 1 → `2.2.0`); undefined for a version that is not semver. */
export function minorsLater(version: string, minors: number): string | undefined {
  const parsed = parseSemver(version);
  return parsed ? `${parsed.major}.${parsed.minor + minors}.0` : undefined;
}
