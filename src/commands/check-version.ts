import { parseArgs } from "node:util";
import { loadReleaseConfig } from "../config/load.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject } from "../pyproject/read.js";
import { tagMismatch } from "../pyproject/tag.js";
import { versionProblems } from "../pyproject/truth.js";
import { throwAll } from "../errors.js";
import { reportError, type CommandIO } from "./io.js";

/** `pyrelease check-version --tag vX.Y.Z`: exit 1 with ETAGMISMATCH unless pyproject holds that version. */
export async function checkVersionCommand(argv: string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { tag: { type: "string" }, pyproject: { type: "string" }, "tag-format": { type: "string" } } });
  const tag = values.tag ?? io.env.GITHUB_REF_NAME ?? io.env.CI_COMMIT_TAG;
  if (!tag) {
    io.stderr("usage: pyrelease check-version --tag vX.Y.Z [--pyproject path] [--tag-format 'v${version}']\n");
    return 2;
  }
  try {
    const config = await loadReleaseConfig(io.cwd);
    const path = values.pyproject ?? readPyprojectOptions(config).options.path;
    const pyproject = await readPyproject(io.cwd, path);
    throwAll(versionProblems(pyproject, path, "verify"));
    const mismatch = tagMismatch(tag, values["tag-format"] ?? config.tagFormat, pyproject.version!, path);
    if (mismatch) throw mismatch;
    io.stdout(`${path} holds ${pyproject.version}, the version of tag ${tag}\n`);
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}
