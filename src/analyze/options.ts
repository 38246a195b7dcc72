import { readChoice, readUnknownKeys } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";

export interface AnalyzeOptions {
  /**
   * python-semantic-release's `major_on_zero`: false keeps a breaking change on 0.x a minor
   * release (0.9.0 → 0.10.0); true follows semver's letter and makes 1.0.0.
   */
  majorOnZero: boolean;
}

/** Pure: the `analyze` options with defaults, and every problem with them. */
export function readAnalyzeOptions(config: { analyze?: unknown }): { options: AnalyzeOptions; problems: ConfigProblem[] } {
  const raw = (config.analyze ?? {}) as Record<string, unknown>;
  const options: AnalyzeOptions = { majorOnZero: true };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { options, problems: [{ key: "analyze", reason: 'must be an object such as { "majorOnZero": false }' }] };
  }
  const problems: ConfigProblem[] = [];
  options.majorOnZero = readChoice("analyze", raw, "majorOnZero", [true, false], options.majorOnZero, problems);
  readUnknownKeys("analyze", raw, ["majorOnZero"], problems);
  return { options, problems };
}
