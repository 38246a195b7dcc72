import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Context, PluginConfig } from "../context.js";
import { describeFile, type LocalFile } from "../github/assets.js";
import { parseDistFilename, distMismatch } from "../pypi/dists.js";
import { readPypiOptions } from "../pypi/options.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject } from "../pyproject/read.js";
import { releasePep440 } from "../version/pep440.js";
import { optionsOrThrow } from "./options.js";

/**
 * Which files of the folder the dists are built into belong to this release: its sdist and
 * wheels (named by the PyPI rules for its name and version) and the PEP 740 attestation
 * beside each (`<dist>.publish.attestation`, what `twine upload --attestations` picks up).
 */

export interface ReleaseFiles {
  /** The absolute dist folder (`pypi.distDir` against the working directory). */
  dir: string;
  /** True for a dist of this release or its attestation. */
  isReleaseFile(name: string): boolean;
}

export async function releaseFilesOf(pluginConfig: PluginConfig, context: Pick<Context, "cwd" | "nextRelease">): Promise<ReleaseFiles> {
  const { distDir } = optionsOrThrow(readPypiOptions, pluginConfig);
  const pyproject = await readPyproject(context.cwd, optionsOrThrow(readPyprojectOptions, pluginConfig).path);
  const version = releasePep440(context.nextRelease!.version);
  return { dir: resolve(context.cwd, distDir), isReleaseFile: (name) => isReleaseFile(name, pyproject.name, version) };
}

/** Pure: a dist of `name` `version`, or an attestation of one (`<dist>.<kind>.attestation`). */
export function isReleaseFile(filename: string, name: string, version: string): boolean {
  const isDist = (file: string) => Boolean(parseDistFilename(file)) && !distMismatch(file, name, version);
  if (isDist(filename)) return true;
  const attested = /^(.+)\.[a-z0-9_-]+\.attestation$/.exec(filename);
  return Boolean(attested && isDist(attested[1]));
}

/** This release's files in its dist folder, hashed; none when the folder does not exist. */
export async function listReleaseFiles(files: ReleaseFiles): Promise<LocalFile[]> {
  const names = await readdir(files.dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  return Promise.all(names.filter((name) => files.isReleaseFile(name)).sort().map((name) => describeFile(join(files.dir, name))));
}
