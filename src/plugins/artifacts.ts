import type { Context, PluginConfig } from "../context.js";
import { githubToken } from "../github/client.js";
import { githubClientFor } from "../release/github.js";
import { recordArtifacts } from "../github/record.js";
import { getError } from "../errors.js";
import type { ConfigProblem } from "../config/problem.js";

/**
 * The release record: a GitHub release created as a draft (the human-curation pause),
 * and after publishing, one "Artifacts" section in it with every file hash and image digest.
 * Options for @semantic-release/github are passed through; these defaults keep the
 * release private until a human publishes it.
 */
const GITHUB_DEFAULTS = {
  draftRelease: true,
  successComment: false,
  releasedLabels: false,
  failComment: false,
  failTitle: false,
  labels: false,
};

/** Loaded only when used: it costs half a second, and a dry run without a token never needs it. */
const github = () => import("@semantic-release/github");

function githubConfig(pluginConfig: PluginConfig): PluginConfig {
  const config: PluginConfig = { ...pluginConfig };
  for (const [key, value] of Object.entries(GITHUB_DEFAULTS)) if (config[key] === undefined) config[key] = value;
  return config;
}

export async function verifyConditions(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const problems = artifactsOptionProblems(pluginConfig.artifacts);
  if (problems.length) throw getError("EINVALIDCONFIG", { problems });
  if (context.options.dryRun && !githubToken(context.env)) {
    context.logger.warn("No GitHub token (GITHUB_TOKEN or GH_TOKEN): GitHub checks skipped in this dry run; a real run needs one.");
    return;
  }
  await (await github()).verifyConditions(githubConfig(pluginConfig), context);
}

export async function verifyRelease(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const { draftRelease } = githubConfig(pluginConfig);
  context.logger.log(
    draftRelease
      ? "GitHub release %s will be created as a DRAFT: curate its notes and publish it by hand"
      : "GitHub release %s will be published directly (draftRelease: false)",
    context.nextRelease!.gitTag,
  );
}

/** Create the draft, or reuse the release a previous, interrupted run already created for this tag. */
export async function publish(pluginConfig: PluginConfig, context: Context) {
  const existing = await existingRelease(pluginConfig, context);
  if (existing) {
    context.logger.log("GitHub release for %s already exists (%s): reusing it", context.nextRelease!.gitTag, existing.html_url);
    return { url: existing.html_url, name: "GitHub release", id: existing.id };
  }
  return (await github()).publish(githubConfig(pluginConfig), context);
}

export async function addChannel(pluginConfig: PluginConfig, context: Context) {
  return (await github()).addChannel(githubConfig(pluginConfig), context);
}

export async function success(pluginConfig: PluginConfig, context: Context): Promise<void> {
  await recordArtifacts(pluginConfig, context);
}

/** Pure: what is wrong with the `artifacts` options (`manifest`: a path, or false). */
function artifactsOptionProblems(raw: unknown): ConfigProblem[] {
  if (raw === undefined) return [];
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return [{ key: "artifacts", reason: "must be an object" }];
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key !== "manifest") problems.push({ key: `artifacts.${key}`, reason: "is not an option (manifest)" });
    else if (value !== false && !(typeof value === "string" && value.trim())) problems.push({ key: "artifacts.manifest", reason: "must be a file path, or false for no manifest" });
  }
  return problems;
}

async function existingRelease(pluginConfig: PluginConfig, context: Context) {
  const client = githubClientFor(pluginConfig, context);
  return (await client?.findReleaseByTag(context.nextRelease!.gitTag)) ?? undefined;
}

/** A failed publish leaves a tag: the fail step says exactly how to finish the release. */
export { fail } from "../resume/fail.js";
