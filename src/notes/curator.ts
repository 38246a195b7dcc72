import type { Noise } from "./classify.js";
import { commitLink, type RepoLinks } from "./links.js";

/** The curator block is fenced by these comments so `changelog sync` can leave a forgotten one out. */
export const CURATOR_START = "<!-- pyrelease:curator:start -->";
export const CURATOR_END = "<!-- pyrelease:curator:end -->";

/**
 * Every commit kept out of the sections, with its hash and why, in a collapsed block at the
 * end of the draft: nothing is silently lost, and the curator deletes the block when done.
 */
export function renderCuratorBlock(noise: readonly Noise[], links: RepoLinks): string {
  if (noise.length === 0) return "";
  const lines = noise.map((commit) => `- ${commitLink(commit.hash, links)} ${inlineText(commit.header)}: ${commit.reason}`);
  return [
    CURATOR_START,
    "<details>",
    `<summary>For the curator: ${noise.length} commit${noise.length === 1 ? "" : "s"} left out of these notes (delete this block before publishing)</summary>`,
    "",
    ...lines,
    "",
    "</details>",
    CURATOR_END,
  ].join("\n");
}

/** A header shown as code, so markdown or HTML in it cannot break the block. */
function inlineText(header: string): string {
  const text = header || "(empty message)";
  const fence = text.includes("`") ? "``" : "`";
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** The text without a curator block (and the blank lines around it); unchanged when there is none. */
export function stripCuratorBlock(text: string): string {
  const start = text.indexOf(CURATOR_START);
  if (start < 0) return text;
  const end = text.indexOf(CURATOR_END, start);
  if (end < 0) return text;
  const before = text.slice(0, start).replace(/\s+$/, "");
  const after = text.slice(end + CURATOR_END.length).replace(/^\s+/, "");
  if (!after) return before ? `${before}\n` : "";
  return before ? `${before}\n\n${after}` : after;
}
