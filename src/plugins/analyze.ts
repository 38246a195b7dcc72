import * as analyzer from "@semantic-release/commit-analyzer";
import type { Context, PluginConfig } from "../context.js";
import { getError, isSemanticReleaseError } from "../errors.js";
import { gatedRelease, milestoneVerdict, type GatedRelease, type Milestone } from "../cadence/gate.js";
import { readCadenceOptions, type CadenceOptions } from "../cadence/options.js";
import { githubClientFor } from "../release/github.js";

/**
 * The release type the commits call for (the real commit-analyzer, conventionalcommits
 * preset), held back by the milestone cadence: with `cadence.minor`/`cadence.major` set to
 * "milestone", such a release waits until the GitHub milestone `v{version}` is closed.
 */
export async function verifyConditions(pluginConfig: PluginConfig): Promise<void> {
  cadenceOptions(pluginConfig);
}

export async function analyzeCommits(pluginConfig: PluginConfig, context: Context): Promise<string | null> {
  const options = cadenceOptions(pluginConfig);
  // No `DEPRECATED` note keyword here: the analyzer counts any note as breaking.
  const type = await analyzer.analyzeCommits(
    { preset: "conventionalcommits", ...(pluginConfig.releaseRules ? { releaseRules: pluginConfig.releaseRules } : {}) },
    context,
  );
  const gated = gatedRelease(type, context.branch, context.lastRelease?.version, options);
  if (!gated) {
    if ((type === "minor" || type === "major") && options[type] === "milestone") {
      context.logger.log("%s release on prerelease branch %s: not held by the milestone cadence (prereleases try the milestone's work before it closes)", type, context.branch?.name);
    }
    return type;
  }

  const milestone = await findMilestone(pluginConfig, context, gated);
  if (milestone === undefined) return null;
  const verdict = milestoneVerdict(gated, milestone);
  context.logger.log(verdict.message);
  return verdict.release ? type : null;
}

/** The milestone (null: there is none); undefined when a dry run without a token cannot look. */
async function findMilestone(pluginConfig: PluginConfig, context: Context, gated: GatedRelease): Promise<Milestone | null | undefined> {
  const client = githubClientFor(pluginConfig, context);
  if (!client) {
    context.logger.warn(
      "%s release %s held in this dry run: without a GitHub token (GITHUB_TOKEN or GH_TOKEN) the milestone %s cannot be checked",
      gated.type,
      gated.version,
      gated.milestone,
    );
    return undefined;
  }
  try {
    return await client.findMilestone(gated.milestone);
  } catch (error) {
    if (!isSemanticReleaseError(error)) throw error;
    const said = /^GitHub said: .*/m.exec(error.details ?? "")?.[0];
    throw getError("EMILESTONECHECK", { ...gated, reason: [error.message, said].filter(Boolean).join(" ") });
  }
}

function cadenceOptions(pluginConfig: PluginConfig): CadenceOptions {
  const { options, problems } = readCadenceOptions(pluginConfig);
  if (problems.length) throw getError("EINVALIDCONFIG", { problems });
  return options;
}
