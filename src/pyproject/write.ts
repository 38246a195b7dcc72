import type { VersionTable } from "./read.js";

const TABLE_HEADER = /^\s*\[\s*([^\]\[]+?)\s*\]\s*(#.*)?$/;
const VERSION_LINE = /^(\s*version\s*=\s*)(["'])([^"'\n]*)(\2)/;

/**
 * Pure and surgical: the same text with only the version value of `table` replaced.
 * Comments, key order, quoting and every other byte stay as they were. Returns null
 * when no `version = "…"` line can be found in that table (a multi-line or inline form).
 */
export function replaceVersion(text: string, table: VersionTable, version: string): string | null {
  const lines = text.split(/(?<=\n)/);
  let current: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const header = TABLE_HEADER.exec(line.replace(/\r?\n$/, ""));
    if (header && !line.trimStart().startsWith("[[")) {
      current = header[1].replace(/\s*\.\s*/g, ".").replace(/"/g, "");
      continue;
    }
    if (line.trimStart().startsWith("[[")) {
      current = undefined;
      continue;
    }
    if (current !== table) continue;
    const match = VERSION_LINE.exec(line);
    if (match) {
      lines[index] = line.replace(VERSION_LINE, `$1$2${version}$4`);
      return lines.join("");
    }
  }
  return null;
}
