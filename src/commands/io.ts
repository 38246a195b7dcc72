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

/** Credentials a plan or a bump never uses: they show or write what would happen, they publish nothing. */
const CREDENTIALS = /^(GITHUB_TOKEN|GH_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN|ACTIONS_ID_TOKEN_REQUEST_URL|PYPI_ID_TOKEN|TESTPYPI_ID_TOKEN|PYPI_TOKEN|DOCKERHUB_TOKEN|DOCKERHUB_USERNAME|SIGSTORE_ID_TOKEN)$/;

/** Pure: the environment without any credential this package reads. */
export function withoutCredentials(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !CREDENTIALS.test(key)));
}
