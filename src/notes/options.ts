import { readUnknownKeys } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";
import { BUILTIN_IGNORE_RULES, parseIgnoreRule, type IgnoreRule } from "./noise.js";

/** The Keep-a-Changelog sections a commit type can be sent to (breaking and deprecated come from footers). */
export const TYPE_SECTIONS = ["added", "changed", "removed", "fixed", "security"] as const;
export type TypeSection = (typeof TYPE_SECTIONS)[number];

export interface NotesOptions {
  /** What keeps a commit out of the sections (it is listed in the curator block instead). */
  ignore: IgnoreRule[];
  /** Minor releases a deprecated API survives: `Deprecated (removed in vX.Y+N.0)`. */
  deprecationWindow: number;
  /** `type` or `type(scope)` → section; `false` keeps that type out of the sections. */
  types: Record<string, TypeSection | false>;
}

export const DEFAULT_TYPES: Readonly<Record<string, TypeSection | false>> = Object.freeze({
  feat: "added",
  feature: "added",
  perf: "changed",
  refactor: "changed",
  revert: "removed",
  fix: "fixed",
  "fix(security)": "security",
  security: "security",
});

export const DEFAULT_IGNORE = Object.keys(BUILTIN_IGNORE_RULES);

/** Pure: the `notes` options with defaults, and every problem with them. */
export function readNotesOptions(config: { notes?: unknown }): { options: NotesOptions; problems: ConfigProblem[] } {
  const raw = (config.notes ?? {}) as Record<string, unknown>;
  const problems: ConfigProblem[] = [];
  const options: NotesOptions = {
    ignore: DEFAULT_IGNORE.map((name) => parseIgnoreRule(name) as IgnoreRule),
    deprecationWindow: 1,
    types: { ...DEFAULT_TYPES },
  };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { options, problems: [{ key: "notes", reason: "must be an object" }] };
  }
  if (raw.ignore !== undefined) {
    if (!Array.isArray(raw.ignore)) {
      problems.push({ key: "notes.ignore", reason: `must be an array of rule names (${DEFAULT_IGNORE.join(", ")}) or "/regex/flags" strings` });
    } else {
      options.ignore = [];
      for (const item of raw.ignore) {
        const rule = typeof item === "string" ? parseIgnoreRule(item) : undefined;
        if (rule) options.ignore.push(rule);
        else problems.push({ key: "notes.ignore", reason: `${JSON.stringify(item)} is neither a rule name (${DEFAULT_IGNORE.join(", ")}) nor a valid "/regex/flags" string` });
      }
    }
  }
  if (raw.deprecationWindow !== undefined) {
    if (Number.isInteger(raw.deprecationWindow) && (raw.deprecationWindow as number) >= 1) options.deprecationWindow = raw.deprecationWindow as number;
    else problems.push({ key: "notes.deprecationWindow", reason: `must be a whole number of minor releases >= 1, not ${JSON.stringify(raw.deprecationWindow)}` });
  }
  if (raw.types !== undefined) {
    if (typeof raw.types !== "object" || raw.types === null || Array.isArray(raw.types)) {
      problems.push({ key: "notes.types", reason: 'must be an object such as { "docs": "changed", "chore": false }' });
    } else {
      for (const [key, value] of Object.entries(raw.types)) {
        if (!/^[\w-]+(\([^()]+\))?$/.test(key)) problems.push({ key: `notes.types.${key}`, reason: 'is not "type" or "type(scope)"' });
        else if (value === false || TYPE_SECTIONS.includes(value as TypeSection)) options.types[key.toLowerCase()] = value as TypeSection | false;
        else problems.push({ key: `notes.types.${key}`, reason: `must be one of ${TYPE_SECTIONS.join(", ")} or false, not ${JSON.stringify(value)}` });
      }
    }
  }
  readUnknownKeys("notes", raw, ["ignore", "deprecationWindow", "types"], problems);
  return { options, problems };
}
