import { afterEach } from "@jest/globals";

/**
 * Per-test cleanup, run after the test whether it passed or failed, newest first.
 * Importing this module registers the hook for the importing test file.
 */
const pending: (() => unknown)[] = [];

afterEach(async () => {
  while (pending.length) await pending.pop()!();
});

export function onCleanup(fn: () => unknown): void {
  pending.push(fn);
}
