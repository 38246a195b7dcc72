import { readFile, rename, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { insertRelease } from "../changelog/insert.js";
import { readChangelogOptions } from "../changelog/options.js";
import { releaseSection } from "../changelog/release.js";
import { versionFromTag } from "../version/tag.js";
import { loadReleaseConfig } from "../config/load.js";
import { getError } from "../errors.js";
import { run } from "../exec.js";
import { parseGitHubRepo } from "../github/client.js";
import { optionsOrThrow } from "../release/options.js";
import { githubClientFor } from "../release/github.js";
import { reportError, type CommandIO } from "./io.js";

const USAGE = `Usage: pyrelease changelog sync --tag vX.Y.Z [--file CHANGELOG.md] [--repo owner/name]

Writes the published (curated) GitHub release of the tag into the changelog file, under
its version heading, newest first. Running it again changes nothing. The release
configuration's "changelog" key sets the file, the order ("newest-first" or "version"),
a heading template and whether the artifacts section is copied too.

  --tag   the release's tag (required)
  --file  the changelog file (default: changelog.file, else CHANGELOG.md)
  --repo  the GitHub repository (default: GITHUB_REPOSITORY, else the origin remote)

Needs GITHUB_TOKEN or GH_TOKEN; GITHUB_API_URL for GitHub Enterprise.
`;

interface SyncArgs {
  tag: string;
  file?: string;
  repo?: string;
}

/**
 * `pyrelease changelog sync --tag vX.Y.Z`. `argv` is what follows `changelog`
 * (a leading `changelog` is accepted too). Exit codes: 0 done, 1 failed, 2 usage.
 */
export async function changelogCommand(argv: string[], io: CommandIO): Promise<number> {
  const parsed = parseSyncArgs(argv[0] === "changelog" ? argv.slice(1) : argv);
  if ("help" in parsed) {
    io.stdout(USAGE);
    return 0;
  }
  if ("problem" in parsed) {
    io.stderr(`${parsed.problem}\n\n${USAGE}`);
    return 2;
  }
  try {
    await sync(parsed, io);
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

async function sync(args: SyncArgs, io: CommandIO): Promise<void> {
  const { owner, repo } = await repository(args, io);
  const config = await loadReleaseConfig(io.cwd);
  const options = optionsOrThrow(readChangelogOptions, config);
  // The user's config for the GitHub API URL and proxy; the repository as the arguments name it.
  const client = githubClientFor(config, { env: io.env, options: { repositoryUrl: `https://github.com/${owner}/${repo}` } })!;
  const release = await client.findReleaseByTag(args.tag);
  if (!release || release.draft) throw getError("ERELEASEDRAFT", { tag: args.tag });

  const file = args.file ?? options.file;
  const path = isAbsolute(file) ? file : join(io.cwd, file);
  const existing = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  const version = versionFromTag(args.tag, config.tagFormat) ?? args.tag;
  const { text, strippedCuratorBlock } = releaseSection(release, version, { heading: options.heading, artifacts: options.artifacts });
  const { content, action } = insertRelease(existing, { version, text }, options.order);
  if (strippedCuratorBlock) io.stdout(`The release ${args.tag} still holds the curator block: it was not copied into ${file}.\n`);
  if (action === "unchanged") {
    io.stdout(`${file} already holds the published ${args.tag}: nothing to do.\n`);
    return;
  }
  // Written next to the file and renamed over it, so an interrupted write never leaves half a changelog.
  const temporary = `${path}.pyrelease-${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, path);
  const done = { created: `${file} created with ${args.tag}`, inserted: `${file}: ${args.tag} added`, replaced: `${file}: ${args.tag} replaced by the published text` };
  io.stdout(`${done[action]}.\n`);
}

async function repository(args: SyncArgs, io: CommandIO): Promise<{ owner: string; repo: string }> {
  const named = args.repo ?? io.env.GITHUB_REPOSITORY;
  if (named) {
    const [owner, repo, ...rest] = named.split("/");
    if (owner && repo && rest.length === 0) return { owner, repo };
    throw getError("EINVALIDCONFIG", { problems: [{ key: args.repo ? "--repo" : "GITHUB_REPOSITORY", reason: `must be owner/name, not ${JSON.stringify(named)}` }] });
  }
  const remote = await run("git", ["config", "--get", "remote.origin.url"], { cwd: io.cwd });
  const found = remote.exitCode === 0 ? parseGitHubRepo(remote.stdout.trim()) : null;
  if (found) return found;
  throw getError("EINVALIDCONFIG", {
    problems: [{ key: "--repo", reason: "the GitHub repository is unknown: pass --repo owner/name or set GITHUB_REPOSITORY (the origin remote is not a GitHub URL)" }],
  });
}

/** Pure: `sync --tag … [--file …] [--repo …]` (also `--name=value`), help, or what is wrong with them. */
export function parseSyncArgs(argv: string[]): SyncArgs | { help: true } | { problem: string } {
  if (argv.includes("--help") || argv.includes("-h")) return { help: true };
  // The lead's CLI may pass what follows `sync` or what follows `changelog`.
  const [command, ...rest] = argv[0]?.startsWith("--") ? ["sync", ...argv] : argv;
  if (command !== "sync") return { problem: command ? `Unknown changelog command "${command}".` : "Missing the changelog command." };
  const values: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const match = /^--(tag|file|repo)(?:=(.*))?$/.exec(rest[i]);
    if (!match) return { problem: `Unknown argument "${rest[i]}".` };
    const value = match[2] ?? rest[++i];
    if (value === undefined || value === "") return { problem: `--${match[1]} needs a value.` };
    values[match[1]] = value;
  }
  if (!values.tag) return { problem: "--tag is required." };
  return { tag: values.tag, file: values.file, repo: values.repo };
}
