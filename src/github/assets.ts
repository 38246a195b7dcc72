import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { getError } from "../errors.js";
import type { GitHubAsset, GitHubClient, GitHubRelease } from "./client.js";

/**
 * The draft release as the durable store of a release's files: every built dist (and its
 * attestation) is kept as an asset before anything is uploaded to PyPI, with a SHA256SUMS
 * asset as the record, so `pyrelease resume` can take the very files back instead of
 * rebuilding them. An asset is never replaced: same name and bytes is kept, same name and
 * other bytes is EDRAFTASSET.
 */

/** The record of the files the draft keeps, in `sha256sum` format (`sha256sum -c --ignore-missing SHA256SUMS` checks downloads). */
export const CHECKSUMS_ASSET = "SHA256SUMS";

export interface KeptFile {
  name: string;
  sha256: string;
  size: number;
}

export interface LocalFile extends KeptFile {
  path: string;
}

export const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export async function describeFile(path: string): Promise<LocalFile> {
  const bytes = await readFile(path);
  return { path, name: basename(path), sha256: sha256Of(bytes), size: bytes.length };
}

/** Pure: the hex sha256 of GitHub's `digest` field (`sha256:<hex>`), when it has one. */
export function digestSha256(digest: string | null | undefined): string | undefined {
  return digest?.startsWith("sha256:") ? digest.slice("sha256:".length).toLowerCase() : undefined;
}

/** Pure: SHA256SUMS text, sorted by name, in the format `sha256sum` writes and checks. */
export function renderChecksums(files: readonly KeptFile[]): string {
  return [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((file) => `${file.sha256}  ${file.name}\n`)
    .join("");
}

/** Pure: name → sha256 from SHA256SUMS text (text or binary mode lines); other lines are ignored. */
export function parseChecksums(text: string): Map<string, string> {
  const record = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const found = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (found) record.set(found[2], found[1].toLowerCase());
  }
  return record;
}

export interface AssetPlan {
  upload: LocalFile[];
  /** Already in the draft with the same bytes. */
  kept: LocalFile[];
  /** In the draft with other bytes. */
  clashes: { file: LocalFile; draftSha256: string }[];
  /** In the draft without a digest from GitHub: compared by downloading. */
  unknown: { file: LocalFile; asset: GitHubAsset }[];
  /** Left by an upload that failed upstream (state other than `uploaded`): deleted before uploading. */
  stale: GitHubAsset[];
}

/** Pure: what keeping `files` in a draft that holds `assets` takes. */
export function planAssetUploads(files: readonly LocalFile[], assets: readonly GitHubAsset[]): AssetPlan {
  const plan: AssetPlan = { upload: [], kept: [], clashes: [], unknown: [], stale: [] };
  for (const file of files) {
    const asset = assets.find((a) => a.name === file.name);
    if (!asset) plan.upload.push(file);
    else if (asset.state !== "uploaded") {
      plan.stale.push(asset);
      plan.upload.push(file);
    } else {
      const draftSha256 = digestSha256(asset.digest);
      if (draftSha256 === file.sha256) plan.kept.push(file);
      else if (draftSha256 || asset.size !== file.size) plan.clashes.push({ file, draftSha256: draftSha256 ?? `(${asset.size} bytes)` });
      else plan.unknown.push({ file, asset });
    }
  }
  return plan;
}

/** Pure: the media type GitHub is told for an asset. */
export function contentTypeOf(name: string): string {
  if (name.endsWith(".whl") || name.endsWith(".zip")) return "application/zip";
  if (name.endsWith(".tar.gz")) return "application/gzip";
  if (name.endsWith(".json") || name.endsWith(".attestation")) return "application/json";
  if (name === CHECKSUMS_ASSET) return "text/plain";
  return "application/octet-stream";
}

export interface KeepReport {
  uploaded: LocalFile[];
  kept: LocalFile[];
}

/**
 * Keep `files` as assets of `release`, then write SHA256SUMS listing every file the draft
 * keeps (last: its presence says the files before it are complete). Safe to rerun.
 */
