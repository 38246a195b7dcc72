import { Octokit } from "@octokit/core";
import { paginateRest } from "@octokit/plugin-paginate-rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { getError } from "../errors.js";
import { mask } from "../exec.js";

/**
 * The GitHub REST operations this package needs beyond @semantic-release/github: find a
 * draft (drafts cannot be fetched by tag), rewrite its body, keep its assets, read
 * milestones, probe write permission. Octokit with the retry, throttling and paginate
 * plugins, set up the way @semantic-release/github's lib/octokit.js sets them up (proxy,
 * GHES base URL). Every failure becomes EGITHUBAPI; the token never appears in one.
 *
 * Adding an operation: one method that calls `this.#call(action, () => this.#octokit.request(…))`.
 */

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

export interface GitHubClientOptions {
  token: string;
  owner: string;
  repo: string;
  /** REST API base; default https://api.github.com. */
  apiUrl?: string;
  /** An HTTP(S) proxy URL, as @semantic-release/github's `proxy` option. */
  proxy?: string | false;
  /** Tries per request, the first included (default 4). */
  attempts?: number;
  /** Octokit's retry plugin waits (try²) × this before try n+1 (default 1000 ms). */
  retryDelayMs?: number;
  /** Give up on one API request after this long (default 30 s). */
  timeoutMs?: number;
  /** Give up on one asset upload or download after this long (default 10 min). */
  transferTimeoutMs?: number;
  /** Where octokit's own warnings go (rate limits, deprecations). */
  warn?: (message: string) => void;
}

export interface GitHubRelease {
  id: number;
  tag_name: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  html_url: string;
  upload_url: string;
  target_commitish?: string;
  published_at?: string | null;
  assets?: GitHubAsset[];
}

export interface GitHubAsset {
  id: number;
  name: string;
  label?: string | null;
  /** `uploaded`; an interrupted upload leaves `open` (docs: "starter"), which may be deleted. */
  state: string;
  content_type: string;
  size: number;
  /** `sha256:<hex>`, computed by GitHub on upload (since 2025-06); null on older servers. */
  digest?: string | null;
  browser_download_url: string;
}

export interface GitHubMilestone {
  number: number;
  title: string;
  state: "open" | "closed";
  open_issues: number;
  closed_issues: number;
  html_url?: string;
}

export interface GitHubCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  html_url?: string | null;
  details_url?: string | null;
}

export interface GitHubCommitStatus {
  context: string;
  state: string;
  target_url?: string | null;
  description?: string | null;
}

export interface GitHubIssue {
  number: number;
  title: string;
  state: string;
  html_url?: string;
  pull_request?: unknown;
  milestone: GitHubMilestone | null;
}

export interface ReleaseFields {
  tag_name?: string;
  name?: string;
  body?: string;
  draft?: boolean;
  prerelease?: boolean;
  target_commitish?: string;
  make_latest?: "true" | "false" | "legacy";
}

const PreparedOctokit = Octokit.plugin(paginateRest, retry, throttling);
type OctokitClient = InstanceType<typeof PreparedOctokit>;

export class GitHubClient {
  readonly owner: string;
  readonly repo: string;
  readonly apiUrl: string;
  readonly #octokit: OctokitClient;
  readonly #token: string;

