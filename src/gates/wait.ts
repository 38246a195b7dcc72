import type { CheckRun, CommitStatus, RequiredCheck, GateOutcome } from "./checks.js";
import { describeCheck, gateOutcome, requiredChecks } from "./checks.js";
import { formatDuration } from "./options.js";
import { sleep as realSleep } from "../http.js";

/** The two reads the gate makes; src/github/client.ts provides them. */
export interface ChecksReader {
  listCheckRuns(ref: string, checkName?: string): Promise<CheckRun[]>;
  getCombinedStatus(ref: string): Promise<{ statuses: CommitStatus[] }>;
}

export interface WaitOptions {
  names: readonly string[];
  timeoutMs: number;
  intervalMs: number;
  /** Look once and never wait (a dry run). */
  once?: boolean;
  log: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface WaitResult {
  outcome: GateOutcome;
  checks: RequiredCheck[];
  waitedMs: number;
}

/** Read the required checks of `sha`, polling until all pass, one fails, or the time is up. */
export async function waitForChecks(reader: ChecksReader, sha: string, options: WaitOptions): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const started = now();
  let said = "";
  for (;;) {
    const [runs, combined] = await Promise.all([
      Promise.all(options.names.map((name) => reader.listCheckRuns(sha, name))).then((lists) => lists.flat()),
      reader.getCombinedStatus(sha),
    ]);
    const checks = requiredChecks(options.names, runs, combined.statuses);
    const outcome = gateOutcome(checks);
    const waitedMs = now() - started;
    if (outcome !== "pending" || options.once) return { outcome, checks, waitedMs };
    const left = options.timeoutMs - waitedMs;
    if (left <= 0) return { outcome, checks, waitedMs };
    const waiting = checks.filter((check) => check.state !== "success").map(describeCheck).join(", ");
    // Say it when something changed, not on every look.
    if (waiting !== said) options.log(`Waiting for ${waiting} on ${sha.slice(0, 7)}: looking every ${formatDuration(options.intervalMs)}, ${formatDuration(Math.ceil(left / 1000) * 1000)} left`);
    said = waiting;
    await sleep(Math.min(options.intervalMs, left));
  }
}
