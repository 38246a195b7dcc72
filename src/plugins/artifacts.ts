import type { Context, PluginConfig } from "../context.js";
import { getError } from "../errors.js";
import type { GitHubRelease } from "../github/client.js";
import { keepInDraft } from "../github/assets.js";
import { GITHUB_RELEASE_NAME, readArtifactsOptions, recordArtifacts } from "../release/record.js";
import { listReleaseFiles, releaseFilesOf } from "../release/dists.js";
import { githubClientFor } from "../release/github.js";
import { optionsOrThrow } from "../release/options.js";

/**
 * The release record: a GitHub release created as a draft (the human-curation pause) that
 * keeps every built dist as an asset before anything goes to PyPI (the durable store
 * `pyrelease resume` takes the files back from), and after publishing, one "Artifacts"
 * section in it with every file hash and image digest.
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

/** What a release probe is called on GitHub: a note preview for a tag that never exists, so nothing is stored. */
export const PROBE_TAG = "pyrelease-permission-probe";

/** Loaded only when used: it costs half a second, and a dry run without a token never needs it. */
const github = () => import("@semantic-release/github");

function githubConfig(pluginConfig: PluginConfig): PluginConfig {
  const config: PluginConfig = { ...pluginConfig };
  for (const [key, value] of Object.entries(GITHUB_DEFAULTS)) if (config[key] === undefined) config[key] = value;
  return config;
}

/**
 * The options and @semantic-release/github's own checks (token, repository, `permissions.push`
 * outside GitHub Actions). What it does not check, that the token may write releases, is
 * probed in verifyRelease: in GitHub Actions it skips the permission check, and a
 * fine-grained token's `permissions` are the user's, not the token's.
 */
export async function verifyConditions(pluginConfig: PluginConfig, context: Context): Promise<void> {
  optionsOrThrow(readArtifactsOptions, pluginConfig);
  const client = githubClientFor(pluginConfig, context);
  if (!client) {
    context.logger.warn("No GitHub token (GITHUB_TOKEN or GH_TOKEN): GitHub checks skipped in this dry run; a real run needs one.");
    return;
  }
  await (await github()).verifyConditions(githubConfig(pluginConfig), context);
}

/**
 * The permission to write releases, proven before the tag (a release-notes preview, which
 * stores nothing). In verifyRelease, not verifyConditions: only a run that releases asks.
 */
async function probeReleaseWrite(pluginConfig: PluginConfig, context: Context): Promise<void> {
  const client = githubClientFor(pluginConfig, context);
  if (!client) return;
  if (context.options.dryRun) {
    context.logger.log("GitHub: a real run proves the token may create the release (a release-notes preview, which stores nothing) before anything is tagged");
    return;
  }
  const target = context.nextRelease?.gitHead ?? context.branch?.name ?? "HEAD";
  const allowed = await client.canWriteReleases(PROBE_TAG, target).catch((error: Error) => {
    // Only a refusal proves anything; any other failure is left to the real write to report.
    context.logger.warn("GitHub: could not check the permission to create releases (%s)", error.message);
    return undefined;
  });
  if (allowed === false) throw getError("EGITHUBPERMISSION", { owner: client.owner, repo: client.repo });
  if (allowed) context.logger.log("GitHub: the token may create releases in %s/%s", client.owner, client.repo);
}

export async function verifyRelease(pluginConfig: PluginConfig, context: Context): Promise<void> {
  await probeReleaseWrite(pluginConfig, context);
  const { draftRelease } = githubConfig(pluginConfig);
  context.logger.log(
    draftRelease
      ? "GitHub release %s will be created as a DRAFT: curate its notes and publish it by hand"
      : "GitHub release %s will be published directly (draftRelease: false)",
    context.nextRelease!.gitTag,
  );
}

/**
 * Create the draft (or reuse the one an interrupted run created) and keep every dist of the
 * release in it, with SHA256SUMS. Runs before `./pypi` publishes: what PyPI gets, the draft has.
 */
export async function publish(pluginConfig: PluginConfig, context: Context) {
  const client = githubClientFor(pluginConfig, context)!;
  const tag = context.nextRelease!.gitTag;
  let release: GitHubRelease | null = await client.findReleaseByTag(tag);
  if (release) context.logger.log("GitHub release for %s already exists (%s): reusing it", tag, release.html_url);
  else {
    const created = await (await github()).publish(githubConfig(pluginConfig), context);
    release = await client.getRelease(created.id);
    if (!release) throw getError("ENODRAFTRELEASE", { tag });
  }
  const files = await listReleaseFiles(await releaseFilesOf(pluginConfig, context));
  if (files.length) {
    const { uploaded, kept } = await keepInDraft(client, release, files);
    for (const file of uploaded) context.logger.log("Kept %s in the draft release (sha256 %s)", file.name, file.sha256);
    if (kept.length) context.logger.log("The draft release already keeps %s", kept.map((file) => file.name).join(", "));
  } else {
    context.logger.log("No dists of %s to keep in the draft release", tag);
  }
  return { url: release.html_url, name: GITHUB_RELEASE_NAME, id: release.id, assets: files.map(({ name, sha256, size }) => ({ name, sha256, size })) };
}

export async function addChannel(pluginConfig: PluginConfig, context: Context) {
  return (await github()).addChannel(githubConfig(pluginConfig), context);
}

export async function success(pluginConfig: PluginConfig, context: Context): Promise<void> {
  await recordArtifacts(pluginConfig, context);
}

/** A failed release says what failed and, once its tag exists, exactly how to finish it. */
export { fail } from "../resume/fail.js";
