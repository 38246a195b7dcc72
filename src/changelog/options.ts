import { readChoice, readUnknownKeys } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";
import { renderTemplate } from "../config/template.js";
import { headingVersion } from "./versions.js";

export type ChangelogOrder = "newest-first" | "version";

export interface ChangelogOptions {
  /** The file `pyrelease changelog sync` writes (the `--file` flag wins). */
  file: string;
  /** `newest-first`: a new release goes above every release already listed (under `[Unreleased]`); `version`: by version order. */
  order: ChangelogOrder;
  /** The release's heading; undefined keeps the drafted `## vX.Y.Z — date`. */
  heading?: string;
  /** Copy the draft's artifacts section (hashes, digests) into the file too. */
  artifacts: boolean;
}

/** What a heading template can name. */
export const HEADING_VARS = ["tag", "version", "pep440", "major", "minor", "patch", "date", "url"] as const;
const KEYS = ["file", "order", "heading", "artifacts"];
const SAMPLE = { tag: "v1.2.3", version: "1.2.3", pep440: "1.2.3", major: "1", minor: "2", patch: "3", date: "2026-01-01", url: "https://github.com/o/r/releases/tag/v1.2.3" };

/** Pure: the `changelog` options with defaults, and every problem with them. */
export function readChangelogOptions(config: { changelog?: unknown }): { options: ChangelogOptions; problems: ConfigProblem[] } {
  const raw = (config.changelog ?? {}) as Record<string, unknown>;
  const options: ChangelogOptions = { file: "CHANGELOG.md", order: "newest-first", artifacts: false };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { options, problems: [{ key: "changelog", reason: "must be an object" }] };
  const problems: ConfigProblem[] = [];
  if (raw.file !== undefined) {
    if (typeof raw.file === "string" && raw.file.trim()) options.file = raw.file;
    else problems.push({ key: "changelog.file", reason: "must be a file path" });
  }
  options.order = readChoice("changelog", raw, "order", ["newest-first", "version"] as const, options.order, problems);
  if (raw.heading !== undefined) {
    const sample = Object.fromEntries(HEADING_VARS.map((name) => [name, "x"]));
    const rendered = typeof raw.heading === "string" ? renderTemplate(raw.heading, sample) : undefined;
    if (typeof raw.heading !== "string" || !/^##[ \t]/.test(raw.heading) || raw.heading.includes("\n")) {
      problems.push({ key: "changelog.heading", reason: 'must be one "## …" line, such as "## [{tag}]({url}) ({date})"' });
    } else if (!rendered?.ok) {
      problems.push({ key: "changelog.heading", reason: `${rendered!.unknown.join(", ")} is not a placeholder (${HEADING_VARS.map((name) => `{${name}}`).join(", ")})` });
    } else if (headingVersion(renderTemplate(raw.heading, SAMPLE).ok ? (renderTemplate(raw.heading, SAMPLE) as { value: string }).value : "") !== "1.2.3") {
      problems.push({ key: "changelog.heading", reason: "must start with the release ({tag}, {version} or {pep440}, optionally as a [link]): the next sync finds the section by it" });
    } else options.heading = raw.heading;
  }
  options.artifacts = readChoice("changelog", raw, "artifacts", [true, false], options.artifacts, problems);
  readUnknownKeys("changelog", raw, KEYS, problems);
  return { options, problems };
}
