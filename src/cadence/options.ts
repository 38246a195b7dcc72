import type { ConfigProblem } from "../config/problem.js";

export type Cadence = "immediate" | "milestone";

export interface CadenceOptions {
  minor: Cadence;
  major: Cadence;
}

const CADENCES: readonly Cadence[] = ["immediate", "milestone"];

/** Pure: the `cadence` options with defaults, and every problem with them. */
export function readCadenceOptions(config: { cadence?: unknown }): { options: CadenceOptions; problems: ConfigProblem[] } {
  const raw = (config.cadence ?? {}) as Record<string, unknown>;
  const options: CadenceOptions = { minor: "immediate", major: "immediate" };
  const problems: ConfigProblem[] = [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { options, problems: [{ key: "cadence", reason: 'must be an object such as { "minor": "milestone", "major": "milestone" }' }] };
  }
  for (const key of ["minor", "major"] as const) {
    if (raw[key] === undefined) continue;
    if (CADENCES.includes(raw[key] as Cadence)) options[key] = raw[key] as Cadence;
    else problems.push({ key: `cadence.${key}`, reason: `must be "immediate" or "milestone", not ${JSON.stringify(raw[key])}` });
  }
  for (const key of Object.keys(raw)) {
    if (key === "patch") problems.push({ key: "cadence.patch", reason: "patch releases always go out immediately (P0/P1 fixes must not wait for a milestone)" });
    else if (key !== "minor" && key !== "major") problems.push({ key: `cadence.${key}`, reason: "is not an option (minor, major)" });
  }
  return { options, problems };
}
