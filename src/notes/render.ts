import type { Classified, Entry, Noise, Reference } from "./classify.js";
import type { TypeSection } from "./options.js";
import { renderCuratorBlock } from "./curator.js";
import { commitLink, issueLink, linkIssuesInText, type RepoLinks } from "./links.js";
import { subjectMarkdown } from "./markdown.js";
import { minorsLater } from "../version/semver.js";

export interface NotesInput {
  /** The release's git tag, e.g. `v2.1.0`: the header names it. */
  tag: string;
  /** The semver version, for the deprecation window. */
  version: string;
  /** `YYYY-MM-DD`. */
  date: string;
  /** Classified commits, newest first (git log order). */
  commits: readonly Classified[];
  links: RepoLinks;
  deprecationWindow: number;
}

const TYPE_HEADINGS: Record<TypeSection, string> = {
  added: "Added",
  changed: "Changed",
  removed: "Removed",
  fixed: "Fixed",
  security: "Security",
};

/** The release text: header, the sections in the decision record's order (empty ones left out), the curator block. */
export function renderNotes(input: NotesInput): string {
  const { links } = input;
  // Oldest first reads as the story of the release; scopes group related entries.
  const entries = sortEntries(input.commits.filter((c): c is Entry => c.kind === "entry").reverse());
  const noise = input.commits.filter((c): c is Noise => c.kind === "noise").reverse();

  const sections: [string, string[]][] = [
    ["⚠ Breaking changes", entries.flatMap((e) => e.breaking.map((text) => noteLine(e, text, links)))],
    [TYPE_HEADINGS.added, entryLines(entries, "added", links)],
    [TYPE_HEADINGS.changed, entryLines(entries, "changed", links)],
    [`Deprecated (removed in ${removalVersion(input.version, input.deprecationWindow)})`, entries.flatMap((e) => e.deprecated.map((text) => noteLine(e, text, links)))],
    [TYPE_HEADINGS.removed, entryLines(entries, "removed", links)],
    [TYPE_HEADINGS.fixed, entryLines(entries, "fixed", links)],
    [TYPE_HEADINGS.security, entryLines(entries, "security", links)],
  ];
  const blocks = [`## ${input.tag} — ${input.date}`];
  for (const [heading, lines] of sections) if (lines.length) blocks.push(`### ${heading}\n\n${lines.join("\n")}`);
  const curator = renderCuratorBlock(noise, links);
  if (curator) blocks.push(curator);
  return `${blocks.join("\n\n")}\n`;
}

/** `2.1.0` with a window of 1 → `v2.2.0`: the first minor that may remove what this release deprecates. */
export function removalVersion(version: string, window: number): string {
  const removal = minorsLater(version, window);
  return removal ? `v${removal}` : `${window} minor release${window === 1 ? "" : "s"} later`;
}

function sortEntries(entries: Entry[]): Entry[] {
  // Array.prototype.sort is stable: entries of one scope keep their commit order.
  return [...entries].sort((a, b) => (a.scope ?? "").localeCompare(b.scope ?? ""));
}

function entryLines(entries: readonly Entry[], section: TypeSection, links: RepoLinks): string[] {
  return entries.filter((e) => e.section === section).map((e) => {
    const { text, issues } = subjectMarkdown(e.subject, links);
    const references = e.references.filter((r) => !(r.prefix === "#" && !r.repository && issues.includes(r.issue)));
    return `- ${scopePrefix(e)}${text}${hashSuffix(e.hash, links)}${referenceSuffix(references, links)}`;
  });
}

/** A breaking or deprecation note: footers are written as markdown and kept so; a note that is the subject (`feat!:`) is escaped like one. */
function noteLine(entry: Entry, text: string, links: RepoLinks): string {
  const [first, ...rest] = (text === entry.subject ? subjectMarkdown(text, links) : linkIssuesInText(text, links)).text.split("\n");
  const continuation = rest.map((line) => (line.trim() ? `\n  ${line}` : "\n")).join("");
  return `- ${scopePrefix(entry)}${first}${continuation}${hashSuffix(entry.hash, links)}`;
}

function scopePrefix(entry: Entry): string {
  return entry.scope ? `**${entry.scope}:** ` : "";
}

function hashSuffix(hash: string, links: RepoLinks): string {
  return hash ? ` (${commitLink(hash, links)})` : "";
}

function referenceSuffix(references: readonly Reference[], links: RepoLinks): string {
  const seen = new Set<string>();
  const unique = references.filter((r) => {
    const key = `${r.owner ?? ""}/${r.repository ?? ""}${r.prefix}${r.issue}`;
    return !seen.has(key) && seen.add(key);
  });
  const closing = unique.filter((r) => r.action);
  const mentioned = unique.filter((r) => !r.action);
  let suffix = "";
  if (closing.length) suffix += `, closes ${closing.map((r) => issueLink(r, links)).join(", ")}`;
  if (mentioned.length) suffix += `, refs ${mentioned.map((r) => issueLink(r, links)).join(", ")}`;
  return suffix;
}
