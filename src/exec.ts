import { execa } from "execa";

export interface RunOptions {
  cwd?: string;
  /** Added to (and overriding) the inherited environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to the process' standard input (how secrets reach `--password-stdin`). */
  input?: string;
  /** Values that must never appear in what this returns: replaced by `***`. */
  secrets?: readonly (string | undefined)[];
  timeoutMs?: number;
}

export interface RunResult {
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as the process wrote them. */
  all: string;
  failed: boolean;
  timedOut: boolean;
}

/** The end of a long output, where the cause of a failure is; never the whole log. */
export function tail(text: string, lines = 30): string {
  const all = text.trim().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).join("\n");
}

/** Replace every secret in `text` by `***`. Empty and very short values are ignored: masking them would garble output. */
export function mask(text: string, secrets: readonly (string | undefined)[] = []): string {
  let masked = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 6) masked = masked.split(secret).join("***");
  }
  return masked;
}

/**
 * The one way this package runs a process: an argv array (never a shell string), never
 * rejecting, with every known secret masked out of what it returns.
 */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const secrets = options.secrets ?? [];
  const result = await execa(file, [...args], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    input: options.input,
    stdin: options.input === undefined ? "ignore" : undefined,
    timeout: options.timeoutMs,
    reject: false,
    all: true,
    stripFinalNewline: true,
  });
  const text = (value: unknown) => mask(typeof value === "string" ? value : "", secrets);
  return {
    command: mask([file, ...args].join(" "), secrets),
    exitCode: result.exitCode ?? (result.failed ? 1 : 0),
    stdout: text(result.stdout),
    stderr: text(result.stderr),
    all: text(result.all),
    failed: Boolean(result.failed),
    timedOut: Boolean(result.timedOut),
  };
}
