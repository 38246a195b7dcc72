import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { parseArgs, format } from "node:util";
import { versionFromTag } from "../ci.js";
import { loadReleaseConfig } from "../config/load.js";
import type { Branch, Context, PluginConfig, ReleaseRecord } from "../context.js";
import { getError } from "../errors.js";
import { run } from "../exec.js";
import { githubClientFor } from "../release/github.js";
import { gt } from "@renovatebot/pep440";
import { semverToPep440 } from "../version/pep440.js";
import { reportError, type CommandIO } from "./io.js";

const USAGE = "usage: pyrelease resume --tag vX.Y.Z\n";
const PRESET = "semantic-release-config-pyproject";

/**
 * `pyrelease resume --tag vX.Y.Z`: finish a release whose tag exists but whose publish
 * stopped halfway (or a tag pushed by hand). The tag's commit is checked out in a
 * temporary worktree and the plugins' own steps run again; every one of them is
 * idempotent, so a finished release is a no-op.
 */
export async function resumeCommand(argv: string[], io: CommandIO): Promise<number> {
  let values: { tag?: string };
  try {
    values = parseArgs({ args: argv, options: { tag: { type: "string" } } }).values;
  } catch {
    io.stderr(USAGE);
    return 2;
  }
  const tag = values.tag ?? (io.env.GITHUB_REF_TYPE === "tag" ? io.env.GITHUB_REF_NAME : undefined) ?? io.env.CI_COMMIT_TAG;
  if (!tag) {
    io.stderr(USAGE);
    return 2;
  }
  let worktree: string | undefined;
  try {
    const commit = await tagCommit(io.cwd, tag);
    worktree = await addWorktree(io.cwd, commit);
    // The tagged commit's configuration is the release's (else the current one); shareable configs come from the installed node_modules.
    const tagged = await loadReleaseConfig(worktree, io.cwd);
    const config = Object.keys(tagged).length ? tagged : await loadReleaseConfig(io.cwd);
    await resumeRelease({ tag, commit, worktree, config, io });
    return 0;
  } catch (error) {
    return reportError(error, io);
  } finally {
    if (worktree) {
      await run("git", ["worktree", "remove", "--force", worktree], { cwd: io.cwd });
      await rm(dirname(worktree), { recursive: true, force: true });
    }
  }
}

async function git(cwd: string, args: string[]) {
  return run("git", args, { cwd });
}

/** The commit of `tag`, fetched from origin when only the remote has it. */
async function tagCommit(cwd: string, tag: string): Promise<string> {
  const resolveTag = () => git(cwd, ["rev-parse", "-q", "--verify", `refs/tags/${tag}^{commit}`]);
  let found = await resolveTag();
  if (found.exitCode !== 0) {
    await git(cwd, ["fetch", "-q", "origin", `refs/tags/${tag}:refs/tags/${tag}`]);
    found = await resolveTag();
  }
  if (found.exitCode !== 0) throw getError("ENORELEASETAG", { tag, reason: "not in this repository nor on origin" });
  return found.stdout.trim();
}

async function addWorktree(cwd: string, commit: string): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), "pyrelease-resume-")), "tree");
  const added = await git(cwd, ["worktree", "add", "-q", "--detach", dir, commit]);
  if (added.exitCode !== 0) throw new Error(`git worktree add failed: ${added.all}`);
  return dir;
}

interface ResumeRequest {
  tag: string;
  commit: string;
  worktree: string;
  config: Record<string, any>;
  io: CommandIO;
}

/**
 * Pure: the branch a release of `version` came from, as far as the plugins care (channel,
 * latest tags, prerelease). A stable version below the newest stable release came from a
 * maintenance branch: resuming it must not move `latest` backwards.
 */
export function branchOf(version: string, releasedVersions: readonly string[] = []): Branch {
  const prerelease = /-([0-9A-Za-z]+)/.exec(version)?.[1];
  if (prerelease) return { name: prerelease, type: "prerelease", prerelease, channel: prerelease };
  const pep440 = semverToPep440(version);
  const newer = releasedVersions.some((other) => {
    const converted = semverToPep440(other);
    return converted.ok && pep440.ok && !/-/.test(other) && gt(converted.pep440, pep440.pep440);
  });
  return newer ? { name: `${version.split(".")[0]}.x`, type: "maintenance", channel: null } : { name: "main", type: "release", main: true, channel: null };
}

/**
 * Pure: the user's config with the paths a worktree must not swallow made absolute
 * against the user's folder: the dists and release-manifest.json stay where a normal run puts them.
 */
