import { resolve } from "node:path";
import { format } from "node:util";
import type { Context, Logger, PluginConfig } from "../context.js";
import { readPypiOptions } from "../pypi/options.js";
import { releaseContext } from "../release/context.js";
import { githubClientFor } from "../release/github.js";
import { readArtifactsOptions } from "../release/record.js";
import { joinNotes, loadPlugins, releasesOf, runFail, runStep, type LoadedPlugin } from "../release/lifecycle.js";
import { RELEASE_PLUGINS, RESUMED_STEPS, type ReleasePlugin } from "../release/plugins.js";
import { compareRebuiltWithIndex, takeFilesFromDraft, type DraftFiles } from "./files.js";

export interface ResumeRequest {
  tag: string;
  commit: string;
  /** A worktree of the tagged commit: the plugins run there. */
  worktree: string;
  /** The user's folder: tags, the origin remote, and where the dists and the manifest go. */
  cwd: string;
  config: Record<string, any>;
  env: Record<string, string | undefined>;
  logger: Logger;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** The lifecycle table whose steps are replayed. */
  plugins?: readonly ReleasePlugin[];
}

/**
 * Finish a release whose tag exists: replay the table's resumed steps on the tagged commit.
 * Every step is idempotent, so a finished release is a no-op. The files come from the draft
 * release when it keeps them; a plugin that builds them is then skipped in prepare.
 */
export async function resumeRelease(request: ResumeRequest): Promise<void> {
  const { tag, commit, logger } = request;
  const pluginConfig = resumeConfig(request.config, request.cwd);
  const context = await releaseContext({ config: request.config, cwd: request.worktree, repoDir: request.cwd, env: request.env, logger, stdout: request.stdout, stderr: request.stderr, tag });
  logger.log("Resuming %s (commit %s) in a temporary worktree", tag, commit.slice(0, 12));
  const plugins = await loadPlugins(request.plugins ?? RELEASE_PLUGINS);
  let draftFiles: DraftFiles | undefined;
  try {
    for (const step of RESUMED_STEPS) {
      if (step === "generateNotes") context.nextRelease!.notes = await releaseNotes(plugins, pluginConfig, context);
      else if (step === "prepare") draftFiles = await prepare(plugins, pluginConfig, context);
      else if (step === "publish") context.releases = releasesOf(await runStep(plugins, step, pluginConfig, context));
      else await runStep(plugins, step, pluginConfig, context);
    }
  } catch (error) {
    await runFail(plugins, pluginConfig, context, error);
    throw error;
  } finally {
    await draftFiles?.cleanup();
  }
  logger.success("%s is complete", tag);
}

/** The files the draft keeps are taken back; a plugin that builds them runs only when some are missing, and the originals win. */
async function prepare(plugins: readonly LoadedPlugin[], pluginConfig: PluginConfig, context: Context): Promise<DraftFiles | undefined> {
  if (!plugins.some((plugin) => plugin.buildsKeptFiles)) {
    await runStep(plugins, "prepare", pluginConfig, context);
    return undefined;
  }
  const draftFiles = await takeFilesFromDraft(pluginConfig, context);
  await runStep(plugins, "prepare", pluginConfig, context, (plugin) => draftFiles.complete && Boolean(plugin.buildsKeptFiles));
  await draftFiles.putBack();
  if (!draftFiles.complete) await compareRebuiltWithIndex(pluginConfig, context, draftFiles.restored);
  return draftFiles;
}

/** The notes of the existing GitHub release when there is one; else what the table's generateNotes steps write from the commits. */
async function releaseNotes(plugins: readonly LoadedPlugin[], pluginConfig: PluginConfig, context: Context): Promise<string> {
  const existing = await githubClientFor(pluginConfig, context)?.findReleaseByTag(context.nextRelease!.gitTag);
  if (existing?.body) return existing.body;
  return joinNotes(await runStep(plugins, "generateNotes", pluginConfig, context)) || `Release ${context.nextRelease!.gitTag}.`;
}

/**
 * Pure: the user's config with the paths a worktree must not swallow made absolute against
 * the user's folder: the dists (and the manifest beside them) stay where a normal run puts them.
 */
export function resumeConfig(config: Record<string, any>, cwd: string): PluginConfig {
  const pluginConfig: PluginConfig = { ...config };
  const { options, problems } = readPypiOptions(config);
  if (!problems.length) pluginConfig.pypi = { ...(config.pypi ?? {}), distDir: resolve(cwd, options.distDir) };
  const { manifest } = readArtifactsOptions(config).options;
  if (typeof manifest === "string") pluginConfig.artifacts = { ...config.artifacts, manifest: resolve(cwd, manifest) };
  return pluginConfig;
}

/** The resume log: each line prefixed, like semantic-release's. */
export function resumeLogger(write: (text: string) => void): Logger {
  const say = (level: string) => (...args: unknown[]) => write(`[pyrelease resume] ${level}${format(...args)}\n`);
  return { log: say(""), warn: say("⚠ "), error: say("✖ "), success: say("✔ ") };
}
