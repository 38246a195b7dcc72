import { linkIssuesInText, type RepoLinks } from "./links.js";

/**
 * Pure: a commit subject as markdown that shows exactly what the author typed. `__version__`
 * would render bold, `<model>` would vanish as an HTML tag, `[WIP]` could become a link:
 * everything markdown would interpret is backslash-escaped (CommonMark 0.31 §2.4: any ASCII
 * punctuation may be escaped), except code spans the author wrote in backticks, which are
 * kept as they are. `#42` still becomes an issue link.
 */
export function subjectMarkdown(subject: string, links: RepoLinks): { text: string; issues: string[] } {
  const issues: string[] = [];
  const text = splitCodeSpans(subject)
    .map((part, index) => {
      if (part.code) return part.text;
      const linked = linkIssuesInText(escapeInline(part.text, index === 0), links);
      issues.push(...linked.issues);
      return linked.text;
    })
    .join("");
  return { text, issues };
}

/**
 * Code spans as CommonMark finds them (§6.1): a run of N backticks opens a span that the next
 * run of exactly N backticks closes; a run with no partner is literal text.
 */
export function splitCodeSpans(text: string): { text: string; code: boolean }[] {
  const parts: { text: string; code: boolean }[] = [];
  let plainStart = 0;
  let at = 0;
  while (at < text.length) {
    if (text[at] !== "`") {
      at++;
      continue;
    }
    const run = /^`+/.exec(text.slice(at))![0];
    let close = -1;
    for (const found of text.slice(at + run.length).matchAll(/`+/g)) {
      if (found[0].length === run.length) {
        close = at + run.length + found.index;
        break;
      }
    }
    if (close < 0) {
      at += run.length;
      continue;
    }
    if (at > plainStart) parts.push({ text: text.slice(plainStart, at), code: false });
    parts.push({ text: text.slice(at, close + run.length), code: true });
    at = plainStart = close + run.length;
  }
  if (plainStart < text.length) parts.push({ text: text.slice(plainStart), code: false });
  return parts;
}

const ALNUM = /[\p{L}\p{N}]/u;

/** Plain text → markdown that renders as that text. `atStart`: the text begins the line's content. */
function escapeInline(text: string, atStart: boolean): string {
  let out = text
    .replace(/\\/g, "\\\\")
    .replace(/[*~[\]<]/g, (char) => `\\${char}`)
    // Entity and numeric references (`&amp;`, `&#42;`) would render as the character they name.
    .replace(/&(?=#?\w+;)/g, "\\&")
    // Intraword underscores never emphasize (CommonMark §6.2, left-/right-flanking `_`): keep `model_name` readable.
    .replace(/_+/g, (run, offset: number, whole: string) => {
      const before = whole[offset - 1];
      const after = whole[offset + run.length];
      return before && after && ALNUM.test(before) && ALNUM.test(after) ? run : run.replace(/_/g, "\\_");
    });
  if (atStart) {
    // What would start a heading, quote or nested list at the beginning of a list item.
    out = out.replace(/^(\s*)(#{1,6}(?=\s|$)|>|[-+](?=\s|$)|\d{1,9}(?=[.)](\s|$)))/, (whole, space: string, marker: string) =>
      /^\d/.test(marker) ? `${space}${marker}\\` : `${space}\\${marker}`,
    );
  }
  return out;
}
