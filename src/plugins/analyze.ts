import * as analyzer from "@semantic-release/commit-analyzer";
import type { Context, PluginConfig } from "../context.js";
import { getError, isSemanticReleaseError } from "../errors.js";
import { run } from "../exec.js";
import { deprecatingCommits, referencedNumbers } from "../analyze/commits.js";
import { readAnalyzeOptions, type AnalyzeOptions } from "../analyze/options.js";
import { releaseType } from "../analyze/release-type.js";
import { gatedRelease, milestoneVerdict, referencesVerdict, type GatedRelease, type Milestone, type Referenced } from "../cadence/gate.js";
import { readCadenceOptions, type CadenceOptions } from "../cadence/options.js";
import { describeCheck } from "../gates/checks.js";
import { formatDuration, readGatesOptions, type GatesOptions } from "../gates/options.js";
import { reportHold } from "../gates/report.js";
import { readOnUnbumped, unbumpedHold, type OnUnbumped } from "../gates/unbumped.js";
import { waitForChecks } from "../gates/wait.js";
import type { GitHubClient } from "../github/client.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject } from "../pyproject/read.js";
import { nextVersion, type NextVersionFacts, type ReleaseType } from "../version/next.js";
import { githubClientFor } from "../release/github.js";
import { optionsOrThrow, type OptionsReader } from "../release/options.js";

/**
 * Whether the commits make a release, and when it may go out:
 * 1. the release type: the real commit-analyzer (conventionalcommits preset), then the
 *    preset's rules (a deprecation is at least a minor; `analyze.majorOnZero`);
 * 2. `pyproject.onUnbumped: "wait"`: no release while pyproject.toml holds the last version;
 * 3. the milestone cadence (`cadence.minor`/`cadence.major`);
 * 4. the gates: `gates.checks` green on the release commit.
 * A hold answers "no release" (semantic-release exits 0) and says so in the log, the job
 * summary and a notice annotation.
 */
export async function verifyConditions(pluginConfig: PluginConfig): Promise<void> {
  optionsOrThrow(readOptions, pluginConfig);
}

export async function analyzeCommits(pluginConfig: PluginConfig, context: Context): Promise<string | null> {
  const options = optionsOrThrow(readOptions, pluginConfig);
  // No `DEPRECATED` note keyword here: the analyzer counts any note as breaking.
  const analyzed = await analyzer.analyzeCommits(
    { preset: "conventionalcommits", ...(pluginConfig.releaseRules ? { releaseRules: pluginConfig.releaseRules } : {}) },
    context,
  );
  const commits = context.commits ?? [];
  const { type, reasons } = releaseType({
    analyzed,
    deprecating: await deprecatingCommits(commits),
    lastVersion: context.lastRelease?.version,
    majorOnZero: options.analyze.majorOnZero,
  });
  for (const reason of reasons) context.logger.log("Release type: %s", reason);
  if (!type) return null;

  if (options.onUnbumped === "wait" && (await waitsForBump(pluginConfig, context, type))) return null;
  if (!(await passesCadence(pluginConfig, context, options.cadence, type))) return null;
  if (!(await passesChecks(pluginConfig, context, options.gates, type))) return null;
  return type;
}

interface Options {
  analyze: AnalyzeOptions;
  cadence: CadenceOptions;
  gates: GatesOptions;
  onUnbumped: OnUnbumped;
}

/** The four option groups this step reads, with every problem of all of them. */
const readOptions: OptionsReader<Options> = (pluginConfig) => {
  const analyze = readAnalyzeOptions(pluginConfig);
  const cadence = readCadenceOptions(pluginConfig);
  const gates = readGatesOptions(pluginConfig);
  const unbumped = readOnUnbumped(pluginConfig);
  return {
    options: { analyze: analyze.options, cadence: cadence.options, gates: gates.options, onUnbumped: unbumped.onUnbumped },
    problems: [...analyze.problems, ...cadence.problems, ...gates.problems, ...unbumped.problems],
  };
};

function upcomingVersion(context: Context, type: ReleaseType): string {
  return nextVersion({ type, branch: (context.branch ?? { type: "release" }) as NextVersionFacts["branch"], lastRelease: context.lastRelease as NextVersionFacts["lastRelease"] });
}

/** Verify mode only: pyproject.toml still holding the last release means its release PR has not been merged yet. */
async function waitsForBump(pluginConfig: PluginConfig, context: Context, type: ReleaseType): Promise<boolean> {
  const options = optionsOrThrow(readPyprojectOptions, pluginConfig);
  if (options.versionMode !== "verify") return false;
  // ./pyproject reports an unreadable pyproject.toml; without one there is nothing to wait for.
  const pyproject = await readPyproject(context.cwd, options.path).catch(() => undefined);
  // A dynamic version (undefined) has no release PR to wait for: ./pyproject explains what to change.
  if (!pyproject?.version) return false;
  const hold = unbumpedHold({
    pyprojectVersion: pyproject.version,
    path: options.path,
    lastVersion: context.lastRelease?.version,
    nextVersion: upcomingVersion(context, type),
    releaseType: type,
    commitCount: context.commits?.length ?? 0,
  });
  if (hold) await reportHold(context, hold);
  return Boolean(hold);
}

