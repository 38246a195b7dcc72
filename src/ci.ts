import { appendFile } from "node:fs/promises";

/** Write `::add-mask::` so GitHub Actions hides the value from every later log line. */
export function maskInActions(value: string, env: Record<string, string | undefined>, write: (line: string) => void = (l) => process.stdout.write(l)): void {
  if (env.GITHUB_ACTIONS === "true" && value) write(`::add-mask::${value}\n`);
}

/** Append `name=value` lines to `$GITHUB_OUTPUT` (when set) for later jobs of the workflow. */
export async function writeGitHubOutput(env: Record<string, string | undefined>, values: Record<string, string>): Promise<void> {
  if (!env.GITHUB_OUTPUT) return;
  const lines = Object.entries(values).map(([name, value]) => `${name}=${value.replace(/\r?\n/g, " ")}\n`);
  await appendFile(env.GITHUB_OUTPUT, lines.join(""));
}
