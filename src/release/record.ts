import { readUnknownKeys } from "../config/fields.js";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { ConfigProblem } from "../config/problem.js";
import type { Context, PluginConfig, ReleaseRecord } from "../context.js";
import { getError } from "../errors.js";
import { replaceAsset } from "../github/assets.js";
import { githubToken, type GitHubClient, type GitHubRelease } from "../github/client.js";
import { renderArtifacts, renderManifest, replaceSection, sectionState, type ReleaseFacts } from "../github/section.js";
import { IMAGES_RECORD_NAME, type ReleasedImage } from "../images/release.js";
import { publishedFiles } from "../pypi/index-api.js";
import { projectPageUrl, PYPI_RECORD_NAME, readPypiOptions } from "../pypi/options.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { readPyproject } from "../pyproject/read.js";
import { releasePep440, semverToPep440 } from "../version/pep440.js";
import { releaseContext } from "./context.js";
import { githubClientFor, type ClientTuning } from "./github.js";
import { optionsOrThrow } from "./options.js";

/**
 * What a finished release records, in three places that hold the same facts: one
 * "Artifacts" section in its GitHub release (file hashes, image digests), the job summary,
 * and release-manifest.json (beside the dists, and as an asset of the release). Safe to run
 * twice: the second run changes nothing.
 */

/** The manifest's file name: beside the dists by default, and as the release's asset. */
export const MANIFEST_NAME = "release-manifest.json";
/** The name @semantic-release/github (and ./artifacts) gives its entry in `context.releases`. */
export const GITHUB_RELEASE_NAME = "GitHub release";

export interface RecordResult {
  releaseId: number;
  url: string;
  /** False when the body already held exactly this section. */
  changed: boolean;
  markdown: string;
  manifestPath: string | null;
}

export interface ArtifactsOptions {
  /** Where release-manifest.json is written besides the release: a path, false for nowhere; unset: beside the dists. */
  manifest?: string | false;
}

/** Pure: the `artifacts` options, and every problem with them. */
export function readArtifactsOptions(config: { artifacts?: unknown }): { options: ArtifactsOptions; problems: ConfigProblem[] } {
  const raw = config.artifacts;
  if (raw === undefined) return { options: {}, problems: [] };
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { options: {}, problems: [{ key: "artifacts", reason: "must be an object" }] };
  const options: ArtifactsOptions = {};
  const problems: ConfigProblem[] = [];
  const { manifest } = raw as Record<string, unknown>;
  if (manifest === false || (typeof manifest === "string" && manifest.trim())) options.manifest = manifest;
  else if (manifest !== undefined) problems.push({ key: "artifacts.manifest", reason: "must be a file path, or false for no manifest" });
  readUnknownKeys("artifacts", raw as Record<string, unknown>, ["manifest"], problems);
  return { options, problems };
}

/** Pure: where release-manifest.json is written: `artifacts.manifest` (false: nowhere), else beside the dists. */
export function manifestPath(pluginConfig: PluginConfig, cwd: string): string | null {
  const { manifest } = optionsOrThrow(readArtifactsOptions, pluginConfig);
  if (manifest === false) return null;
  if (typeof manifest === "string") return resolve(cwd, manifest);
  return resolve(cwd, optionsOrThrow(readPypiOptions, pluginConfig).distDir, MANIFEST_NAME);
}