async function passesCadence(pluginConfig: PluginConfig, context: Context, options: CadenceOptions, type: ReleaseType): Promise<boolean> {
  const gated = gatedRelease(type, context.branch, context.lastRelease?.version, options);
  if (!gated) {
    if ((type === "minor" || type === "major") && options[type] === "milestone") {
      context.logger.log("%s release on prerelease branch %s: not held by the milestone cadence (prereleases try the milestone's work before it closes)", type, context.branch?.name);
    }
    return true;
  }
  const what = gated.milestone ?? "of the referenced work";
  const client = githubClientFor(pluginConfig, context);
  // Only a dry run gets here without a client (a real run fails with ENOGHTOKEN): it goes on, so `pyrelease plan` shows the rest.
  if (!client) {
    context.logger.warn(
      "%s release %s: without a GitHub token (GITHUB_TOKEN or GH_TOKEN) the milestone %s cannot be checked; this dry run goes on as if it were closed, a real run holds the release while it is open",
      gated.type, gated.version, what,
    );
    return true;
  }
  const verdict = await milestoneCheck(client, context, gated);
  if (verdict.release) {
    context.logger.log(verdict.message);
    return true;
  }
  await reportHold(context, { kind: "milestone", title: `Release ${gated.version} waits for its milestone`, message: verdict.message });
  return false;
}

async function milestoneCheck(client: GitHubClient, context: Context, gated: GatedRelease): Promise<{ release: boolean; message: string }> {
  try {
    if (gated.milestone !== undefined) return milestoneVerdict(gated, await client.findMilestone(gated.milestone));
    const referenced: Referenced[] = [];
    for (const number of await referencedNumbers(context.commits ?? [])) {
      const issue = await client.getIssue(number);
      if (issue) referenced.push({ number, milestone: issue.milestone as Milestone | null });
    }
    return referencesVerdict(gated, referenced);
  } catch (error) {
    if (!isSemanticReleaseError(error)) throw error;
    const said = /^GitHub said: .*/m.exec(error.details ?? "")?.[0];
    throw getError("EMILESTONECHECK", { ...gated, milestone: gated.milestone ?? "of the referenced issues", reason: [error.message, said].filter(Boolean).join(" ") });
  }
}

async function passesChecks(pluginConfig: PluginConfig, context: Context, options: GatesOptions, type: ReleaseType): Promise<boolean> {
  if (options.checks.length === 0) return true;
  const version = upcomingVersion(context, type);
  const names = options.checks.join(", ");
  const client = githubClientFor(pluginConfig, context);
  if (!client) {
    context.logger.warn(
      "%s release %s: without a GitHub token (GITHUB_TOKEN or GH_TOKEN) the checks %s cannot be read; this dry run goes on as if they were green, a real run releases only once they are",
      type, version, names,
    );
    return true;
  }
  const head = await run("git", ["rev-parse", "HEAD"], { cwd: context.cwd });
  const sha = head.stdout.trim();
  const dryRun = Boolean(context.options.dryRun);
  context.logger.log("Release %s needs %s green on %s%s", version, names, sha.slice(0, 7), dryRun ? " (a dry run looks once)" : ` (waiting up to ${formatDuration(options.timeoutMs)})`);
  let result;
  try {
    result = await waitForChecks(client, sha, { names: options.checks, timeoutMs: options.timeoutMs, intervalMs: options.intervalMs, once: dryRun, log: (line) => context.logger.log(line) });
  } catch (error) {
    if (!isSemanticReleaseError(error)) throw error;
    const said = /^GitHub said: .*/m.exec(error.details ?? "")?.[0];
    throw getError("EGATECHECK", { version, reason: [error.message, said].filter(Boolean).join(" ") });
  }
  if (result.outcome === "pass") {
    context.logger.log("Checks passed on %s: %s", sha.slice(0, 7), result.checks.map(describeCheck).join(", "));
    return true;
  }
  if (result.outcome === "fail") {
    const failed = result.checks.filter((check) => check.state === "failure");
    if (!dryRun) throw getError("EGATEFAILED", { version, sha, failed });
    context.logger.warn("A real run would stop with EGATEFAILED: %s failed on %s", failed.map(describeCheck).join(", "), sha.slice(0, 7));
    return false;
  }
  const pending = result.checks.filter((check) => check.state !== "success");
  if (!dryRun && options.onTimeout === "fail") throw getError("EGATETIMEOUT", { version, sha, pending, waited: formatDuration(Math.round(result.waitedMs / 1000) * 1000) });
  await reportHold(context, {
    kind: "checks",
    title: `Release ${version} waits for ${pending.map((check) => check.name).join(", ")}`,
    message: `${type} release ${version} held: ${pending.map(describeCheck).join(", ")} not finished on ${sha.slice(0, 7)}${dryRun ? " (a real run waits up to " + formatDuration(options.timeoutMs) + ")" : "; a later run releases once it is green"}`,
  });
  return false;
}