export async function keepInDraft(client: GitHubClient, release: GitHubRelease, files: readonly LocalFile[]): Promise<KeepReport> {
  const assets = await client.listAssets(release.id);
  const plan = planAssetUploads(files, assets);
  for (const { file, asset } of plan.unknown) {
    const draftSha256 = sha256Of(await client.downloadAsset(asset));
    if (draftSha256 === file.sha256) plan.kept.push(file);
    else plan.clashes.push({ file, draftSha256 });
  }
  if (plan.clashes.length) {
    throw getError("EDRAFTASSET", {
      tag: release.tag_name,
      url: release.html_url,
      expected: "this run built",
      files: plan.clashes.map(({ file, draftSha256 }) => ({ name: file.name, draft: draftSha256, expected: file.sha256 })),
    });
  }
  for (const asset of plan.stale) await client.deleteAsset(asset);
  for (const file of plan.upload) await uploadOnce(client, release, file);

  const record = await readChecksums(client, assets);
  for (const file of files) record.set(file.name, file.sha256);
  const text = renderChecksums([...record].map(([name, sha256]) => ({ name, sha256, size: 0 })));
  await replaceAsset(client, release, assets, CHECKSUMS_ASSET, Buffer.from(text));
  return { uploaded: plan.upload, kept: plan.kept };
}

/** Write an asset this package owns (SHA256SUMS, release-manifest.json) unless it already holds these bytes. */
export async function replaceAsset(client: GitHubClient, release: GitHubRelease, assets: readonly GitHubAsset[], name: string, bytes: Buffer): Promise<boolean> {
  const existing = assets.find((a) => a.name === name);
  if (existing?.state === "uploaded" && digestSha256(existing.digest) === sha256Of(bytes)) return false;
  if (existing) await client.deleteAsset(existing);
  await client.uploadAsset(release, name, bytes, contentTypeOf(name));
  return true;
}

/** One upload; a failure after which the asset landed anyway (a lost answer) counts as done, a `starter` left behind is replaced once. */
async function uploadOnce(client: GitHubClient, release: GitHubRelease, file: LocalFile): Promise<void> {
  const bytes = await readFile(file.path);
  try {
    await client.uploadAsset(release, file.name, bytes, contentTypeOf(file.name));
  } catch (error) {
    const asset = (await client.listAssets(release.id)).find((a) => a.name === file.name);
    if (asset?.state === "uploaded" && digestSha256(asset.digest) === file.sha256) return;
    if (!asset || asset.state === "uploaded") throw error;
    await client.deleteAsset(asset);
    await client.uploadAsset(release, file.name, bytes, contentTypeOf(file.name));
  }
}

async function readChecksums(client: GitHubClient, assets: readonly GitHubAsset[]): Promise<Map<string, string>> {
  const asset = assets.find((a) => a.name === CHECKSUMS_ASSET && a.state === "uploaded");
  return asset ? parseChecksums((await client.downloadAsset(asset)).toString("utf8")) : new Map();
}

export interface RestoreReport {
  /** Files written into the folder, each checked against the record. */
  restored: LocalFile[];
  /** True when every file the record lists was restored: nothing needs rebuilding. */
  complete: boolean;
  /** The draft has no SHA256SUMS: files were checked against GitHub's digests only. */
  recordMissing: boolean;
}

/**
 * Download the files the draft keeps into `dir`, each checked against SHA256SUMS (and GitHub's
 * own digest). Without SHA256SUMS only the assets `isReleaseFile` accepts and GitHub has a
 * digest for are taken. A file whose bytes differ from the record is EDRAFTASSET.
 */
export async function restoreFromDraft(client: GitHubClient, release: GitHubRelease, dir: string, isReleaseFile: (name: string) => boolean): Promise<RestoreReport> {
  const assets = (await client.listAssets(release.id)).filter((a) => a.state === "uploaded");
  const record = await readChecksums(client, assets);
  const recordMissing = !assets.some((a) => a.name === CHECKSUMS_ASSET);
  const wanted = recordMissing ? assets.filter((a) => isReleaseFile(a.name) && digestSha256(a.digest)) : assets.filter((a) => record.has(a.name));
  const restored: LocalFile[] = [];
  const mismatches: { name: string; draft: string; expected: string }[] = [];
  await mkdir(dir, { recursive: true });
  for (const asset of wanted) {
    const bytes = await client.downloadAsset(asset);
    const sha256 = sha256Of(bytes);
    const expected = record.get(asset.name) ?? digestSha256(asset.digest)!;
    const github = digestSha256(asset.digest);
    if (sha256 !== expected || (github && github !== sha256)) {
      mismatches.push({ name: asset.name, draft: sha256, expected });
      continue;
    }
    const path = join(dir, asset.name);
    await writeFile(path, bytes);
    restored.push({ path, name: asset.name, sha256, size: bytes.length });
  }
  if (mismatches.length) throw getError("EDRAFTASSET", { tag: release.tag_name, url: release.html_url, expected: "its SHA256SUMS records", files: mismatches });
  const complete = !recordMissing && [...record.keys()].every((name) => restored.some((file) => file.name === name));
  return { restored, complete, recordMissing };
}
