import { readChoice } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";
import { equalPep440, semverToPep440 } from "../version/pep440.js";
import type { Hold } from "./report.js";

/** `pyproject.onUnbumped`: what a run does when pyproject.toml still holds the last released version. */
export type OnUnbumped = "wait" | "fail";

/** Pure: the `pyproject.onUnbumped` option (the rest of `pyproject` is read by ./pyproject). */
export function readOnUnbumped(config: { pyproject?: unknown }): { onUnbumped: OnUnbumped; problems: ConfigProblem[] } {
  const raw = config.pyproject && typeof config.pyproject === "object" ? (config.pyproject as Record<string, unknown>) : {};
  const problems: ConfigProblem[] = [];
  return { onUnbumped: readChoice<OnUnbumped, OnUnbumped>("pyproject", raw, "onUnbumped", ["wait", "fail"], "wait", problems), problems };
}

export interface UnbumpedFacts {
  /** What pyproject.toml holds. */
  pyprojectVersion: string;
  path: string;
  /** The last release on this branch (semver); undefined before the first release. */
  lastVersion: string | undefined;
  /** The version the commits call for (semver). */
  nextVersion: string;
  releaseType: string;
  commitCount: number;
}

/**
 * Pure: a hold when pyproject.toml still holds the last released version (compared as
 * PEP 440 versions: `2.0` is `2.0.0`), so an ordinary merge waits for the release PR that
 * bumps it. Any other disagreement is not a wait: ./pyproject's verifyRelease refuses it.
 */
export function unbumpedHold(facts: UnbumpedFacts): Hold | undefined {
  if (!facts.lastVersion) return undefined;
  const last = semverToPep440(facts.lastVersion);
  if (!last.ok || !equalPep440(facts.pyprojectVersion, last.pep440)) return undefined;
  const next = semverToPep440(facts.nextVersion);
  const target = next.ok ? next.pep440 : facts.nextVersion;
  const commits = `${facts.commitCount} commit${facts.commitCount === 1 ? "" : "s"}`;
  return {
    kind: "unbumped",
    title: `Release ${target} waits for a version bump`,
    message: `${commits} wait${facts.commitCount === 1 ? "s" : ""} for a release: bump ${facts.path} to ${target} (a ${facts.releaseType} release; it still holds ${facts.pyprojectVersion}, the last release)`,
  };
}