export async function recordArtifacts(pluginConfig: PluginConfig, context: Context, tuning: ClientTuning = {}): Promise<RecordResult | null> {
  const { env, logger, nextRelease } = context;
  if (!nextRelease) throw new Error("recordArtifacts runs in the success step, which always has nextRelease");
  const tag = nextRelease.gitTag;

  const client = githubClientFor(pluginConfig, context, tuning);
  if (!client) return null; // a dry run writes nothing

  const facts = releaseFacts(context);
  const markdown = renderArtifacts(context.releases, facts);

  const release = await findRelease(client, context.releases, tag);
  if (!release) throw getError("ENODRAFTRELEASE", { tag });
  if (sectionState(release.body) === "broken") {
    logger.warn("The artifacts section of %s lost one of its markers; it is written anew at the end of the body", tag);
  }
  const body = replaceSection(release.body, markdown);
  const changed = body !== (release.body ?? "");
  if (changed) {
    // Only the body is sent: a draft stays a draft, a release a curator already published stays published.
    await client.updateRelease(release.id, { body });
    logger.log("Wrote the artifacts section into the %s GitHub release %s", release.draft ? "draft" : "published", release.html_url);
  } else {
    logger.log("The artifacts section of %s is already up to date", release.html_url);
  }

  if (env.GITHUB_STEP_SUMMARY) await appendFile(env.GITHUB_STEP_SUMMARY, `${markdown}\n\n`);

  const manifest = Buffer.from(`${JSON.stringify(renderManifest(context.releases, facts), null, 2)}\n`);
  if (await replaceAsset(client, release, await client.listAssets(release.id), MANIFEST_NAME, manifest)) logger.log("Wrote %s into the GitHub release", MANIFEST_NAME);
  const path = manifestPath(pluginConfig, context.cwd);
  if (path) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, manifest);
    logger.log("Wrote %s", path);
  }

  return { releaseId: release.id, url: release.html_url, changed, markdown, manifestPath: path };
}

/** The release by the id @semantic-release/github returned; by tag when there is none (or it is gone). */
async function findRelease(client: GitHubClient, releases: readonly ReleaseRecord[] | undefined, tag: string): Promise<GitHubRelease | null> {
  const id = githubReleaseId(releases);
  if (id !== undefined) {
    const byId = await client.getRelease(id);
    if (byId) return byId;
  }
  return client.findReleaseByTag(tag);
}

/** The id in the entry @semantic-release/github (directly or through `./artifacts`) returned from publish. */
export function githubReleaseId(releases: readonly ReleaseRecord[] | undefined): number | undefined {
  const entry = (releases ?? []).find(
    (r) => (r.name === GITHUB_RELEASE_NAME || r.pluginName === "@semantic-release/github") && typeof r.id === "number",
  );
  return entry?.id as number | undefined;
}

function releaseFacts(context: Context): ReleaseFacts {
  const { version, gitTag, gitHead } = context.nextRelease!;
  const converted = semverToPep440(version);
  return { version, pep440: converted.ok ? converted.pep440 : version, tag: gitTag, commit: gitHead };
}

/**
 * After `pyrelease images finalize`: write the artifacts section of the release's draft
 * anew, with the images just tagged and the files the index holds for this version
 * (read back from its JSON API, the same hashes the release job recorded).
 * Without a GitHub token there is no draft to write: finalize's own job, the tags, is done, so it says so and returns.
 */
export async function recordImagesInDraft(config: Record<string, any>, context: Pick<Context, "cwd" | "env" | "logger">, version: string, images: ReleasedImage[]): Promise<void> {
  if (!githubToken(context.env)) {
    context.logger.warn("No GITHUB_TOKEN: the draft release's artifacts section was not updated");
    return;
  }
  const release = await releaseContext({ config, cwd: context.cwd, env: context.env, logger: context.logger, version });
  const releases: Record<string, unknown>[] = [];
  const pypi = optionsOrThrow(readPypiOptions, config);
  if (pypi.publish) {
    const pyproject = await readPyproject(context.cwd, optionsOrThrow(readPyprojectOptions, config).path);
    const pep440 = releasePep440(version);
    const lookup = await publishedFiles(pypi.indexUrl, pyproject.name, pep440, pypi.retry);
    if (lookup.ok && lookup.files.size) {
      releases.push({ name: PYPI_RECORD_NAME, url: projectPageUrl(pypi.indexUrl, pyproject.name, pep440), project: pyproject.name, files: [...lookup.files.values()] });
    } else if (!lookup.ok) context.logger.warn(`The index could not be read (${lookup.reason}): the section lists the images only`);
  }
  releases.push({ name: IMAGES_RECORD_NAME, images });
  await recordArtifacts(config, { ...release, releases });
}
