import { isSemanticReleaseError } from "../errors.js";
import { backoffMs, sleep } from "../retry.js";
import { RegistryError } from "./http.js";
import type { RetryOptions } from "./options.js";

/** Registry and builder failures worth another try: rate limits, server errors, cut connections, timeouts. */
const TRANSIENT = [
  /toomanyrequests/i,
  /too many requests/i,
  /(?:status|HTTP)[^\n]{0,24}\b(?:408|429|5\d\d)\b/i,
  /\b(?:internal server error|bad gateway|service unavailable|gateway time-?out)\b/i,
  /\bEOF\b/,
  /i\/o timeout/i,
  /\bECONNRESET\b|\bECONNREFUSED\b|\bETIMEDOUT\b|\bEPIPE\b|\bUND_ERR_\w+|socket hang up|fetch failed|other side closed/i,
  /TLS handshake timeout/i,
  /connection reset by peer/i,
  /\(timeout\)/,
];

/**
 * Pure: is this failure worth another try? The one answer for every image step: a
 * registry answer (408, 429, 5xx), a network failure or timeout (no status), or a
 * builder's output, where only error lines count (a build log may print "EOF" or "503"
 * for its own reasons). Refused credentials and our own documented errors never are.
 */
export function isTransient(failure: unknown): boolean {
  if (isSemanticReleaseError(failure)) return false;
  if (failure instanceof RegistryError) {
    if (failure.auth) return false;
    if (failure.status !== undefined) return failure.status === 408 || failure.status === 429 || failure.status >= 500;
    return true;
  }
  const output = typeof failure === "string" ? failure : `error: ${(failure as Error)?.message ?? failure}`;
  const errorLines = output.split("\n").filter((line) => /error|fail|denied|refused|timeout|reset|closed/i.test(line));
  return errorLines.some((line) => TRANSIENT.some((pattern) => pattern.test(line)));
}

export type RetryPolicy = Pick<RetryOptions, "attempts" | "delayMs">;

/** What `withAttempts` throws when it gives up: the last failure, and how many tries were made. */
export class GaveUp extends Error {
  constructor(
    readonly last: unknown,
    readonly attempts: number,
  ) {
    super((last as Error)?.message ?? String(last));
  }
}

/**
 * Run `action` until it succeeds, fails for good (not transient), or `policy.attempts`
 * tries are spent; the wait doubles from `delayMs`. Throws GaveUp with the last failure.
 */
export async function withAttempts<T>(policy: RetryPolicy, action: (attempt: number) => Promise<T>, onRetry?: (failure: unknown, next: number) => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      if (error instanceof GaveUp) throw error;
      if (attempt >= policy.attempts || !isTransient(error)) throw new GaveUp(error, attempt);
      onRetry?.(error, attempt + 1);
      await sleep(backoffMs(attempt + 1, policy.delayMs));
    }
  }
}
