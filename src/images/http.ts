/**
 * The registry client's HTTP layer: one request with a deadline, failures that say what
 * was asked and what came back (never a header: they carry tokens), and the Registry
 * API's error body (distribution-spec, "Error Codes") read into the message.
 */

/** A registry exchange that failed. `status` is the HTTP status (absent for network trouble and timeouts). */
export class RegistryError extends Error {
  /** How many tries were made, once the client gave up. */
  attempts?: number;

  constructor(
    message: string,
    readonly status?: number,
    /** The registry or its token server refused the credentials (or granted too little): never transient. */
    readonly auth?: { repository: string; host: string },
  ) {
    super(message);
  }
}

export interface SendInit {
  method?: string;
  headers?: Record<string, string>;
  body?: () => Buffer | ReadableStream;
  timeoutMs: number;
}

/** One HTTP exchange; network failures and timeouts become a RegistryError without status. Redirects (to blob storage) are followed. */
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
    throw new RegistryError(`${init.method ?? "GET"} ${where(url)} failed: ${networkReason(error, init.timeoutMs)}`);
  }
}

/** Read a response body; a connection cut while reading is a network failure too. */
export async function readBody(response: Response, url: string): Promise<Buffer> {
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new RegistryError(`reading the answer of ${where(url)} failed: ${networkReason(error)}`);
  }
}

/** Drop a body we do not need, so the connection can be reused. */
export const discard = (response: Response) => response.arrayBuffer().then(() => undefined, () => undefined);

/** A RegistryError for an unexpected answer, with the registry's own error codes when it sent some. */
export async function failure(response: Response, action: string, auth?: RegistryError["auth"]): Promise<RegistryError> {
  let detail = "";
  try {
    const text = await response.text();
    let errors: { code?: string; message?: string }[] | undefined;
    try {
      const json = JSON.parse(text);
      errors = json.errors ?? (json.details ? [{ message: String(json.details) }] : undefined);
    } catch {
      errors = undefined;
    }
    detail = errors?.length ? `: ${errors.map((e) => [e.code, e.message].filter(Boolean).join(" ")).join("; ")}` : text.trim() ? `: ${text.trim().slice(0, 200)}` : "";
  } catch {
    /* no body */
  }
  const status = response.status === 429 ? "HTTP 429 toomanyrequests" : `HTTP ${response.status}`;
  return new RegistryError(`could not ${action}: ${status}${detail}`, response.status, auth);
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
