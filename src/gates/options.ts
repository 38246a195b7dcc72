import { readChoice, readUnknownKeys } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";

export interface GatesOptions {
  /** Check-run names or commit-status contexts that must be green on the release commit. */
  checks: string[];
  /** How long to wait for them to finish. */
  timeoutMs: number;
  /** How often to look while waiting. */
  intervalMs: number;
  /** What a run does when the wait ends with checks still pending: "fail" (EGATETIMEOUT) or "wait" (no release, exit 0). */
  onTimeout: "fail" | "wait";
}

export const DEFAULT_GATES: Readonly<GatesOptions> = Object.freeze({ checks: [], timeoutMs: 30 * 60_000, intervalMs: 30_000, onTimeout: "fail" });
const KEYS = ["checks", "timeout", "interval", "onTimeout"];
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Pure: `90` (seconds), `"90s"`, `"45m"`, `"2h"`, `"500ms"` → milliseconds; undefined when it is none of those. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== "string") return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(value);
  return match ? Math.round(Number(match[1]) * UNITS[match[2] ?? "s"]) : undefined;
}

/** Pure: the `gates` options with defaults, and every problem with them. */
export function readGatesOptions(config: { gates?: unknown }): { options: GatesOptions; problems: ConfigProblem[] } {
  const raw = (config.gates ?? {}) as Record<string, unknown>;
  const options: GatesOptions = { ...DEFAULT_GATES, checks: [] };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { options, problems: [{ key: "gates", reason: 'must be an object such as { "checks": ["gpu-ci"] }' }] };
  }
  const problems: ConfigProblem[] = [];
  if (raw.checks !== undefined) {
    if (Array.isArray(raw.checks) && raw.checks.every((name) => typeof name === "string" && name.trim())) options.checks = [...new Set(raw.checks as string[])];
    else problems.push({ key: "gates.checks", reason: 'must be an array of check-run or commit-status names, such as ["gpu-ci"]' });
  }
  for (const [key, field] of [["timeout", "timeoutMs"], ["interval", "intervalMs"]] as const) {
    if (raw[key] === undefined) continue;
    const ms = parseDuration(raw[key]);
    if (ms === undefined) problems.push({ key: `gates.${key}`, reason: `must be seconds or a duration such as "45m", "2h", "30s", not ${JSON.stringify(raw[key])}` });
    else options[field] = ms;
  }
  if (options.intervalMs <= 0) problems.push({ key: "gates.interval", reason: "must be longer than 0" });
  options.onTimeout = readChoice("gates", raw, "onTimeout", ["fail", "wait"] as const, options.onTimeout, problems);
  readUnknownKeys("gates", raw, KEYS, problems);
  return { options, problems };
}

/** Pure: `1800000` → `30m`, for log lines. */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
