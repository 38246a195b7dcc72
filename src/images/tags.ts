import type { Branch } from "../context.js";

/**
 * `latest` moves only for a stable release of the main release branch: never for a
 * prerelease, never from a maintenance branch (it would move `latest` backwards), never
 * from a second release branch publishing on its own channel (e.g. `next` as a release branch).
 */
export function latestAllowed(branch: Pick<Branch, "type" | "main"> | undefined, version: string): boolean {
  return branch?.type === "release" && branch.main === true && !version.includes("-");
}

/** Pure: the tags of one entry: its own, plus `{pep440}` and maybe `latest` for a latest entry; no duplicates. */
export function entryTags(rendered: string[], options: { isLatestEntry: boolean; pep440: string; latest: boolean }): string[] {
  const tags = [...rendered];
  if (options.isLatestEntry) {
    tags.push(options.pep440);
    if (options.latest) tags.push("latest");
  }
  return [...new Set(tags)];
}
