/** How every network step of this package waits between tries. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pure: the wait before try `attempt` (2, 3, …): `delayMs`, doubled each time. */
export function backoffMs(attempt: number, delayMs: number): number {
  return delayMs * 2 ** Math.max(0, attempt - 2);
}
