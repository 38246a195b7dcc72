import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { isLoopbackHost, readChoice, readRetry, readServiceUrl, readUnknownKeys } from "../../src/config/fields.js";
import type { ConfigProblem } from "../../src/config/problem.js";

const DEFAULTS = { attempts: 3, delayMs: 1000, timeoutMs: 30000 };

test("a retry option over its defaults, counted in attempts; the old word names the new one", () => {
  const cases: [Record<string, unknown>, typeof DEFAULTS, string[]][] = [
    [{}, DEFAULTS, []],
    [{ retry: { attempts: 5 } }, { ...DEFAULTS, attempts: 5 }, []],
    [{ retry: { attempts: 1, delayMs: 0 } }, { ...DEFAULTS, attempts: 1, delayMs: 0 }, []],
    [{ retry: { attempts: 0 } }, DEFAULTS, ["x.retry.attempts"]],
    [{ retry: { delayMs: -1, timeoutMs: 1.5 } }, DEFAULTS, ["x.retry.delayMs", "x.retry.timeoutMs"]],
    [{ retry: { tries: 2 } }, DEFAULTS, ["x.retry.tries"]],
    [{ retry: { retries: 2 } }, DEFAULTS, ["x.retry.retries"]],
    [{ retries: 2 }, DEFAULTS, ["x.retries"]],
    [{ retry: 3 }, DEFAULTS, ["x.retry"]],
  ];
  for (const [raw, expected, keys] of cases) {
    const problems: ConfigProblem[] = [];
    expect(readRetry("x", raw, DEFAULTS, problems)).toEqual(expected);
    expect(problems.map((p) => p.key)).toEqual(keys);
  }
  const problems: ConfigProblem[] = [];
  readRetry("x", { retries: 2, retry: { retries: 2 } }, DEFAULTS, problems);
  for (const problem of problems) assert.match(problem.reason, /attempts/, "the old word says the new one");
});

test("service URLs: https, or plain http to this machine only; never credentials", () => {
  const cases: [unknown, string | undefined, RegExp | undefined][] = [
    ["https://upload.pypi.org/legacy/", "https://upload.pypi.org/legacy/", undefined],
    ["http://127.0.0.1:8080/legacy/", "http://127.0.0.1:8080/legacy/", undefined],
    ["http://[::1]:8080/", "http://[::1]:8080/", undefined],
    ["http://pypi.example/", undefined, /must be https/],
    ["https://user:secret@pypi.example/", undefined, /must not carry credentials/],
    ["not a url", undefined, /is not a URL/],
    [3, undefined, /must be a URL string/],
  ];
  for (const [value, expected, says] of cases) {
    const problems: ConfigProblem[] = [];
    assert.equal(readServiceUrl("k", value, problems), expected, String(value));
    if (says) assert.match(problems[0]?.reason ?? "", says, String(value));
    else expect(problems).toEqual([]);
  }
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "::1"]) assert.ok(isLoopbackHost(host), host);
  for (const host of ["10.0.0.1", "127.0.0.1.nip.io", "pypi.org"]) assert.ok(!isLoopbackHost(host), host);
});

test("a choice: the value when it is one, the fallback when absent, else the fallback and a problem naming every choice", () => {
  const cases: [unknown, string | boolean, string | undefined][] = [
    [undefined, "buildx", undefined],
    ["podman", "podman", undefined],
    ["docker", "buildx", 'must be "buildx" or "podman", not "docker"'],
    [true, "buildx", 'must be "buildx" or "podman", not true'],
  ];
  for (const [value, expected, reason] of cases) {
    const problems: ConfigProblem[] = [];
    assert.equal(readChoice("images", { builder: value }, "builder", ["buildx", "podman"], "buildx", problems), expected);
    expect(problems).toEqual(reason ? [{ key: "images.builder", reason }] : []);
  }
  const problems: ConfigProblem[] = [];
  assert.equal(readChoice("provenance", { enabled: "yes" }, "enabled", ["auto", true, false], "auto", problems), "auto");
  assert.equal(problems[0].reason, 'must be "auto", true or false, not "yes"');
});

test("unknown keys: each named with the options there are; `retries` is left to the retry reader where there is one", () => {
  const problems: ConfigProblem[] = [];
  readUnknownKeys("x", { a: 1, colour: 2, retries: 3 }, ["a", "b"], problems);
  expect(problems).toEqual([
    { key: "x.colour", reason: "is not an option (a, b)" },
    { key: "x.retries", reason: "is not an option (a, b)" },
  ]);
  const withRetry: ConfigProblem[] = [];
  readUnknownKeys("x", { retry: {}, retries: 3 }, ["retry"], withRetry);
  expect(withRetry).toEqual([]);
});
