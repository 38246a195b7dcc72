import { appendFile } from "node:fs/promises";
import type { Context, PluginConfig } from "../context.js";
import { run } from "../exec.js";

/** Pure: the command that finishes a release whose tag exists. */
export function resumeCommandLine(tag: string): string {
  return `npx pyrelease resume --tag ${tag}`;
}

/** Pure: the job-summary section that tells a maintainer how to finish the release. */
export function resumeSummary(tag: string, errors: readonly Error[] = []): string {
  const codes = [...new Set(errors.map((e) => (e as { code?: string }).code).filter(Boolean))];
  return [
    `## Release ${tag} stopped halfway`,
    "",
    `The tag \`${tag}\` is pushed, but publishing did not finish${codes.length ? ` (${codes.map((c) => `\`${c}\``).join(", ")})` : ""}. Do not delete the tag: fix the cause shown in the log, then finish the release (it uploads only what is missing and reuses the draft):`,
    "",
    "```sh",
    resumeCommandLine(tag),
    "```",
    "",
  ].join("\n");
}

/**
 * The `fail` step body: when the release tag exists (semantic-release pushes it before
 * publishing), say the exact command that finishes the release, in the log and in the
 * GitHub Actions job summary. A failure before the tag needs only a rerun.
 */
export async function fail(_pluginConfig: PluginConfig, context: Context): Promise<void> {
  const tag = context.nextRelease?.gitTag;
  if (!tag) return;
  const tagged = await run("git", ["rev-parse", "-q", "--verify", `refs/tags/${tag}`], { cwd: context.cwd });
  if (tagged.exitCode !== 0) {
    context.logger.log("Nothing was tagged: fix the cause above and run the release again.");
    return;
  }
  context.logger.error("The release %s is tagged but not finished. Fix the cause above, then finish it with:\n\n    %s\n", tag, resumeCommandLine(tag));
  const summary = context.env.GITHUB_STEP_SUMMARY;
  if (summary) await appendFile(summary, `${resumeSummary(tag, context.errors ?? [])}\n`);
}
