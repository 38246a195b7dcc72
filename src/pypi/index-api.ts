import type { DistFile } from "./dists.js";
import { requestJson, type RetryOptions } from "../http.js";

export interface PublishedFile {
  filename: string;
  sha256: string;
  size?: number;
}

export type IndexLookup = { ok: true; files: Map<string, PublishedFile> } | { ok: false; reason: string };

/** Pure: the JSON API address of one release: `{indexUrl}pypi/<name>/<version>/json`. */
export function releaseJsonUrl(indexUrl: string, name: string, version: string): string {
  return new URL(`pypi/${encodeURIComponent(name)}/${encodeURIComponent(version)}/json`, indexUrl).href;
}

/** Which files of `name` `version` the index already holds (none when the release is unknown: 404). */
export async function publishedFiles(
  indexUrl: string,
  name: string,
  version: string,
  retry: RetryOptions,
  onRetry?: (next: number, why: string) => void,
): Promise<IndexLookup> {
  const url = releaseJsonUrl(indexUrl, name, version);
  try {
    const response = await requestJson(url, { timeoutMs: retry.requestTimeoutMs }, retry, (failure, next) => onRetry?.(next, (failure as Error).message));
    if (response.status === 404) return { ok: true, files: new Map() };
    if (response.status !== 200 || !Array.isArray(response.json?.urls)) return { ok: false, reason: `${url} answered HTTP ${response.status}` };
    const files = new Map<string, PublishedFile>();
    for (const entry of response.json.urls) {
      if (typeof entry?.filename === "string" && typeof entry?.digests?.sha256 === "string") {
        files.set(entry.filename, { filename: entry.filename, sha256: entry.digests.sha256.toLowerCase(), size: entry.size });
      }
    }
    return { ok: true, files };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

export interface IndexComparison {
  /** Built files the index does not hold yet. */
  missing: DistFile[];
  /** Built files the index already holds byte for byte. */
  identical: DistFile[];
  /** Built files whose name the index holds with other contents. */
  clashes: { filename: string; built: string; published: string }[];
}

/** Pure: sort the built files by what the index holds. */
export function compareWithIndex(built: readonly DistFile[], published: ReadonlyMap<string, PublishedFile>): IndexComparison {
  const result: IndexComparison = { missing: [], identical: [], clashes: [] };
  for (const file of built) {
    const there = published.get(file.filename);
    if (!there) result.missing.push(file);
    else if (there.sha256 === file.sha256) result.identical.push(file);
    else result.clashes.push({ filename: file.filename, built: file.sha256, published: there.sha256 });
  }
  return result;
}
