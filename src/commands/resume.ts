import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadReleaseConfig } from "../config/load.js";
import { getError } from "../errors.js";
import { run } from "../exec.js";
import { RELEASE_PLUGINS, type ReleasePlugin } from "../release/plugins.js";
import { triggeringTag } from "../release/trigger.js";
import { resumeLogger, resumeRelease } from "../resume/resume.js";
import { reportError, type CommandIO } from "./io.js";

const USAGE = "usage: pyrelease resume --tag vX.Y.Z\n";

/**
 * `pyrelease resume --tag vX.Y.Z`: finish a release whose tag exists but whose publish
 * stopped halfway (or a tag pushed by hand). The tag's commit is checked out in a
 * temporary worktree and the lifecycle table's steps run again (src/resume/resume.ts).
 */
export async function resumeCommand(argv: string[], io: CommandIO, plugins: readonly ReleasePlugin[] = RELEASE_PLUGINS): Promise<number> {
  let values: { tag?: string };
  try {
    values = parseArgs({ args: argv, options: { tag: { type: "string" } } }).values;
  } catch {
    io.stderr(USAGE);
    return 2;
  }
  const tag = values.tag ?? triggeringTag(io.env);
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
    const stream = (write: (text: string) => void) => ({ write: (text: string) => (write(text), true) }) as unknown as NodeJS.WriteStream;
    await resumeRelease({ tag, commit, worktree, cwd: io.cwd, config, env: { ...io.env }, logger: resumeLogger(io.stdout), stdout: stream(io.stdout), stderr: stream(io.stderr), plugins });
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
