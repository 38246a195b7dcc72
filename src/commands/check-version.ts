import { parseArgs } from "node:util";
import { optionsOrThrow } from "../release/options.js";
import { triggeringTag } from "../release/trigger.js";
import { loadReleaseConfig } from "../config/load.js";
import { getError, throwAll } from "../errors.js";
import { fileAtCommit, tagCommit } from "../pyproject/git.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { parsePyproject, pyprojectFile, readPyproject, type Pyproject } from "../pyproject/read.js";
import { tagMismatch } from "../pyproject/tag.js";
import { tagPep440 } from "../version/tag.js";
import { versionProblems } from "../pyproject/truth.js";
import { describeDynamicVersion } from "../pyproject/dynamic.js";
import { reportError, type CommandIO } from "./io.js";

const USAGE = "usage: pyrelease check-version [--tag vX.Y.Z] [--pyproject path] [--tag-format 'v${version}']\n" +
  "  without --tag, the tag of a tag-triggered CI run (GITHUB_REF_TYPE=tag + GITHUB_REF_NAME, or CI_COMMIT_TAG)\n";

/**
 * `pyrelease check-version --tag vX.Y.Z`: exit 1 with ETAGMISMATCH unless the tagged
 * commit's pyproject.toml holds that version. A tag this clone does not have is checked
 * against the working tree, and the output says so.
 */
export async function checkVersionCommand(argv: string[], io: CommandIO): Promise<number> {
  let values: { tag?: string; pyproject?: string; "tag-format"?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { tag: { type: "string" }, pyproject: { type: "string" }, "tag-format": { type: "string" } } }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const tag = values.tag ?? triggeringTag(io.env);
  if (!tag) {
    io.stderr(`No tag to check: pass --tag, or run it in a tag-triggered CI job.\n${USAGE}`);
    return 2;
  }
  try {
    const config = await loadReleaseConfig(io.cwd);
    const options = optionsOrThrow(readPyprojectOptions, config);
    const path = values.pyproject ?? options.path;
    const tagFormat = values["tag-format"] ?? config.tagFormat;

    const commit = await tagCommit(io.cwd, tag);
    let pyproject: Pyproject;
    if (commit) {
      const text = await fileAtCommit(io.cwd, commit, path);
      if (text === undefined) throw getError("EINVALIDPYPROJECT", { path, reason: `the tagged commit ${commit.slice(0, 12)} has no such file` });
      pyproject = parsePyproject(text, path, pyprojectFile(io.cwd, path));
    } else {
      io.stderr(`Tag ${tag} is not in this clone: checking the working tree's ${path} (fetch the tag, e.g. \`git fetch --tags\`, to check the tagged commit).\n`);
      pyproject = await readPyproject(io.cwd, path);
    }
    const where = commit ? `at ${tag} (${commit.slice(0, 12)})` : "in the working tree";

    throwAll(versionProblems(pyproject, path, options.versionMode));
    if (options.versionMode === "scm") {
      const pep440 = tagPep440(tag, tagFormat);
      if (!pep440) throw getError("ETAGMISMATCH", { tag, tagVersion: tag, pyprojectVersion: "(a version computed from the tag)", path, commit });
      io.stdout(`${path} ${where} keeps a dynamic version (${describeDynamicVersion(pyproject.data, pyproject.text).source}); versionMode "scm" builds the tag's version ${pep440}\n`);
      return 0;
    }
    const mismatch = tagMismatch(tag, tagFormat, pyproject.version!, path, commit);
    if (mismatch) throw mismatch;
    io.stdout(`${path} ${where} holds ${pyproject.version}, the version of tag ${tag}\n`);
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}
