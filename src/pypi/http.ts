import type { RetryOptions } from "./options.js";
import { backoffMs, sleep } from "../retry.js";

export interface HttpResponse {
  status: number;
  text: string;
  json?: any;
}

/** A network failure or a timeout: never carries request headers (they hold tokens). */
export class NetworkError extends Error {}

export async function requestJson(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs: number },
): Promise<HttpResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? "GET",
      headers: { accept: "application/json", ...(init.body === undefined ? {} : { "content-type": "application/json" }), ...init.headers },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs),
      redirect: "follow",
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${Math.round(init.timeoutMs / 1000)}s` : cause?.code ?? cause?.message ?? (error as Error).message;
    throw new NetworkError(`${new URL(url).origin}${new URL(url).pathname}: ${reason}`);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new NetworkError(`${new URL(url).origin}${new URL(url).pathname}: the answer was cut off (${(error as Error).message})`);
  }
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}



/** Whether a failed HTTP exchange is worth repeating: network trouble, timeouts, 5xx, 429. */
export function isTransient(result: HttpResponse | Error): boolean {
  if (result instanceof Error) return result instanceof NetworkError;
  return result.status >= 500 || result.status === 429;
}

/**
 * Run `attempt` until it returns a response that is not transient, or tries run out.
 * Returns the last response; rethrows the last network error.
 */
export async function withRetry(
  retry: Pick<RetryOptions, "attempts" | "delayMs">,
  attempt: (n: number) => Promise<HttpResponse>,
  onRetry?: (n: number, why: string) => void,
): Promise<HttpResponse> {
  let last: HttpResponse | Error | undefined;
  for (let n = 1; n <= retry.attempts; n++) {
    if (n > 1) await sleep(backoffMs(n, retry.delayMs));
    try {
      last = await attempt(n);
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      last = error;
    }
    if (!isTransient(last)) return last as HttpResponse;
    if (n < retry.attempts) onRetry?.(n + 1, last instanceof Error ? last.message : `HTTP ${last.status}`);
  }
  if (last instanceof Error) throw last;
  return last as HttpResponse;
}
