import { isSemanticReleaseError } from "./errors.js";

/**
 * The one HTTP and retry layer under PyPI, the image registries and Sigstore's ID token:
 * a request with a deadline, failures that say what was asked and never carry a header
 * (they hold tokens), one answer to "is this worth another try", and one retry loop
 * counted in `attempts` (tries in all, the first included). GitHub goes through octokit's
 * own retry plugin (github/client.ts), configured with the same `attempts`.
 */

/** How a network step tries again: `attempts` in all, the first included; the wait doubles from `delayMs`. */
export interface Attempts {
  attempts: number;
  delayMs: number;
}

/** A network step's `retry` option: its attempts, and how long one request or one upload may take. */
export interface RetryOptions extends Attempts {
  /** Longest wait for one answer. */
  requestTimeoutMs: number;
  /** Longest wait for one upload. */
  uploadTimeoutMs: number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Pure: the wait before try `attempt` (2, 3, …): `delayMs`, doubled each time. */
export function backoffMs(attempt: number, delayMs: number): number {
  return delayMs * 2 ** Math.max(0, attempt - 2);
}

/** An HTTP exchange that failed: `status` when the server answered, none for network trouble and timeouts. */
export class HttpError extends Error {
  /** How many tries were made, once the caller gave up. */
  attempts?: number;

  constructor(
    message: string,
    readonly status?: number,
    /** Never worth another try, whatever the status (refused credentials). */
    readonly final = false,
  ) {
    super(message);
  }
}

/** An answer with a status worth another try, carried through the retry loop so the last one can be returned. */
class TransientAnswer<T> extends HttpError {
  constructor(readonly answer: T & { status: number }) {
    super(`HTTP ${answer.status}`, answer.status);
  }
}

const transientStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/** Builder and registry output that means "try again": rate limits, server errors, cut connections, timeouts. */
const TRANSIENT_OUTPUT = [
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
 * Pure: is this failure worth another try? An HTTP answer (408, 429, 5xx), a network
 * failure or timeout (no status), or a tool's output, where only error lines count (a
 * build log may print "EOF" or "503" for its own reasons). Refused credentials and our own
 * documented errors never are.
 */
export function isTransient(failure: unknown): boolean {
  if (isSemanticReleaseError(failure)) return false;
  if (failure instanceof HttpError) return !failure.final && (failure.status === undefined || transientStatus(failure.status));
  const output = typeof failure === "string" ? failure : `error: ${(failure as Error)?.message ?? failure}`;
  const errorLines = output.split("\n").filter((line) => /error|fail|denied|refused|timeout|reset|closed/i.test(line));
  return errorLines.some((line) => TRANSIENT_OUTPUT.some((pattern) => pattern.test(line)));
}

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
export async function withAttempts<T>(policy: Attempts, action: (attempt: number) => Promise<T>, onRetry?: (failure: unknown, next: number) => void): Promise<T> {
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

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: () => Buffer | ReadableStream | string;
  timeoutMs: number;
}

/** One HTTP exchange with a deadline; network failures and timeouts become an HttpError without status. Redirects are followed. */
export async function send(url: string, init: SendInit): Promise<Response> {
  const body = init.body?.();
  try {
    return await fetch(url, {
      method: init.method ?? "GET",
      headers: init.headers,
      body: body as BodyInit | undefined,
      redirect: "follow",
      signal: AbortSignal.timeout(init.timeoutMs),
      ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch (error) {
    throw new HttpError(`${init.method ?? "GET"} ${where(url)} failed: ${networkReason(error, init.timeoutMs)}`);
  }
}

/** Read a response body; a connection cut while reading is a network failure too. */
export async function readBody(response: Response, url: string): Promise<Buffer> {
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new HttpError(`reading the answer of ${where(url)} failed: ${networkReason(error)}`);
  }
}

/** Drop a body we do not need, so the connection can be reused. */
export const discard = (response: Response) => response.arrayBuffer().then(() => undefined, () => undefined);

export interface JsonAnswer {
  status: number;
  text: string;
  json?: any;
}

export interface JsonInit {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
}

/**
 * A JSON request, tried while it fails transiently; `init` may be made anew for each try
 * (a fresh single-use token). Returns the last answer whatever its status; throws the last
 * network failure, or whatever made `init` fail.
 */
export async function requestJson(url: string, init: JsonInit | ((attempt: number) => Promise<JsonInit>), policy: Attempts, onRetry?: (failure: unknown, next: number) => void): Promise<JsonAnswer> {
  const once = async (attempt: number): Promise<JsonAnswer> => {
    const request = typeof init === "function" ? await init(attempt) : init;
    const response = await send(url, {
      method: request.method,
      headers: { accept: "application/json", ...(request.body === undefined ? {} : { "content-type": "application/json" }), ...request.headers },
      body: request.body === undefined ? undefined : () => JSON.stringify(request.body),
      timeoutMs: request.timeoutMs,
    });
    const text = (await readBody(response, url)).toString("utf8");
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    const answer = { status: response.status, text, json };
    if (transientStatus(answer.status)) throw new TransientAnswer(answer);
    return answer;
  };
  try {
    return await withAttempts(policy, once, onRetry);
  } catch (error) {
    const last = error instanceof GaveUp ? error.last : error;
    if (last instanceof TransientAnswer) return last.answer;
    if (last instanceof HttpError && error instanceof GaveUp) last.attempts = error.attempts;
    throw last;
  }
}

function networkReason(error: unknown, timeoutMs?: number): string {
  const name = (error as Error)?.name;
  if ((name === "TimeoutError" || name === "AbortError") && timeoutMs) return `no answer within ${Math.round(timeoutMs / 1000)}s (timeout)`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return [cause?.code, cause?.message ?? (error as Error)?.message].filter(Boolean).join(" ") || String(error);
}

/** The URL without its query (upload locations carry state tokens). */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}
