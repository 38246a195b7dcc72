import type { ConfigProblem } from "./problem.js";

/**
 * Option fields several rooms read the same way: a `retry` object (counted in `attempts`)
 * and the URL of a service (https, or plain http to a loopback stand-in).
 */

/**
 * Pure: a `<key>.retry` option over its defaults: integers, `attempts` at least 1, the rest
 * at least 0. `retries`, here or beside `retry`, is the old word: it names the new one.
 */
export function readRetry<T extends { attempts: number }>(key: string, raw: Record<string, unknown>, defaults: T, problems: ConfigProblem[]): T {
  const retry = { ...defaults };
  const names = Object.keys(defaults);
  if (raw.retries !== undefined) problems.push({ key: `${key}.retries`, reason: 'is now "retry": { "attempts": N } (tries in all, the first included)' });
  const given = raw.retry;
  if (given === undefined) return retry;
  if (typeof given !== "object" || given === null || Array.isArray(given)) {
    problems.push({ key: `${key}.retry`, reason: `must be an object (${names.join(", ")})` });
    return retry;
  }
  for (const [name, value] of Object.entries(given)) {
    const min = name === "attempts" ? 1 : 0;
    if (name === "retries") problems.push({ key: `${key}.retry.retries`, reason: 'is now "attempts": tries in all, the first included' });
    else if (!names.includes(name)) problems.push({ key: `${key}.retry.${name}`, reason: `is not an option (${names.join(", ")})` });
    else if (typeof value !== "number" || !Number.isInteger(value) || value < min) problems.push({ key: `${key}.retry.${name}`, reason: `must be an integer >= ${min}` });
    else (retry as Record<string, number>)[name] = value;
  }
  return retry;
}

/** Pure: a loopback address (`127.x.x.x`, `::1`, `localhost`): the only place plain http may go. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Pure: the URL of a service this package talks to: https without credentials in it (plain http only to a loopback address). */
export function readServiceUrl(key: string, value: unknown, problems: ConfigProblem[]): string | undefined {
  if (typeof value !== "string" || !value.trim()) {
    problems.push({ key, reason: "must be a URL string" });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push({ key, reason: `${JSON.stringify(value)} is not a URL` });
    return undefined;
  }
  if (url.username || url.password) {
    problems.push({ key, reason: "must not carry credentials: the release authenticates otherwise" });
    return undefined;
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) return value;
  problems.push({ key, reason: `must be https (plain http only to a loopback address), not ${JSON.stringify(value)}` });
  return undefined;
}

/**
 * Pure: the option `name` of `raw` when it is one of `choices`; the fallback when it is
 * absent, and when it is anything else, with a problem that names every choice.
 */
export function readChoice<T extends string | boolean, F>(prefix: string, raw: Record<string, unknown>, name: string, choices: readonly T[], fallback: F, problems: ConfigProblem[]): T | F {
  const value = raw[name];
  if (value === undefined) return fallback;
  if (choices.includes(value as T)) return value as T;
  const names = choices.map((choice) => JSON.stringify(choice));
  problems.push({ key: `${prefix}.${name}`, reason: `must be ${names.slice(0, -1).join(", ")} or ${names.at(-1)}, not ${JSON.stringify(value)}` });
  return fallback;
}

/** Pure: a problem for every key of `raw` that is not one of `known` (`retries` beside `retry` is readRetry's to name). */
export function readUnknownKeys(prefix: string, raw: Record<string, unknown>, known: readonly string[], problems: ConfigProblem[]): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key) || (key === "retries" && known.includes("retry"))) continue;
    problems.push({ key: `${prefix}.${key}`, reason: `is not an option (${known.join(", ")})` });
  }
}
