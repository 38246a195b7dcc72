import type { Branch } from "../context.js";
import { isPrerelease } from "../version/semver.js";

/**
 * `latest` moves only for a stable release of the main release branch: never for a
 * prerelease, never from a maintenance branch (it would move `latest` backwards), never
 * from a second release branch publishing on its own channel (e.g. `next` as a release branch).
 */
export function latestAllowed(branch: Pick<Branch, "type" | "main"> | undefined, version: string): boolean {
  return branch?.type === "release" && branch.main === true && !isPrerelease(version);
}

/**
 * Pure: the tags of one entry: its own `tags`, plus `latestTags` when it is a `latest`
 * entry and `latest` may move; no duplicates. Nothing else is ever added.
 */
export function entryTags(rendered: string[], latestTags: string[], options: { isLatestEntry: boolean; latest: boolean }): string[] {
  return [...new Set(options.isLatestEntry && options.latest ? [...rendered, ...latestTags] : rendered)];
}
