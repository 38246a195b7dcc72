import type { Branch } from "../context.js";
import { compareSemver, isPrerelease, parseSemver, prereleaseIdentifier } from "./semver.js";

/**
 * Pure: the branch a release of `version` came from, as far as the plugins care (channel,
 * latest tags, prerelease), for a release replayed outside semantic-release. A stable
 * version below the newest stable release came from a maintenance branch: finishing it
 * must not move `latest` backwards.
 */
export function branchOf(version: string, releasedVersions: readonly string[] = []): Branch {
  const prerelease = prereleaseIdentifier(version);
  if (prerelease) return { name: prerelease, type: "prerelease", prerelease, channel: prerelease };
  const newer = releasedVersions.some((other) => parseSemver(other) && !isPrerelease(other) && compareSemver(other, version) > 0);
  return newer ? { name: `${parseSemver(version)!.major}.x`, type: "maintenance", channel: null } : { name: "main", type: "release", main: true, channel: null };
}

/**
 * Pure: every prerelease identifier the branch specs name (the configured ones and those
 * semantic-release resolved), whether or not their branch exists yet: a wrong one must
 * fail on main today, not on the day someone pushes `next`. Glob names are left out.
 */
export function prereleaseIdentifiers(branches: readonly unknown[]): string[] {
  const specs = branches.filter(
    (spec): spec is { name: string; prerelease: string | true } =>
      typeof spec === "object" && spec !== null && typeof (spec as any).name === "string" && (typeof (spec as any).prerelease === "string" || (spec as any).prerelease === true),
  );
  const identifiers = specs
    .map((spec) => (spec.prerelease === true ? spec.name : spec.prerelease))
    .filter((identifier) => !/[*?{}()[\]!+@]/.test(identifier));
  return [...new Set(identifiers)];
}
