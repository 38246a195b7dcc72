import type { Context } from "../context.js";
import { run } from "../exec.js";
import { tagOfVersion } from "../ci.js";
import { recordArtifacts } from "../github/record.js";
import { githubToken } from "../github/client.js";
import { publishedFiles } from "../pypi/index-api.js";
import { projectPageUrl, readPypiOptions } from "../pypi/options.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject } from "../pyproject/read.js";
import { releasePep440 } from "../version/release.js";
import type { ReleasedImage } from "./release.js";

/**
 * After `pyrelease images finalize`: write the artifacts section of the release's draft
 * anew, with the images just tagged and the files the index holds for this version
 * (read back from its JSON API, the same hashes the release job recorded).
 * Without a GitHub token there is no draft to write: it says so and returns.
 */
export async function recordImagesInDraft(config: Record<string, any>, context: Pick<Context, "cwd" | "env" | "logger">, version: string, images: ReleasedImage[]): Promise<void> {
  if (!githubToken(context.env)) {
    context.logger.warn("No GITHUB_TOKEN: the draft release's artifacts section was not updated");
    return;
  }
  const gitTag = tagOfVersion(version, config.tagFormat);
  const releases: Record<string, unknown>[] = [];
  const { options: pypi } = readPypiOptions(config);
  if (pypi.publish) {
    const pyproject = await readPyproject(context.cwd, readPyprojectOptions(config).options.path);
    const pep440 = releasePep440(version);
    const lookup = await publishedFiles(pypi.indexUrl, pyproject.name, pep440, pypi.retry);
    if (lookup.ok && lookup.files.size) {
      releases.push({ name: "PyPI", url: projectPageUrl(pypi.indexUrl, pyproject.name, pep440), project: pyproject.name, files: [...lookup.files.values()] });
    } else if (!lookup.ok) context.logger.warn(`The index could not be read (${lookup.reason}): the section lists the images only`);
  }
  releases.push({ name: "Container images", images });
  const git = (args: string[]) => run("git", args, { cwd: context.cwd });
  const gitHead = (await git(["rev-parse", "-q", "--verify", `refs/tags/${gitTag}^{commit}`])).stdout.trim() || (await git(["rev-parse", "HEAD"])).stdout.trim();
  const repositoryUrl = config.repositoryUrl ?? (await git(["config", "--get", "remote.origin.url"])).stdout.trim();
  await recordArtifacts(config, {
    ...context,
    options: { repositoryUrl, tagFormat: config.tagFormat },
    nextRelease: { version, gitTag, gitHead },
    releases,
  });
}
