import { compareSemver, isPrerelease, stableCore } from "../version/semver.js";

/**
 * Pure: does `version` ship images when they start at `since`? A stable `since` (2.0.0)
 * includes its own prereleases (2.0.0-rc.1): the release candidates of the first
 * version with images are tested with images too.
 */
export function shipsImages(version: string, since: string | undefined): boolean {
  if (!since) return true;
  const compared = isPrerelease(since) ? version : (stableCore(version) ?? version);
  return compareSemver(compared, since) >= 0;
}
