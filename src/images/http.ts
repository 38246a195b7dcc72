import { HttpError } from "../http.js";

/**
 * The registry's side of the HTTP layer (../http.ts): failures that name what was asked,
 * with the Registry API's error body (distribution-spec, "Error Codes") read into the message.
 */

/** A registry exchange that failed. `status` is the HTTP status (absent for network trouble and timeouts). */
export class RegistryError extends HttpError {
  constructor(
    message: string,
    status?: number,
    /** The registry or its token server refused the credentials (or granted too little): never transient. */
    readonly auth?: { repository: string; host: string },
  ) {
    super(message, status, Boolean(auth));
  }
}

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
