import { stripCuratorBlock } from "../notes/curator.js";
import { compareVersions, headingVersion } from "./versions.js";

export interface PublishedRelease {
  tag_name: string;
  body: string | null;
  published_at?: string | null;
}

/**
 * The CHANGELOG.md section of a published release: its curated body, under its version
 * heading. The body the notes plugin drafted already starts with `## vX.Y.Z — date`; a body
 * written another way gets that heading, dated by publication. A curator block left in the
 * release is not copied: it lists what was left out, for the curator only.
 */
export function releaseSection(release: PublishedRelease, version: string): { text: string; strippedCuratorBlock: boolean } {
  const raw = (release.body ?? "").replace(/\r\n?/g, "\n");
  const body = stripCuratorBlock(raw).trim();
  const strippedCuratorBlock = body !== raw.trim();
  const firstLine = body.split("\n", 1)[0] ?? "";
  const named = headingVersion(firstLine);
  if (named && compareVersions(named, version) === 0) return { text: body, strippedCuratorBlock };
  const date = release.published_at ? ` — ${release.published_at.slice(0, 10)}` : "";
  const heading = `## ${release.tag_name}${date}`;
  return { text: body ? `${heading}\n\n${body}` : heading, strippedCuratorBlock };
}
