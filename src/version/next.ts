import semver from "semver";
import type { Branch } from "../context.js";

export type ReleaseType = "major" | "minor" | "patch";

/** The branch and last-release facts semantic-release holds when it computes the next version. */
export interface NextVersionFacts {
  type: ReleaseType;
  branch: Pick<Branch, "type" | "prerelease" | "channel"> & { tags?: readonly { version?: string }[] };
  lastRelease?: { version?: string; channels?: readonly (string | null)[] };
}

const FIRST_RELEASE = "1.0.0";
const FIRST_PRERELEASE = "1";

/**
 * Pure: the version semantic-release will compute from this release type, so the analyze
 * step can name it before semantic-release does (semantic-release lib/get-next-version.js,
 * rewritten here with the same semver calls).
 */
export function nextVersion({ type, branch, lastRelease }: NextVersionFacts): string {
  const identifier = branch.prerelease === true ? undefined : branch.prerelease || undefined;
  const last = lastRelease?.version ? semver.parse(lastRelease.version) : null;
  if (!last) return branch.type === "prerelease" && identifier ? `${FIRST_RELEASE}-${identifier}.${FIRST_PRERELEASE}` : FIRST_RELEASE;
  if (branch.type !== "prerelease" || !identifier) return semver.inc(last, type) ?? FIRST_RELEASE;

  const firstOfLine = (base: string) => `${semver.inc(base, type)}-${identifier}.${FIRST_PRERELEASE}`;
  const channel = branch.channel ?? null;
  const sameChannel = (lastRelease?.channels ?? [null]).some((each) => (each ?? null) === channel);
  if (last.prerelease.length && sameChannel) {
    const tagged = (branch.tags ?? []).map((tag) => tag.version).filter((v): v is string => Boolean(v && semver.valid(v)));
    const latest = tagged.length ? semver.rsort([...tagged])[0] : last.version;
    const candidates = [semver.inc(last, "prerelease"), firstOfLine(latest)].filter((v): v is string => Boolean(v && semver.valid(v)));
    return semver.rsort(candidates)[0];
  }
  return firstOfLine(`${last.major}.${last.minor}.${last.patch}`);
}

/**
 * The version semantic-release computes for a release or maintenance branch: `semver.inc`
 * of the last release (a prerelease last version finishes its own release line).
 */
export function nextStableVersion(lastVersion: string | undefined, type: ReleaseType): string {
  return nextVersion({ type, branch: { type: "release" }, lastRelease: { version: lastVersion } });
}
