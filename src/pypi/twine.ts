import { basename } from "node:path";
import { run } from "../exec.js";

/** Wide, colourless output: rich wraps at 80 columns otherwise, splitting the lines this module parses. */
const TWINE_ENV = { COLUMNS: "250", NO_COLOR: "1", TWINE_REPOSITORY: undefined, TWINE_REPOSITORY_URL: undefined };

export interface CheckResult {
  ok: boolean;
  output: string;
  /** Files twine did not report as PASSED. */
  failed: string[];
}

/** Pure: which of `filenames` a `twine check` output passed. "No files to check" passes nothing. */
export function readCheckOutput(output: string, exitCode: number, filenames: readonly string[]): CheckResult {
  const passed = new Set<string>();
  for (const match of output.matchAll(/^Checking (.+?): PASSED\s*$/gm)) passed.add(basename(match[1]));
  const failed = filenames.filter((f) => !passed.has(f));
  return { ok: exitCode === 0 && filenames.length > 0 && failed.length === 0, output, failed };
}

export async function twineCheck(python: string, paths: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<CheckResult> {
  const result = await run(python, ["-m", "twine", "--no-color", "check", "--strict", ...paths], { cwd, env: { ...env, ...TWINE_ENV }, timeoutMs: 300_000 });
  return readCheckOutput(result.all, result.exitCode, paths.map((p) => basename(p)));
}

export type UploadOutcome =
  | { kind: "uploaded" }
  /** A 5xx, a reset connection, no answer in time: worth another try. */
  | { kind: "retryable"; status?: number; reason: string }
  /** 400 "File already exists": the index holds that name (with other bytes; identical bytes get 200). */
  | { kind: "exists"; status: number; reason: string }
  /** 403: the token is expired or not accepted; a fresh one may help once. */
  | { kind: "auth"; status: number; reason: string }
  | { kind: "fatal"; status?: number; reason: string };

const NETWORK_FAILURE = /ConnectionError|ConnectionResetError|RemoteDisconnected|Connection aborted|Connection refused|ProtocolError|ChunkedEncodingError|Read timed out|ReadTimeout|ConnectTimeout|timed out/;

/** Pure: what a failed `twine upload` run means. twine 4–6 print `HTTPError: <status> <phrase> from <url>` and the index's reason on the next line. */
export function classifyUpload(output: string, exitCode: number, timedOut: boolean, timeoutMs?: number): UploadOutcome {
  if (timedOut) return { kind: "retryable", reason: `no answer within ${Math.round((timeoutMs ?? 0) / 1000)}s` };
  if (exitCode === 0) return { kind: "uploaded" };
  // rich wraps long reasons onto indented continuation lines.
  const http = /HTTPError: (\d{3})[^\n]*((?:\n[ \t]+[^\n]*)*)/.exec(output);
  if (http) {
    const status = Number(http[1]);
    const reason = http[2].split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
    if (status >= 500) return { kind: "retryable", status, reason };
    if (status === 400 && /already exist/i.test(reason)) return { kind: "exists", status, reason };
    if (status === 403) return { kind: "auth", status, reason };
    return { kind: "fatal", status, reason };
  }
  const network = NETWORK_FAILURE.exec(output);
  if (network) return { kind: "retryable", reason: lastLine(output, NETWORK_FAILURE) ?? network[0] };
  return { kind: "fatal", reason: lastLine(output) ?? `twine exited with ${exitCode}` };
}

function lastLine(output: string, pattern?: RegExp): string | undefined {
  const lines = output.split("\n").map((l) => l.trim()).filter(Boolean);
  const picked = pattern ? lines.filter((l) => pattern.test(l)) : lines;
  return picked.at(-1)?.slice(0, 500);
}

export interface UploadRequest {
  python: string;
  cwd: string;
  repositoryUrl: string;
  paths: readonly string[];
  token: string;
  timeoutMs: number;
  /** The release's environment (semantic-release's `context.env`). */
  env?: Record<string, string | undefined>;
  /** `<dist>.publish.attestation` files, sent with `--attestations` (PEP 740; twine >= 5.1). */
  attestations?: readonly string[];
}

/** One `twine upload` of the given files. The token travels only in the environment, and is masked out of the output. */
export async function twineUpload(request: UploadRequest): Promise<{ outcome: UploadOutcome; output: string; command: string }> {
  const result = await run(
    request.python,
    ["-m", "twine", "--no-color", "upload", "--non-interactive", "--disable-progress-bar", "--repository-url", request.repositoryUrl, ...(request.attestations?.length ? ["--attestations"] : []), ...request.paths, ...(request.attestations ?? [])],
    {
      cwd: request.cwd,
      env: { ...request.env, ...TWINE_ENV, TWINE_USERNAME: "__token__", TWINE_PASSWORD: request.token },
      secrets: [request.token],
      timeoutMs: request.timeoutMs,
    },
  );
  return { outcome: classifyUpload(result.all, result.exitCode, result.timedOut, request.timeoutMs), output: result.all, command: result.command };
}
