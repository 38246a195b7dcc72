/**
 * Where things are in a TOML text, by line: the parser (@iarna/toml) gives values but no
 * positions, and error messages must name the exact lines a user has to change.
 * This is a line classifier, not a parser: it knows table headers, (dotted, quoted) keys,
 * and values that continue over several lines (arrays, inline tables, multi-line strings).
 */

export interface TomlLine {
  /** 1-based. */
  line: number;
  /** The line as written, without its line break. */
  text: string;
  /** The table this line is in (for a header: the table it opens). */
  table: string[];
  /** header: the table path; key: table + key path; value: the key whose value continues here. */
  path: string[];
  kind: "header" | "key" | "value" | "other";
}

interface ValueState {
  depth: number;
  /** Inside a multi-line string: its delimiter. */
  string?: '"""' | "'''";
}

/** Pure: every line of `text`, classified. */
export function tomlLines(text: string): TomlLine[] {
  const result: TomlLine[] = [];
  let table: string[] = [];
  let continuing: { path: string[]; state: ValueState } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (continuing) {
      result.push({ line, text: raw, table, path: continuing.path, kind: "value" });
      continuing.state = scanValue(raw, 0, continuing.state);
      if (!isOpen(continuing.state)) continuing = undefined;
      return;
    }
    const trimmed = raw.trimStart();
    if (trimmed.startsWith("[")) {
      const array = trimmed.startsWith("[[");
      const parsed = parseKeyPath(trimmed, array ? 2 : 1);
      if (parsed) {
        table = parsed.parts;
        result.push({ line, text: raw, table, path: table, kind: "header" });
        return;
      }
    }
    const key = /^[A-Za-z0-9_"'-]/.test(trimmed) ? parseKeyPath(trimmed, 0) : undefined;
    if (key && trimmed[key.end] === "=") {
      const path = [...table, ...key.parts];
      result.push({ line, text: raw, table, path, kind: "key" });
      const state = scanValue(trimmed, key.end + 1, { depth: 0 });
      if (isOpen(state)) continuing = { path, state };
      return;
    }
    result.push({ line, text: raw, table, path: table, kind: "other" });
  });
  return result;
}

const isOpen = (state: ValueState) => state.depth > 0 || state.string !== undefined;

/** `a."b.c".d` from `start`; `end` is the index after the path and any whitespace (at `]` for a header, `=` for a key). */
function parseKeyPath(text: string, start: number): { parts: string[]; end: number } | undefined {
  const parts: string[] = [];
  let i = start;
  const skipSpace = () => {
    while (text[i] === " " || text[i] === "\t") i++;
  };
  for (;;) {
    skipSpace();
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      const close = text.indexOf(quote, i + 1);
      if (close < 0) return undefined;
      parts.push(text.slice(i + 1, close));
      i = close + 1;
    } else {
      const bare = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
      if (!bare) return undefined;
      parts.push(bare[0]);
      i += bare[0].length;
    }
    skipSpace();
    if (text[i] !== ".") break;
    i++;
  }
  if (start > 0 && text[i] !== "]") return undefined;
  return { parts, end: i };
}

/** Follow a value through one line: brackets opened and closed, strings, comments. */
function scanValue(text: string, from: number, state: ValueState): ValueState {
  let { depth, string } = state;
  let i = from;
  while (i < text.length) {
    if (string) {
      const close = text.indexOf(string, i);
      if (close < 0) return { depth, string };
      i = close + 3;
      string = undefined;
      continue;
    }
    const char = text[i];
    if (char === "#") break;
    if (text.startsWith('"""', i) || text.startsWith("'''", i)) {
      string = text.slice(i, i + 3) as '"""' | "'''";
      i += 3;
      continue;
    }
    if (char === '"' || char === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== char) j += char === '"' && text[j] === "\\" ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (char === "[" || char === "{") depth++;
    if (char === "]" || char === "}") depth = Math.max(0, depth - 1);
    i++;
  }
  return { depth, string };
}

const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.length <= path.length && prefix.every((part, i) => path[i] === part);

/**
 * The lines that define anything under `prefix`: each header of that table or a sub-table,
 * and each key outside those tables that reaches into it (`version.source = "vcs"` under
 * `[tool.hatch]` defines `tool.hatch.version`). Value continuation lines are left out.
 */
export function definitionLines(lines: readonly TomlLine[], prefix: readonly string[]): TomlLine[] {
  return lines.filter(
    (l) => (l.kind === "header" && startsWith(l.path, prefix)) || (l.kind === "key" && startsWith(l.path, prefix) && !startsWith(l.table, prefix)),
  );
}

/** The first line of the key `path` (its `key = …` line), if written. */
export function keyLine(lines: readonly TomlLine[], path: readonly string[]): TomlLine | undefined {
  return lines.find((l) => l.kind === "key" && l.path.length === path.length && startsWith(l.path, path));
}

/** The lines of the key `path` (the key line and its continuations) on which `match` finds something. */
export function valueLines(lines: readonly TomlLine[], path: readonly string[], match: (text: string) => boolean): TomlLine[] {
  return lines.filter((l) => (l.kind === "key" || l.kind === "value") && l.path.length === path.length && startsWith(l.path, path) && match(l.text));
}
