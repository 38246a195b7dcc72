import { compareVersions } from "../version/order.js";
import { headingVersion } from "./versions.js";
import type { ChangelogOrder } from "./options.js";

export const CHANGELOG_TITLE = "# Changelog";

export type InsertAction = "created" | "inserted" | "replaced" | "unchanged";

interface VersionHeading {
  /** Offset of the heading line in the file. */
  offset: number;
  version: string;
}

/**
 * CHANGELOG.md with one release's text under its version heading; every byte outside that
 * release's own section is kept. The same text twice changes nothing. `text` starts with the
 * release's `## …` heading. `newest-first` puts a new release above every release listed
 * (below `## [Unreleased]`), as a hand-kept changelog reads; `version` puts it in version order.
 */
export function insertRelease(existing: string | null, release: { version: string; text: string }, order: ChangelogOrder = "newest-first"): { content: string; action: InsertAction } {
  const eol = existing?.includes("\r\n") ? "\r\n" : "\n";
  const text = release.text.replace(/\r\n?/g, "\n").replace(/\s+$/, "").split("\n").join(eol);
  if (existing === null || existing.trim() === "") {
    return { content: `${CHANGELOG_TITLE}${eol}${eol}${text}${eol}`, action: "created" };
  }

  const headings = versionHeadings(existing);
  const footer = footerOffset(existing);
  const same = headings.findIndex((h) => compareVersions(h.version, release.version) === 0);
  if (same >= 0) {
    const start = headings[same].offset;
    const end = headings[same + 1]?.offset ?? footer;
    const current = existing.slice(start, end).replace(/\s+$/, "");
    if (current === text) return { content: existing, action: "unchanged" };
    const separator = end < existing.length ? `${eol}${eol}` : eol;
    return { content: existing.slice(0, start) + text + separator + existing.slice(end), action: "replaced" };
  }

  const older = order === "newest-first" ? headings[0] : headings.find((h) => compareVersions(h.version, release.version) < 0);
  if (older) {
    return { content: existing.slice(0, older.offset) + text + eol + eol + existing.slice(older.offset), action: "inserted" };
  }
  let before = existing.slice(0, footer);
  if (!before.endsWith(eol)) before += eol;
  if (!before.endsWith(eol + eol)) before += eol;
  const after = existing.slice(footer);
  return { content: `${before}${text}${eol}${after ? eol + after : ""}`, action: "inserted" };
}

/** `## <version>` headings outside fenced code blocks, in file order. */
function versionHeadings(content: string): VersionHeading[] {
  const headings: VersionHeading[] = [];
  let fence: string | undefined;
  let offset = 0;
  for (const line of content.split("\n")) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) fence = fence ? undefined : marker;
    else if (!fence) {
      const version = headingVersion(line.replace(/\r$/, ""));
      if (version) headings.push({ offset, version });
    }
    offset += line.length + 1;
  }
  return headings;
}

/** Where trailing link reference definitions (`[2.1.0]: https://…`) start; the file length when there are none. */
function footerOffset(content: string): number {
  const lines = content.split("\n");
  let index = lines.length;
  while (index > 0 && lines[index - 1].trim() === "") index--;
  const lastContent = index;
  while (index > 0 && /^ {0,3}\[[^\]]+\]:\s*\S/.test(lines[index - 1])) index--;
  if (index === lastContent) return content.length;
  return lines.slice(0, index).reduce((sum, line) => sum + line.length + 1, 0);
}
