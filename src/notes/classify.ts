import type { NotesOptions, TypeSection } from "./options.js";
import { matchIgnoreRule } from "./noise.js";

/** What conventional-commits-parser gives for one commit (read only: the writer hands a frozen proxy). */
export interface ParsedCommit {
  readonly hash?: string;
  readonly header?: string | null;
  readonly type?: string | null;
  readonly scope?: string | null;
  readonly subject?: string | null;
  readonly notes?: readonly { readonly title: string; readonly text: string }[];
  readonly references?: readonly Reference[];
  readonly revert?: unknown;
}

export interface Reference {
  readonly action?: string | null;
  readonly owner?: string | null;
  readonly repository?: string | null;
  readonly issue: string;
  readonly prefix: string;
  readonly raw?: string;
}

export interface Entry {
  kind: "entry";
  hash: string;
  scope?: string;
  subject: string;
  /** Where the commit itself is listed; undefined: only its breaking/deprecation notes are. */
  section?: TypeSection;
  breaking: string[];
  deprecated: string[];
  references: Reference[];
}

export interface Noise {
  kind: "noise";
  hash: string;
  header: string;
  reason: string;
}

export type Classified = Entry | Noise;

const BREAKING = /^BREAKING[ -]CHANGES?$/i;
const DEPRECATED = /^DEPRECATED$/i;

/**
 * Where one commit goes: a section, or the curator block with the reason. Breaking and
 * deprecation notes are never hidden, whatever the noise filter says: users must learn of them.
 * Builds new objects only; the commit is never written to.
 */
export function classifyCommit(commit: ParsedCommit, options: NotesOptions): Classified {
  const hash = commit.hash ?? "";
  const header = (commit.header ?? "").trim();
  const notes = commit.notes ?? [];
  const breaking = notes.filter((note) => BREAKING.test(note.title)).map((note) => note.text.trim()).filter(Boolean);
  const deprecated = notes.filter((note) => DEPRECATED.test(note.title)).map((note) => note.text.trim()).filter(Boolean);
  const important = breaking.length > 0 || deprecated.length > 0;

  const ignoredBy = matchIgnoreRule(header, options.ignore);
  if (ignoredBy && !important) return { kind: "noise", hash, header, reason: `matches \`${ignoredBy.name}\`` };

  const type = (commit.revert ? "revert" : (commit.type ?? "")).toLowerCase();
  if (!type && !important) return { kind: "noise", hash, header, reason: "not a conventional commit" };

  const scope = commit.scope && commit.scope !== "*" ? commit.scope : undefined;
  const mapped = scope !== undefined && `${type}(${scope.toLowerCase()})` in options.types ? options.types[`${type}(${scope.toLowerCase()})`] : options.types[type];
  if (!mapped && !important) return { kind: "noise", hash, header, reason: `type \`${type}\` is not shown in the notes` };

  const subject = (commit.subject ?? header).trim();
  // `feat!: drop X` carries no footer: its breaking note is the subject; list it once.
  const onlyBreaking = breaking.some((text) => text === subject);
  return {
    kind: "entry",
    hash,
    scope,
    subject,
    section: mapped && !onlyBreaking && !ignoredBy ? mapped : undefined,
    breaking,
    deprecated,
    references: (commit.references ?? []).map((reference) => ({ ...reference })),
  };
}
