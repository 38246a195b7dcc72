import { readChoice, readUnknownKeys } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";
import { renderTemplate } from "../config/template.js";

export type Cadence = "immediate" | "milestone";

/** How a held release finds its milestone: by title (the template), or through the issues and pull requests its commits reference. */
export type MilestoneBy = "title" | "references";

export interface CadenceOptions {
  minor: Cadence;
  major: Cadence;
  /** Title template of the milestone (`milestoneBy: "title"`). */
  milestone: string;
  milestoneBy: MilestoneBy;
}

export const DEFAULT_MILESTONE = "v{version}";
const CADENCES: readonly Cadence[] = ["immediate", "milestone"];
const MILESTONE_BY: readonly MilestoneBy[] = ["title", "references"];
const KEYS = ["minor", "major", "milestone", "milestoneBy"];
const TEMPLATE_VARS = { version: "1.2.0", pep440: "1.2.0", major: "1", minor: "2", patch: "0" };

/** Pure: the `cadence` options with defaults, and every problem with them. */
export function readCadenceOptions(config: { cadence?: unknown }): { options: CadenceOptions; problems: ConfigProblem[] } {
  const raw = (config.cadence ?? {}) as Record<string, unknown>;
  const options: CadenceOptions = { minor: "immediate", major: "immediate", milestone: DEFAULT_MILESTONE, milestoneBy: "title" };
  const problems: ConfigProblem[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { options, problems: [{ key: "cadence", reason: 'must be an object such as { "minor": "milestone", "major": "milestone" }' }] };
  }
  for (const key of ["minor", "major"] as const) options[key] = readChoice("cadence", raw, key, CADENCES, options[key], problems);
  if (raw.milestone !== undefined) {
    const rendered = typeof raw.milestone === "string" && raw.milestone.trim() ? renderTemplate(raw.milestone, TEMPLATE_VARS) : undefined;
    if (rendered?.ok) options.milestone = raw.milestone as string;
    else if (rendered) problems.push({ key: "cadence.milestone", reason: `${rendered.unknown.join(", ")} is not a placeholder ({version}, {pep440}, {major}, {minor}, {patch})` });
    else problems.push({ key: "cadence.milestone", reason: 'must be a title template such as "v{version}" or "Release {major}.{minor}"' });
  }
  options.milestoneBy = readChoice("cadence", raw, "milestoneBy", MILESTONE_BY, options.milestoneBy, problems);
  const { patch, ...others } = raw;
  if (patch !== undefined) problems.push({ key: "cadence.patch", reason: "patch releases always go out immediately (P0/P1 fixes must not wait for a milestone)" });
  readUnknownKeys("cadence", others, KEYS, problems);
  return { options, problems };
}
