import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context, PluginConfig } from "../context.js";
import { restoreFromDraft, type LocalFile } from "../github/assets.js";
import { compareWithIndex, publishedFiles } from "../pypi/index-api.js";
import { readPypiOptions } from "../pypi/options.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject } from "../pyproject/read.js";
import { listReleaseFiles, releaseFilesOf } from "../release/dists.js";
import { githubClientFor } from "../release/github.js";
import { optionsOrThrow } from "../release/options.js";
import { releasePep440 } from "../version/pep440.js";

/**
 * Where `pyrelease resume` takes a release's files from: the draft release keeps the very
 * files the release built (rebuilds are not byte-identical for setuptools and pdm-backend
 * sdists or compiled wheels), so they are downloaded, checked against its SHA256SUMS, and
 * put where the PyPI upload takes them from. Only a file the draft does not keep is rebuilt,
 * and then compared with the copy the index may already have.
 */

export interface DraftFiles {
  /** Every file the draft's record lists was taken back: the build is skipped. */
  complete: boolean;
  restored: LocalFile[];
  /** Put the draft's files into the dist folder (after a rebuild, over the rebuilt ones: the originals win). */
  putBack(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function takeFilesFromDraft(pluginConfig: PluginConfig, context: Context): Promise<DraftFiles> {
  const { logger } = context;
  const tag = context.nextRelease!.gitTag;
  const files = await releaseFilesOf(pluginConfig, context);
  const client = githubClientFor(pluginConfig, context)!;
  const release = await client.findReleaseByTag(tag);
  const staging = await mkdtemp(join(tmpdir(), "pyrelease-draft-"));
  const cleanup = () => rm(staging, { recursive: true, force: true });
  if (!release) {
    logger.log("There is no GitHub release for %s yet: its files are built from the tagged commit", tag);
    return { complete: false, restored: [], putBack: async () => {}, cleanup };
  }
  const report = await restoreFromDraft(client, release, staging, files.isReleaseFile);
  if (report.recordMissing && report.restored.length) logger.warn("The draft release of %s has no SHA256SUMS: its files were checked against GitHub's digests only", tag);
  for (const file of report.restored) logger.log("Took %s from the draft release (sha256 %s, as recorded)", file.name, file.sha256);
  if (report.complete) logger.log("The draft release keeps every file of %s: nothing is rebuilt", tag);
  else logger.log("The draft release does not keep every file of %s: the missing ones are rebuilt", tag);
  const restored = report.restored.map((file) => ({ ...file, path: join(files.dir, file.name) }));
  return {
    complete: report.complete,
    restored,
    async putBack() {
      await mkdir(files.dir, { recursive: true });
      for (const file of report.restored) await copyFile(file.path, join(files.dir, file.name));
    },
    cleanup,
  };
}

/**
 * After a rebuild: say, for each rebuilt dist, whether it came out byte-identical to the copy
 * on the index. One that differs is set aside (removed with its attestation): the index's
 * copy is the release, and the index refuses other bytes under its name anyway.
 */
export async function compareRebuiltWithIndex(pluginConfig: PluginConfig, context: Context, restored: readonly LocalFile[]): Promise<void> {
  const { logger } = context;
  const files = await releaseFilesOf(pluginConfig, context);
  const rebuilt = (await listReleaseFiles(files)).filter((file) => !file.name.endsWith(".attestation") && !restored.some((r) => r.name === file.name));
  if (!rebuilt.length) return;
  const pypi = optionsOrThrow(readPypiOptions, pluginConfig);
  if (!pypi.publish) {
    for (const file of rebuilt) logger.log("Rebuilt %s (sha256 %s); pypi.publish is false, so it is not compared with an index", file.name, file.sha256);
    return;
  }
  const pyproject = await readPyproject(context.cwd, optionsOrThrow(readPyprojectOptions, pluginConfig).path);
  const lookup = await publishedFiles(pypi.indexUrl, pyproject.name, releasePep440(context.nextRelease!.version), pypi.retry);
  if (!lookup.ok) {
    logger.warn("Rebuilt %s; the index could not be read (%s) to compare them", rebuilt.map((file) => file.name).join(", "), lookup.reason);
    return;
  }
  const comparison = compareWithIndex(
    rebuilt.map((file) => ({ path: file.path, filename: file.name, sha256: file.sha256, size: file.size })),
    lookup.files,
  );
  for (const file of comparison.identical) logger.log("Rebuilt %s: byte-identical to the copy on %s", file.filename, pypi.indexUrl);
  for (const file of comparison.missing) logger.log("Rebuilt %s (sha256 %s): not on %s yet", file.filename, file.sha256, pypi.indexUrl);
  for (const clash of comparison.clashes) {
    logger.warn(
      "Rebuilt %s is NOT byte-identical to the copy on %s (sha256 %s there, %s rebuilt): this build backend does not rebuild reproducibly. The index's copy stays the release; the rebuilt file is set aside and neither uploaded nor kept.",
      clash.filename,
      pypi.indexUrl,
      clash.published,
      clash.built,
    );
    for (const file of await listReleaseFiles(files)) {
      if (file.name === clash.filename || file.name.startsWith(`${clash.filename}.`)) await rm(file.path, { force: true });
    }
  }
}
