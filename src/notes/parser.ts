/**
 * Parser options for the notes only. `DEPRECATED:` becomes a note here; the commit analyzer
 * must never see this keyword: it counts every note as a breaking change, so a refactor
 * that deprecates something would cut a major release.
 */
export const NOTES_PARSER_OPTS = Object.freeze({
  noteKeywords: ["BREAKING CHANGE", "BREAKING-CHANGE", "DEPRECATED"],
  // Breaking notes parse exactly as the analyzer parses them; DEPRECATED needs its colon,
  // so prose such as "Deprecated APIs are listed below" stays prose.
  notesPattern: () => /^[\s|*]*(BREAKING[ -]CHANGE(?=[:\s])|DEPRECATED(?=:))[:\s]+(.*)/i,
});
