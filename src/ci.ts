import { appendFile } from "node:fs/promises";

export { triggeringTag } from "./release/trigger.js";

/** The version inside a tag, per semantic-release's tagFormat (`v${version}` → `v2.0.0` → `2.0.0`). */
export function versionFromTag(tag: string, tagFormat = "v${version}"): string | undefined {
  const [prefix, suffix = ""] = tagFormat.split("${version}");
  if (!tag.startsWith(prefix) || !tag.endsWith(suffix) || tag.length <= prefix.length + suffix.length) return undefined;
  return tag.slice(prefix.length, tag.length - suffix.length);
}

/** The tag of a version, per tagFormat (`2.0.0` → `v2.0.0`). */
export function tagOfVersion(version: string, tagFormat = "v${version}"): string {
  return tagFormat.split("${version}").join(version);
}

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
