import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { Context, PluginConfig, ReleaseRecord } from "../context.js";
import { getError } from "../errors.js";
import { semverToPep440 } from "../version/pep440.js";
import { githubClientFor, type ClientTuning } from "../release/github.js";
import type { GitHubClient, GitHubRelease } from "./client.js";
import { renderArtifacts, renderManifest, replaceSection, sectionState, type ReleaseFacts } from "./section.js";

/**
 * The success step of `./artifacts`: write one "Artifacts" section (file hashes, image
 * digests) into the GitHub release the publish step created, append it to the job summary,
 * and write release-manifest.json. Safe to run twice: the second run changes nothing.
 */

export const DEFAULT_MANIFEST = "release-manifest.json";
/** The name @semantic-release/github gives its entry in `context.releases`. */
const GITHUB_RELEASE_NAME = "GitHub release";

export interface RecordResult {
  releaseId: number;
  url: string;
  /** False when the body already held exactly this section. */
  changed: boolean;
  markdown: string;
  manifestPath: string | null;
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

  const manifestOption = pluginConfig.artifacts?.manifest ?? DEFAULT_MANIFEST;
  let manifestPath: string | null = null;
  if (manifestOption !== false) {
    manifestPath = resolve(context.cwd, String(manifestOption));
    await mkdir(dirname(manifestPath), { recursive: true });
    await writeFile(manifestPath, `${JSON.stringify(renderManifest(context.releases, facts), null, 2)}\n`);
    logger.log("Wrote %s", manifestPath);
  }

  return { releaseId: release.id, url: release.html_url, changed, markdown, manifestPath };
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
