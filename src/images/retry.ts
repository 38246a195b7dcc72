/** Registry errors worth another try: rate limits, server errors, cut connections. */
const TRANSIENT = [
  /toomanyrequests/i,
  /too many requests/i,
  /(?:status|HTTP)[^\n]{0,24}\b(?:429|5\d\d)\b/i,
  /\b(?:internal server error|bad gateway|service unavailable|gateway time-?out)\b/i,
  /\bEOF\b/,
  /i\/o timeout/i,
  /\bECONNRESET\b|\bECONNREFUSED\b|\bETIMEDOUT\b|\bEPIPE\b|socket hang up|fetch failed/i,
  /TLS handshake timeout/i,
  /connection reset by peer/i,
];

/**
 * Pure: does this builder or registry output describe a transient failure? Only error
 * lines count: a build log may print "EOF" or "503" for its own reasons.
 */
export function isTransient(output: string): boolean {
  const errorLines = output.split("\n").filter((line) => /error|fail|denied|refused|timeout|reset/i.test(line));
  return errorLines.some((line) => TRANSIENT.some((pattern) => pattern.test(line)));
}

export interface RetryPolicy {
  attempts: number;
  /** First wait between tries; it doubles with each try (src/retry.ts). */
  delayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, delayMs: 5_000 };