  constructor(options: GitHubClientOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.apiUrl = (options.apiUrl || DEFAULT_GITHUB_API_URL).replace(/\/+$/, "");
    this.#token = options.token;
    const retries = Math.max((options.attempts ?? 4) - 1, 0);
    // As @semantic-release/github: wait as GitHub asks, as many times as any other failure is retried.
    const onLimit = (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
      const again = retryCount < retries;
      options.warn?.(`GitHub rate limit reached for ${request.method} ${request.url}; ${again ? `trying again in ${retryAfter} s` : "giving up"}`);
      return again;
    };
    this.#octokit = new PreparedOctokit({
      auth: options.token,
      baseUrl: this.apiUrl,
      userAgent: "semantic-release-config-pyproject",
      retry: { retries, retryAfterBaseValue: options.retryDelayMs ?? 1000 },
      throttle: { onRateLimit: onLimit, onSecondaryRateLimit: onLimit },
      request: { fetch: boundedFetch(options.timeoutMs ?? 30_000, options.transferTimeoutMs ?? 600_000, options.proxy || undefined) },
      log: { debug: () => {}, info: () => {}, warn: (message: string) => options.warn?.(message), error: () => {} },
    });
  }

  /** The release with this id, drafts included; null when it does not exist (any more). */
  async getRelease(id: number): Promise<GitHubRelease | null> {
    return this.#call(`read release ${id}`, async () => (await this.#octokit.request("GET /repos/{owner}/{repo}/releases/{release_id}", { ...this.#repo, release_id: id })).data as GitHubRelease, { 404: null });
  }

  /**
   * The release for a tag, drafts included. A published release is found by tag directly;
   * a draft only by listing (GitHub answers 404 for drafts on /releases/tags/{tag}).
   */
  async findReleaseByTag(tag: string): Promise<GitHubRelease | null> {
    const action = `find the release for ${tag}`;
    const direct = await this.#call(action, async () => (await this.#octokit.request("GET /repos/{owner}/{repo}/releases/tags/{tag}", { ...this.#repo, tag })).data as GitHubRelease, { 404: null });
    if (direct) return direct;
    return this.#call(action, async () => {
      for await (const page of this.#octokit.paginate.iterator("GET /repos/{owner}/{repo}/releases", { ...this.#repo, per_page: 100 })) {
        const found = page.data.find((release) => release.tag_name === tag);
        if (found) return found as GitHubRelease;
      }
      return null;
    });
  }

  async createRelease(fields: ReleaseFields & { tag_name: string }): Promise<GitHubRelease> {
    return this.#call(`create the release ${fields.tag_name}`, async () => (await this.#octokit.request("POST /repos/{owner}/{repo}/releases", { ...this.#repo, ...fields })).data as GitHubRelease);
  }

  /** Change only the given fields; everything else (e.g. `draft`) stays as it is. */
  async updateRelease(id: number, fields: ReleaseFields): Promise<GitHubRelease> {
    return this.#call(`update release ${id}`, async () => (await this.#octokit.request("PATCH /repos/{owner}/{repo}/releases/{release_id}", { ...this.#repo, release_id: id, ...fields })).data as GitHubRelease);
  }

  /** Every asset of a release, whatever its state. */
  async listAssets(releaseId: number): Promise<GitHubAsset[]> {
    return this.#call(`list the assets of release ${releaseId}`, async () =>
      (await this.#octokit.paginate("GET /repos/{owner}/{repo}/releases/{release_id}/assets", { ...this.#repo, release_id: releaseId, per_page: 100 })) as GitHubAsset[],
    );
  }

  /** Upload one asset to the release's `upload_url` (a URI template with `{?name,label}`). */
  async uploadAsset(release: Pick<GitHubRelease, "id" | "upload_url">, name: string, bytes: Uint8Array, contentType = "application/octet-stream"): Promise<GitHubAsset> {
    return this.#call(`upload ${name} to release ${release.id}`, async () =>
      (
        await this.#octokit.request({
          method: "POST",
          url: release.upload_url,
          name,
          data: bytes,
          headers: { "content-type": contentType, "content-length": bytes.length },
        })
      ).data as GitHubAsset,
    );
  }

  /** The bytes of an asset: `Accept: application/octet-stream` answers them, or a redirect to them. */
  async downloadAsset(asset: Pick<GitHubAsset, "id" | "name">): Promise<Buffer> {
    return this.#call(`download ${asset.name}`, async () => {
      const { data } = await this.#octokit.request("GET /repos/{owner}/{repo}/releases/assets/{asset_id}", {
        ...this.#repo,
        asset_id: asset.id,
        headers: { accept: "application/octet-stream" },
      });
      return Buffer.from(data as unknown as ArrayBuffer);
    });
  }

  async deleteAsset(asset: Pick<GitHubAsset, "id" | "name">): Promise<void> {
    await this.#call(`delete ${asset.name}`, () => this.#octokit.request("DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}", { ...this.#repo, asset_id: asset.id }));
  }

  /**
   * Proves the token may write releases (`contents: write`) without writing anything:
   * generating notes needs that permission and stores nothing. False when GitHub refuses (403).
   */
  async canWriteReleases(tag: string, target: string): Promise<boolean> {
    const probe = () => this.#octokit.request("POST /repos/{owner}/{repo}/releases/generate-notes", { ...this.#repo, tag_name: tag, target_commitish: target });
    return this.#call("check permission to create releases", async () => (await probe(), true), { 403: false });
  }

  /** The milestone with exactly this title, open or closed; null when there is none. */
  async findMilestone(title: string): Promise<GitHubMilestone | null> {
    return this.#call(`read the milestone ${title}`, async () => {
      for await (const page of this.#octokit.paginate.iterator("GET /repos/{owner}/{repo}/milestones", { ...this.#repo, state: "all", per_page: 100 })) {
        const found = page.data.find((milestone) => milestone.title === title);
        if (found) return found as GitHubMilestone;
      }
      return null;
    });
  }

  /**
   * The check runs of a commit, every page (GET /repos/{owner}/{repo}/commits/{ref}/check-runs;
   * the answer is `{ total_count, check_runs }`, not a list). `checkName` filters by exact name.
   */
  async listCheckRuns(ref: string, checkName?: string): Promise<GitHubCheckRun[]> {
    return this.#call(`read the check runs${checkName ? ` named ${checkName}` : ""} of ${ref}`, async () => {
      const runs: GitHubCheckRun[] = [];
      const pages = this.#octokit.paginate.iterator("GET /repos/{owner}/{repo}/commits/{ref}/check-runs", { ...this.#repo, ref, per_page: 100, ...(checkName ? { check_name: checkName } : {}) });
      // The paginate plugin unwraps `{ total_count, check_runs }` into the list; a server that omits total_count is read as sent.
      for await (const page of pages) {
        const data = page.data as unknown as GitHubCheckRun[] | { check_runs?: GitHubCheckRun[] };
        runs.push(...(Array.isArray(data) ? data : (data.check_runs ?? [])));
      }
      return runs;
    });
  }

  /** The combined commit status of a commit, every page of its statuses (GET /repos/{owner}/{repo}/commits/{ref}/status). */
  async getCombinedStatus(ref: string): Promise<{ state: string; statuses: GitHubCommitStatus[] }> {
    return this.#call(`read the commit statuses of ${ref}`, async () => {
      const statuses: GitHubCommitStatus[] = [];
      let state = "pending";
      for await (const page of this.#octokit.paginate.iterator("GET /repos/{owner}/{repo}/commits/{ref}/status", { ...this.#repo, ref, per_page: 100 })) {
        const data = page.data as unknown as { state?: string; statuses?: GitHubCommitStatus[] } | GitHubCommitStatus[];
        if (Array.isArray(data)) statuses.push(...data);
        else {
          state = String(data.state ?? state);
          statuses.push(...(data.statuses ?? []));
        }
      }
      return { state, statuses };
    });
  }

  /** An issue or pull request by number, with its milestone; null when there is none (404, or 410 for a deleted issue). */
  async getIssue(issueNumber: number): Promise<GitHubIssue | null> {
    const read = () => this.#octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...this.#repo, issue_number: issueNumber });
    return this.#call(`read issue #${issueNumber}`, async () => (await read()).data as unknown as GitHubIssue, { 404: null, 410: null });
  }

  get #repo() {
    return { owner: this.owner, repo: this.repo };
  }

  /** The request's answer; for a status `answers` names, its answer instead (404: none); any other failure is EGITHUBAPI. */
  async #call<T, A = never>(action: string, request: () => Promise<T>, answers: Record<number, A> = {}): Promise<T | A> {
    try {
      return await request();
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== undefined && Object.hasOwn(answers, status)) return answers[status];
      throw this.#error(action, error);
    }
  }

  #error(action: string, error: unknown): Error {
    const failure = error as { status?: number; message?: string; response?: { data?: unknown } };
    // Octokit reports a network failure as status 500 without a response.
    const status = failure.response ? failure.status : undefined;
    const reason = failure.response ? githubReason(failure.response.data, failure.message ?? "") : (failure.message ?? String(error));
    return getError("EGITHUBAPI", { action, status, reason: mask(reason, [this.#token]) });
  }
}

/**
 * fetch with a deadline per request (longer for asset transfers), through a proxy when one
 * is set. A timeout is reported as a network failure, so octokit's retry plugin retries it.
 */
function boundedFetch(timeoutMs: number, transferTimeoutMs: number, proxy: string | undefined): typeof fetch {
  let proxied: Promise<typeof fetch> | undefined;
  const base = (): Promise<typeof fetch> => {
    if (!proxy) return Promise.resolve(fetch);
    proxied ??= import("undici").then(({ ProxyAgent, fetch: undiciFetch }) => {
      const dispatcher = new ProxyAgent({ uri: proxy });
      return ((url: any, init: any) => undiciFetch(url, { ...init, dispatcher })) as unknown as typeof fetch;
    });
    return proxied;
  };
  return (async (url: string | URL | Request, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const transfer = ArrayBuffer.isView(init.body) || headers.get("accept") === "application/octet-stream";
    const ms = transfer ? transferTimeoutMs : timeoutMs;
    const deadline = AbortSignal.timeout(ms);
    try {
      return await (await base())(url, { ...init, signal: init.signal ? AbortSignal.any([init.signal, deadline]) : deadline });
    } catch (error) {
      // Rethrown as the TypeError @octokit/request expects of fetch (made here, so `instanceof` holds in any realm).
      const failure = error as { name?: string; message?: string; cause?: { message?: string; code?: string } };
      const reason = failure?.name === "TimeoutError" ? `no answer within ${ms} ms` : (failure?.cause?.message ?? failure?.cause?.code ?? failure?.message ?? String(error));
      throw new TypeError("fetch failed", { cause: new Error(reason) });
    }
  }) as typeof fetch;
}

/** `owner`/`repo` from any URL form git and semantic-release accept; null for anything else. */
export function parseGitHubRepo(repositoryUrl: string): { owner: string; repo: string } | null {
  if (!repositoryUrl) return null;
  let path: string;
  const scp = /^(?!\w[\w+.-]*:\/\/)(?:[^@/]+@)?[^:/]+:(.+)$/.exec(repositoryUrl);
  if (scp) path = `/${scp[1]}`;
  else {
    try {
      path = new URL(repositoryUrl.replace(/^git\+/, "")).pathname;
    } catch {
      return null;
    }
  }
  const found = /^\/+([^/]+)\/([^/]+?)(?:\.git)?\/*$/.exec(path);
  if (!found) return null;
  return { owner: decodeURIComponent(found[1]), repo: decodeURIComponent(found[2]) };
}

/** The GitHub token, with the precedence @semantic-release/github uses (GH_TOKEN first), so both talk as the same identity. */
export function githubToken(env: Record<string, string | undefined>): string | undefined {
  return env.GH_TOKEN || env.GITHUB_TOKEN || undefined;
}

/** The REST API base the way @semantic-release/github resolves it: `githubApiUrl`, `GITHUB_API_URL`, or `githubUrl`/`GITHUB_URL` + prefix. */
export function githubApiUrl(pluginConfig: Record<string, any>, env: Record<string, string | undefined>): string {
  if (pluginConfig.githubApiUrl) return String(pluginConfig.githubApiUrl);
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL;
  const webUrl = pluginConfig.githubUrl || env.GH_URL || env.GITHUB_URL;
  if (webUrl) {
    const prefix = pluginConfig.githubApiPathPrefix || env.GH_PREFIX || env.GITHUB_PREFIX || "";
    return `${String(webUrl).replace(/\/+$/, "")}/${String(prefix).replace(/^\/+/, "")}`.replace(/\/+$/, "");
  }
  return DEFAULT_GITHUB_API_URL;
}

/** The proxy the way @semantic-release/github resolves it (its lib/resolve-config.js): `proxy`, else `http_proxy`/`HTTP_PROXY`. */
export function githubProxy(pluginConfig: Record<string, any>, env: Record<string, string | undefined>): string | false {
  const proxy = pluginConfig.proxy ?? (env.http_proxy || env.HTTP_PROXY || false);
  if (!proxy) return false;
  if (typeof proxy === "string") return proxy;
  if (typeof proxy === "object" && proxy.host) return `${proxy.protocol ?? "http"}://${proxy.host}${proxy.port ? `:${proxy.port}` : ""}`;
  return false;
}

function githubReason(data: any, fallback: string): string {
  if (data && typeof data === "object" && typeof data.message === "string") {
    const details = Array.isArray(data.errors)
      ? data.errors.map((e: any) => (typeof e === "string" ? e : [e.field, e.code, e.message].filter(Boolean).join(" "))).join("; ")
      : "";
    return details ? `${data.message} (${details})` : data.message;
  }
  return typeof data === "string" && data ? data.slice(0, 300) : fallback;
}

