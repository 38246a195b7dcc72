import { appendFile } from "node:fs/promises";
import type { Context, PluginConfig } from "../context.js";
import { run } from "../exec.js";

/** Pure: the command that finishes a release whose tag exists. */
export function resumeCommandLine(tag: string): string {
  return `npx pyrelease resume --tag ${tag}`;
}

/** Pure: each error's code and one-line message, as a markdown list (messages never carry secrets). */
function errorList(errors: readonly Error[]): string[] {
  const seen = new Set<string>();
  return errors.flatMap((error) => {
    const code = (error as { code?: string }).code;
    const line = `- ${code ? `\`${code}\` ` : ""}${error.message.split("\n")[0]}`;
    if (seen.has(line)) return [];
    seen.add(line);
    return [line];
  });
}

/** Pure: the job-summary section that tells a maintainer how to finish the release. */
export function resumeSummary(tag: string, errors: readonly Error[] = []): string {
  const codes = [...new Set(errors.map((e) => (e as { code?: string }).code).filter(Boolean))];
  return [
    `## Release ${tag} stopped halfway`,
    "",
    `The tag \`${tag}\` is pushed, but publishing did not finish${codes.length ? ` (${codes.map((c) => `\`${c}\``).join(", ")})` : ""}. Do not delete the tag: fix the cause shown in the log, then finish the release (it uploads only what is missing and reuses the draft and the files it keeps):`,
    "",
    "```sh",
    resumeCommandLine(tag),
    "```",
    "",
    ...errorList(errors),
    "",
  ].join("\n");
}

/** Pure: the job-summary section of a release that failed before its tag: nothing to finish, fix and run again. */
export function untaggedSummary(tag: string | undefined, errors: readonly Error[] = []): string {
  return [
    `## Release${tag ? ` ${tag}` : ""} failed before anything was tagged`,
    "",
    "Nothing was tagged or published. Fix the cause (each code is explained in the log and in the README's error codes), then run the release again:",
    "",
    ...errorList(errors),
    "",
  ].join("\n");
}

/**
 * The `fail` step body: say, in the log and in the GitHub Actions job summary, what failed
 * and what to do. Once the release tag exists (semantic-release pushes it before publishing),
 * that is the exact command that finishes the release; before it, a fix and a rerun.
 */
export async function fail(_pluginConfig: PluginConfig, context: Context): Promise<void> {
  const tag = context.nextRelease?.gitTag;
  const summaryFile = context.env.GITHUB_STEP_SUMMARY;
  const tagged = tag ? (await run("git", ["rev-parse", "-q", "--verify", `refs/tags/${tag}`], { cwd: context.cwd })).exitCode === 0 : false;
  if (!tag || !tagged) {
    context.logger.log("Nothing was tagged: fix the cause above and run the release again.");
    if (summaryFile) await appendFile(summaryFile, `${untaggedSummary(tag, context.errors ?? [])}\n`);
    return;
  }
  context.logger.error("The release %s is tagged but not finished. Fix the cause above, then finish it with:\n\n    %s\n", tag, resumeCommandLine(tag));
  if (summaryFile) await appendFile(summaryFile, `${resumeSummary(tag, context.errors ?? [])}\n`);
}
