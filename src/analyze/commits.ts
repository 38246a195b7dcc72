import { CommitParser, type Commit } from "conventional-commits-parser";
import createPreset from "conventional-changelog-conventionalcommits";
import { NOTES_PARSER_OPTS } from "../notes/parser.js";

export interface RawCommit {
  hash: string;
  message: string;
}

/**
 * The commits parsed exactly as the notes plugin parses them (the conventionalcommits
 * preset plus the notes' `DEPRECATED:` keyword), so a deprecation the notes list is the
 * deprecation that makes the release a minor one.
 */
async function parseCommits(commits: readonly RawCommit[]): Promise<{ hash: string; parsed: Commit }[]> {
  const preset = await createPreset();
  const parser = new CommitParser({ ...preset.parser, ...NOTES_PARSER_OPTS });
  return commits.filter((commit) => commit.message.trim()).map((commit) => ({ hash: commit.hash, parsed: parser.parse(commit.message) }));
}

/** Short hashes of the commits with a `DEPRECATED:` note. */
export async function deprecatingCommits(commits: readonly RawCommit[]): Promise<string[]> {
  // Only a message that says "deprecated" can carry the note: parsing every commit a third
  // time (the analyzer and the notes parse them too) cost a 2,000-commit dry run ~0.3 s of CPU.
  const candidates = commits.filter((commit) => /DEPRECATED/i.test(commit.message));
  if (!candidates.length) return [];
  return (await parseCommits(candidates)).filter(({ parsed }) => parsed.notes.some((note) => /^DEPRECATED$/i.test(note.title))).map(({ hash }) => hash.slice(0, 7));
}

/** Issue and pull-request numbers of this repository the commits reference (`(#42)` of a squash merge, `Closes #12`), first seen first. */
export async function referencedNumbers(commits: readonly RawCommit[]): Promise<number[]> {
  const numbers = new Set<number>();
  for (const { parsed } of await parseCommits(commits)) {
    for (const reference of parsed.references) {
      if (!reference.repository && /^\d+$/.test(reference.issue)) numbers.add(Number(reference.issue));
    }
  }
  return [...numbers];
}
