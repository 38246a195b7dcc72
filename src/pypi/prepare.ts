import { dirname, relative } from "node:path";
import { getError } from "../errors.js";
import { buildDists, releaseEpoch } from "./build.js";
import { checkDistSet, describeDist, type DistFile } from "./dists.js";
import { logBlock, type Output } from "./log.js";
import type { PypiOptions } from "./options.js";
import { checkPythonTools, readMetadataVersions, unreadableByTwine } from "./tools.js";
import { twineCheck } from "./twine.js";

export interface PrepareRequest {
  options: PypiOptions;
  cwd: string;
  /** Absolute path of pyproject.toml. */
  pyprojectFile: string;
  name: string;
  /** PEP 440 release version. */
  version: string;
  gitHead?: string;
  out: Output;
  /** Variables only the build gets (versionMode "scm": the one that pins the release version). */
  buildEnv?: Record<string, string>;
}

/** Build, verify names and versions, `twine check --strict`, hash: the files a publish may upload. */
export async function prepareDists(request: PrepareRequest): Promise<DistFile[]> {
  const { options, cwd, out, name, version } = request;
  const epoch = await releaseEpoch(cwd, request.gitHead);
  if (!epoch) out.logger.warn("No git commit time found: SOURCE_DATE_EPOCH is not set, so a rebuild will not be byte-identical");
  const projectDir = relative(cwd, dirname(request.pyprojectFile)) || ".";
  const built = await buildDists({ python: options.python, cwd, projectDir, buildArgs: options.buildArgs, distDir: options.distDir, sourceDateEpoch: epoch, env: { ...out.env, ...request.buildEnv } });
  logBlock(out, `${built.command}${epoch ? ` (SOURCE_DATE_EPOCH=${epoch})` : ""}`, built.output);
  if (built.others.length) {
    out.logger.log("%s also holds %d file(s) from elsewhere, left in place and never uploaded: %s", options.distDir, built.others.length, built.others.join(", "));
  }

  const filenames = built.paths.map((p) => p.split(/[\\/]/).pop()!);
  const mismatches = checkDistSet(filenames, name, version);
  if (mismatches.length) throw getError("EDISTVERSION", { expected: version, name, files: mismatches });

  const check = await twineCheck(options.python, built.paths, cwd, out.env);
  logBlock(out, "twine check --strict", check.output);
  if (!check.ok) {
    // Only now is it worth an interpreter start-up to tell "twine too old" from "metadata wrong".
    const [metadataVersions, tools] = await Promise.all([readMetadataVersions(options.python, built.paths, cwd, out.env), checkPythonTools(options.python, cwd, out.env)]);
    const unreadable = unreadableByTwine(tools.twineVersion, metadataVersions);
    if (unreadable.length) {
      throw getError("ETWINEMETADATA", { twineVersion: tools.twineVersion, metadataVersion: metadataVersions[unreadable[0]], files: unreadable });
    }
    throw getError("ETWINECHECK", { output: check.output.trim() || "(no output)", files: check.failed });
  }

  const files = await Promise.all(built.paths.map(describeDist));
  for (const file of files) out.logger.log("Built %s: %d bytes, sha256 %s", file.filename, file.size, file.sha256);
  return files;
}
