import { appendFile } from "node:fs/promises";
import type { Context } from "../context.js";
import { writeGitHubOutput } from "../ci.js";

/** Why this run releases nothing although the commits call for a release. */
export type HoldKind = "unbumped" | "milestone" | "checks";

export interface Hold {
  kind: HoldKind;
  /** A few words: the annotation's title and the summary's heading. */
  title: string;
  /** One line: what holds the release and what releases it. */
  message: string;
}

/**
 * Pure: a GitHub Actions `::notice` workflow command. Data and properties are escaped as
 * @actions/core does (toolkit packages/core/src/command.ts, escapeData/escapeProperty), so a
 * newline or `::` in the text cannot end the command early or start another one.
 */
export function noticeCommand(hold: Hold): string {
  return `::notice title=${escapeProperty(hold.title)}::${escapeData(hold.message)}\n`;
}

/** Pure: the job-summary section of a held release. */
export function holdSummary(hold: Hold): string {
  return `## ${hold.title}\n\n${hold.message}\n\n`;
}

/**
 * Say a held release everywhere a maintainer looks: the log, a notice annotation on the
 * run, the job summary, and `held=<kind>` in $GITHUB_OUTPUT, which a later workflow step
 * can turn into a failed job when the team wants that.
 */
export async function reportHold(context: Pick<Context, "env" | "logger" | "stdout">, hold: Hold): Promise<void> {
  const { env, logger } = context;
  logger.log(hold.message);
  if (env.GITHUB_ACTIONS === "true") (context.stdout ?? process.stdout).write(noticeCommand(hold));
  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, holdSummary(hold));
  await writeGitHubOutput(env, { held: hold.kind });
}

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}
