import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { getError } from "../../src/errors.js";
import { backoffMs, GaveUp, HttpError, isTransient, withAttempts } from "../../src/http.js";
import { RegistryError } from "../../src/images/http.js";

test("one isTransient: statuses, network failures, builder output; refused credentials and our errors never", () => {
  assert.equal(isTransient(new HttpError("x", 502)), true);
  assert.equal(isTransient(new HttpError("GET … failed: no answer within 30s (timeout)")), true);
  assert.equal(isTransient(new HttpError("x", 401)), false);
  assert.equal(isTransient(new HttpError("x", 503, true)), false, "final: never again");
  assert.equal(isTransient(new RegistryError("x", 503)), true);
  assert.equal(isTransient(new RegistryError("x", 429)), true);
  assert.equal(isTransient(new RegistryError("x", 408)), true);
  assert.equal(isTransient(new RegistryError("GET … failed: ECONNRESET")), true, "no status: the network");
  assert.equal(isTransient(new RegistryError("x", 404)), false);
  assert.equal(isTransient(new RegistryError("x", 503, { repository: "a", host: "h" })), false);
  assert.equal(isTransient(getError("EIMAGEBUILD", { entries: ["a"], output: "HTTP 503" })), false);
  assert.equal(isTransient(new Error("ERROR: failed to push: 502 Bad Gateway")), true);
  assert.equal(isTransient("error: unexpected status from PUT request: 503 Service Unavailable"), true);
});

test("withAttempts: tries until success, or gives up with the last failure and the count", async () => {
  let calls = 0;
  assert.equal(await withAttempts({ attempts: 3, delayMs: 1 }, async () => (++calls < 3 ? Promise.reject(new RegistryError("x", 503)) : "ok")), "ok");
  assert.equal(calls, 3);
  const retried: number[] = [];
  await assert.rejects(
    withAttempts({ attempts: 2, delayMs: 1 }, async () => Promise.reject(new RegistryError("down", 502)), (_failure, next) => retried.push(next)),
    (error: unknown) => error instanceof GaveUp && error.attempts === 2 && error.message === "down",
  );
  expect(retried).toEqual([2]);
  let permanent = 0;
  await assert.rejects(withAttempts({ attempts: 5, delayMs: 1 }, async () => (permanent++, Promise.reject(new RegistryError("no", 400)))), (error: unknown) => (error as GaveUp).attempts === 1);
  assert.equal(permanent, 1, "a permanent failure is not repeated");
});

test("the wait before each try doubles from delayMs", () => {
  expect([2, 3, 4, 5].map((attempt) => backoffMs(attempt, 100))).toEqual([100, 200, 400, 800]);
  assert.equal(backoffMs(1, 100), 100);
});
