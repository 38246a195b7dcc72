import type { Context, Logger } from "../context.js";
import { getError } from "../errors.js";
import { run } from "../exec.js";
import { semverToPep440 } from "../version/pep440.js";
import { branchOf } from "../version/branch.js";
import { DEFAULT_TAG_FORMAT, tagOfVersion, versionFromTag } from "../version/tag.js";

/**
 * The one builder of a semantic-release context for a release that already has its tag, for
 * the commands that run plugin steps outside semantic-release: `pyrelease resume` and
 * `pyrelease images finalize`. What semantic-release would have computed is read back from
 * git: the version from the tag, the commit, the previous release, the branch kind.
 */

export interface ReleaseContextRequest {
  /** The user's release configuration (see config/load.ts). */
  config: Record<string, any>;
  /** Where the plugins run: the release's checkout (resume: a temporary worktree of the tag). */
  cwd: string;
  /** The user's repository, which holds the tags and the origin remote; default `cwd`. */
  repoDir?: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** The release, by tag or by version (one is needed). */
  tag?: string;
  version?: string;
}

export async function releaseContext(request: ReleaseContextRequest): Promise<Context> {
  const { config } = request;
  const repoDir = request.repoDir ?? request.cwd;
  const git = (args: string[], cwd = repoDir) => run("git", args, { cwd });
  const tagFormat = typeof config.tagFormat === "string" ? config.tagFormat : DEFAULT_TAG_FORMAT;
  const gitTag = request.tag ?? tagOfVersion(request.version!, tagFormat);
  const version = request.version ?? versionFromTag(gitTag, tagFormat);
  if (!version || !semverToPep440(version).ok) throw getError("ENORELEASETAG", { tag: gitTag, reason: `it does not carry a release version in the tag format ${tagFormat}` });

  const tagged = await git(["rev-parse", "-q", "--verify", `refs/tags/${gitTag}^{commit}`]);
  const gitHead = tagged.exitCode === 0 ? tagged.stdout.trim() : (await git(["rev-parse", "HEAD"], request.cwd)).stdout.trim();
  const repositoryUrl = config.repositoryUrl ?? (await git(["config", "--get", "remote.origin.url"])).stdout.trim();
  const tags = (await git(["tag", "--list"])).stdout.split("\n").filter(Boolean);
  const branch = branchOf(version, tags.map((t) => versionFromTag(t, tagFormat)).filter((v): v is string => Boolean(v)));
  const lastRelease = await previousRelease(repoDir, gitTag, tagFormat);
  const range = lastRelease.gitTag ? `${lastRelease.gitTag}..${gitHead}` : gitHead;
  const log = await git(["log", "--format=%H%x1f%B%x1e", range]);
  return {
    cwd: request.cwd,
    env: { ...request.env },
    logger: request.logger,
    stdout: request.stdout,
    stderr: request.stderr,
    options: { ...config, dryRun: false, tagFormat, repositoryUrl, branches: config.branches },
    branch,
    branches: [branch],
    lastRelease,
    nextRelease: { version, gitTag, gitHead, channel: branch.channel || null, name: gitTag },
    commits: parseLog(log.exitCode === 0 ? log.stdout : ""),
    releases: [],
  };
}

/** The release before `tag` (for the notes' compare link and commit range). */
async function previousRelease(cwd: string, tag: string, tagFormat: string): Promise<NonNullable<Context["lastRelease"]>> {
  const previous = await run("git", ["describe", "--tags", "--abbrev=0", `${tag}^`], { cwd });
  const previousTag = previous.exitCode === 0 ? previous.stdout.trim() : undefined;
  const version = previousTag && versionFromTag(previousTag, tagFormat);
  if (!previousTag || !version) return {};
  const head = await run("git", ["rev-list", "-n", "1", previousTag], { cwd });
  return { version, gitTag: previousTag, gitHead: head.stdout.trim() };
}

/** Pure: `git log --format=%H%x1f%B%x1e` output as semantic-release's commit objects. */
export function parseLog(text: string): NonNullable<Context["commits"]> {
  return text
    .split("\x1e")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [hash, message = ""] = entry.split("\x1f");
      return { hash, message: message.trim(), subject: message.trim().split("\n")[0], commit: { long: hash, short: hash.slice(0, 7) } };
    });
}
