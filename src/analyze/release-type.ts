import type { ReleaseType } from "../version/next.js";
import { parseSemver } from "../version/semver.js";

export interface ReleaseTypeFacts {
  /** What @semantic-release/commit-analyzer said. */
  analyzed: string | null;
  /** Short hashes of the commits with a `DEPRECATED:` note. */
  deprecating: readonly string[];
  /** The last release on this branch (semver), if any. */
  lastVersion: string | undefined;
  majorOnZero: boolean;
}

/**
 * Pure: the preset's two rules on top of the analyzer's verdict, each with the reason the
 * log shows.
 * - A deprecation is at least a minor release: semver 2.0.0 §7, "MUST be incremented if any
 *   public API functionality is marked as deprecated". The analyzer cannot say this itself:
 *   it counts every note as breaking.
 * - `majorOnZero: false`: on 0.x a breaking change is a minor release (semver §4 leaves
 *   0.y.z to the project). The first release is still 1.0.0: semantic-release fixes that.
 */
export function releaseType(facts: ReleaseTypeFacts): { type: ReleaseType | null; reasons: string[] } {
  let type = (["major", "minor", "patch"].includes(facts.analyzed ?? "") ? facts.analyzed : null) as ReleaseType | null;
  const reasons: string[] = [];
  if (facts.deprecating.length && (type === null || type === "patch")) {
    reasons.push(`${facts.deprecating.join(", ")} deprecate${facts.deprecating.length === 1 ? "s" : ""} public API (a DEPRECATED: note): a minor release, not ${type ?? "no release"}`);
    type = "minor";
  }
  const last = facts.lastVersion ? parseSemver(facts.lastVersion) : null;
  if (type === "major" && !facts.majorOnZero && last?.major === 0) {
    reasons.push(`breaking change on ${last.version} with analyze.majorOnZero false: a minor release, not 1.0.0`);
    type = "minor";
  }
  return { type, reasons };
}
