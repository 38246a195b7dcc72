import { isSemanticReleaseError } from "../errors.js";

export interface CommandIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export type Command = (argv: string[], io: CommandIO) => Promise<number>;

/** A user mistake is printed as its code, message and how to fix it; never as a stack trace. */
export function reportError(error: unknown, io: CommandIO): number {
  const errors = error instanceof AggregateError ? error.errors : [error];
  for (const each of errors) {
    if (isSemanticReleaseError(each)) io.stderr(`✖ ${each.code} ${each.message}\n\n${each.details ?? ""}\n\n`);
    else io.stderr(`✖ ${each instanceof Error ? each.stack ?? each.message : String(each)}\n`);
  }
  return 1;
}