export function resumeConfig(config: Record<string, any>, cwd: string): PluginConfig {
  const pluginConfig: PluginConfig = { ...config };
  if (config.pypi === undefined || (typeof config.pypi === "object" && config.pypi !== null && !Array.isArray(config.pypi))) {
    const distDir = config.pypi?.distDir ?? "dist";
    if (typeof distDir === "string") pluginConfig.pypi = { ...(config.pypi ?? {}), distDir: isAbsolute(distDir) ? distDir : resolve(cwd, distDir) };
  }
  const manifest = config.artifacts?.manifest;
  if (manifest !== false) {
    const path = typeof manifest === "string" ? manifest : "release-manifest.json";
    pluginConfig.artifacts = { ...(config.artifacts ?? {}), manifest: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  return pluginConfig;
}

async function resumeRelease({ tag, commit, worktree, config, io }: ResumeRequest): Promise<void> {
  const tagFormat = typeof config.tagFormat === "string" ? config.tagFormat : "v${version}";
  const version = versionFromTag(tag, tagFormat);
  if (!version || !semverToPep440(version).ok) throw getError("ENORELEASETAG", { tag, reason: `it does not carry a release version in the tag format ${tagFormat}` });
  const repositoryUrl = config.repositoryUrl ?? (await git(io.cwd, ["config", "--get", "remote.origin.url"])).stdout.trim();
  const tags = (await git(io.cwd, ["tag", "--list"])).stdout.split("\n").filter(Boolean);
  const branch = branchOf(version, tags.map((t) => versionFromTag(t, tagFormat)).filter((v): v is string => Boolean(v)));
  const say = (level: string) => (...args: unknown[]) => io.stdout(`[pyrelease resume] ${level}${format(...args)}\n`);
  const logger = { log: say(""), warn: say("⚠ "), error: say("✖ "), success: say("✔ ") };
  const pluginConfig = resumeConfig(config, io.cwd);
  const context: Context = {
    cwd: worktree,
    env: { ...io.env },
    logger,
    stdout: { write: (text: string) => (io.stdout(text), true) } as unknown as NodeJS.WriteStream,
    stderr: { write: (text: string) => (io.stderr(text), true) } as unknown as NodeJS.WriteStream,
    options: { ...config, dryRun: false, tagFormat, repositoryUrl, branches: config.branches },
    branch,
    branches: [branch],
    nextRelease: { version, gitTag: tag, gitHead: commit, channel: branch.channel || null, name: tag },
    releases: [],
  };
  logger.log("Resuming %s (commit %s) in a temporary worktree", tag, commit.slice(0, 12));
  context.lastRelease = await previousRelease(io.cwd, tag, tagFormat);
  context.nextRelease!.notes = await releaseNotes(pluginConfig, context);

  const pyproject = await import("../plugins/pyproject.js");
  const artifacts = await import("../plugins/artifacts.js");
  const pypi = await import("../plugins/pypi.js");
  await pyproject.verifyConditions(pluginConfig, context);
  await pyproject.verifyRelease(pluginConfig, context);
  await artifacts.verifyConditions(pluginConfig, context);
  await pypi.verifyConditions(pluginConfig, context);

  const releases: ReleaseRecord[] = [];
  const record = (plugin: string, result: unknown) => {
    if (result && typeof result === "object") releases.push({ ...(result as ReleaseRecord), pluginName: `${PRESET}/${plugin}` });
  };
  record("artifacts", await artifacts.publish(pluginConfig, context));
  await pypi.prepare(pluginConfig, context);
  record("pypi", await pypi.publish(pluginConfig, context));
  if (config.images) {
    const images = await import("../plugins/images.js");
    await images.verifyConditions(pluginConfig, context);
    record("images", await images.publish(pluginConfig, context));
  }
  await artifacts.success(pluginConfig, { ...context, releases });
  logger.success("%s is complete", tag);
}

/** The release before `tag` (for the notes' compare link and commit range). */
async function previousRelease(cwd: string, tag: string, tagFormat: string): Promise<Context["lastRelease"]> {
  const previous = await git(cwd, ["describe", "--tags", "--abbrev=0", `${tag}^`]);
  const previousTag = previous.exitCode === 0 ? previous.stdout.trim() : undefined;
  const version = previousTag && versionFromTag(previousTag, tagFormat);
  if (!previousTag || !version) return {};
  const head = await git(cwd, ["rev-list", "-n", "1", previousTag]);
  return { version, gitTag: previousTag, gitHead: head.stdout.trim() };
}

/** The notes of the existing GitHub release when there is one; else what the notes plugin writes from the commits. */
async function releaseNotes(pluginConfig: PluginConfig, context: Context): Promise<string> {
  const existing = await githubClientFor(pluginConfig, context)!.findReleaseByTag(context.nextRelease!.gitTag);
  if (existing?.body) return existing.body;
  try {
    const range = context.lastRelease?.gitTag ? `${context.lastRelease.gitTag}..${context.nextRelease!.gitTag}` : context.nextRelease!.gitTag;
    const log = await git(context.cwd, ["log", "--format=%H%x1f%B%x1e", range]);
    context.commits = log.stdout
      .split("\x1e")
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const [hash, message = ""] = entry.split("\x1f");
        return { hash, message: message.trim(), subject: message.trim().split("\n")[0], commit: { long: hash, short: hash.slice(0, 7) } };
      });
    const notes = await import("../plugins/notes.js");
    return await notes.generateNotes(pluginConfig, context);
  } catch (error) {
    context.logger.warn("Could not write release notes from the commits (%s); the release gets a short placeholder to curate", (error as Error).message);
    return `Release ${context.nextRelease!.gitTag}.`;
  }
}
