/** What the Checks API says of one check run (GET /repos/{owner}/{repo}/commits/{ref}/check-runs). */
export interface CheckRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  html_url?: string | null;
  details_url?: string | null;
}

/** One entry of the combined status (GET /repos/{owner}/{repo}/commits/{ref}/status). */
export interface CommitStatus {
  context: string;
  state: string;
  target_url?: string | null;
  description?: string | null;
}

export type CheckState = "success" | "failure" | "pending" | "missing";

export interface RequiredCheck {
  name: string;
  state: CheckState;
  /** The conclusion or status state GitHub reported, e.g. `failure`, `timed_out`, `in_progress`. */
  detail?: string;
  url?: string;
}

/**
 * Conclusions a required check may end with and still count as passed: GitHub's branch
 * protection accepts "successful, skipped, or neutral" (docs.github.com, "About protected
 * branches" → "Require status checks before merging").
 */
const PASSING_CONCLUSIONS = new Set(["success", "neutral", "skipped"]);

/**
 * Pure: the state of each required check on the release commit. A name may be a check run
 * (the newest run of that name counts: a re-run replaces the run before it) or a commit
 * status context (the combined status already holds only the newest per context); when
 * both exist, both must pass.
 */
export function requiredChecks(names: readonly string[], runs: readonly CheckRun[], statuses: readonly CommitStatus[]): RequiredCheck[] {
  return names.map((name) => {
    const found: RequiredCheck[] = [];
    const newestRun = runs.filter((run) => run.name === name).sort((a, b) => b.id - a.id)[0];
    if (newestRun) found.push(runState(name, newestRun));
    const status = statuses.find((each) => each.context === name);
    if (status) found.push(statusState(name, status));
    if (found.length === 0) return { name, state: "missing" };
    return found.find((each) => each.state === "failure") ?? found.find((each) => each.state === "pending") ?? found[0];
  });
}

function runState(name: string, run: CheckRun): RequiredCheck {
  const url = run.html_url ?? run.details_url ?? undefined;
  if (run.status !== "completed") return { name, state: "pending", detail: run.status, url };
  const conclusion = run.conclusion ?? "none";
  return { name, state: PASSING_CONCLUSIONS.has(conclusion) ? "success" : "failure", detail: conclusion, url };
}

function statusState(name: string, status: CommitStatus): RequiredCheck {
  const url = status.target_url ?? undefined;
  if (status.state === "success") return { name, state: "success", detail: "success", url };
  if (status.state === "pending") return { name, state: "pending", detail: "pending", url };
  return { name, state: "failure", detail: status.state, url };
}

export type GateOutcome = "pass" | "fail" | "pending";

/** Pure: all green passes; any failure fails at once (waiting cannot turn it green); else pending. */
export function gateOutcome(checks: readonly RequiredCheck[]): GateOutcome {
  if (checks.some((check) => check.state === "failure")) return "fail";
  if (checks.every((check) => check.state === "success")) return "pass";
  return "pending";
}

/** Pure: `gpu-ci (in_progress, https://…)`, or `gpu-ci (not reported yet)`. */
export function describeCheck(check: RequiredCheck): string {
  const what = check.state === "missing" ? "not reported yet" : check.detail ?? check.state;
  return `${check.name} (${what}${check.url ? `, ${check.url}` : ""})`;
}
