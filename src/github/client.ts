import { backoffMs, sleep } from "../retry.js";
import { getError } from "../errors.js";

/**
 * A small GitHub REST client on fetch, for what @semantic-release/github does not do:
 * find a draft (drafts cannot be fetched by tag), rewrite its body, read milestones.
 * Transient failures (5xx, 429, network errors, timeouts) are retried with backoff;
 * the last failure becomes EGITHUBAPI. The token never appears in an error.
 */

export const DEFAULT_GITHUB_API_URL = "https://api.github.com";

export interface GitHubClientOptions {
  token: string;
  owner: string;
  repo: string;
  /** Default: `GITHUB_API_URL`, else https://api.github.com. */
  apiUrl?: string;
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff delay; doubles on each retry (default 1000 ms). */
  retryDelayMs?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export interface GitHubRelease {
  id: number;
  tag_name: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  html_url: string;
  target_commitish?: string;
  published_at?: string | null;
  upload_url?: string;
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

export type ReleaseFields = Partial<Pick<GitHubRelease, "tag_name" | "name" | "body" | "draft" | "prerelease" | "target_commitish">> & {
  make_latest?: "true" | "false" | "legacy";
};

interface Reply {
  status: number;
  data: any;
  link: string | null;
}

const TRANSIENT_STATUS = (status: number) => status >= 500 || status === 429;

export class GitHubClient {
  readonly owner: string;
  readonly repo: string;
  readonly apiUrl: string;
  readonly #token: string;
  readonly #retries: number;
  readonly #retryDelayMs: number;
  readonly #timeoutMs: number;

  constructor(options: GitHubClientOptions) {
    this.owner = options.owner;
    this.repo = options.repo;
    this.apiUrl = (options.apiUrl || process.env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL).replace(/\/+$/, "");
    this.#token = options.token;
    this.#retries = options.retries ?? 4;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The release with this id, drafts included; null when it does not exist (any more). */
  async getRelease(id: number): Promise<GitHubRelease | null> {
    const reply = await this.#request("GET", `${this.#repoPath}/releases/${id}`, `read release ${id}`, { allow404: true });
    return reply.status === 404 ? null : reply.data;
  }

  /**
   * The release for a tag, drafts included. A published release is found by tag directly;
   * a draft only by listing (GitHub answers 404 for drafts on /releases/tags/{tag}).
   */
  async findReleaseByTag(tag: string): Promise<GitHubRelease | null> {
    const action = `find the release for ${tag}`;
    const direct = await this.#request("GET", `${this.#repoPath}/releases/tags/${encodeURIComponent(tag)}`, action, { allow404: true });
    if (direct.status !== 404) return direct.data;
    for await (const release of this.#paginate<GitHubRelease>(`${this.#repoPath}/releases?per_page=100`, action)) {
      if (release.tag_name === tag) return release;
    }
    return null;
  }

  async createRelease(fields: ReleaseFields & { tag_name: string }): Promise<GitHubRelease> {
    return (await this.#request("POST", `${this.#repoPath}/releases`, `create the release ${fields.tag_name}`, { body: fields })).data;
  }

  /** Change only the given fields; everything else (e.g. `draft`) stays as it is. */
  async updateRelease(id: number, fields: ReleaseFields): Promise<GitHubRelease> {
    return (await this.#request("PATCH", `${this.#repoPath}/releases/${id}`, `update release ${id}`, { body: fields })).data;
  }

  /** The milestone with exactly this title, open or closed; null when there is none. */
  async findMilestone(title: string): Promise<GitHubMilestone | null> {
    for await (const milestone of this.#paginate<GitHubMilestone>(`${this.#repoPath}/milestones?state=all&per_page=100`, `read the milestone ${title}`)) {
      if (milestone.title === title) return milestone;
    }
    return null;
  }

  /**
   * The check runs of a commit, every page (GET /repos/{owner}/{repo}/commits/{ref}/check-runs;
   * the answer is `{ total_count, check_runs }`, not a list). `checkName` filters by exact name.
   */
  async listCheckRuns(ref: string, checkName?: string): Promise<GitHubCheckRun[]> {
    const action = `read the check runs${checkName ? ` named ${checkName}` : ""} of ${ref}`;
    const query = new URLSearchParams({ per_page: "100", ...(checkName ? { check_name: checkName } : {}) });
    const runs: GitHubCheckRun[] = [];
    let next: string | null = `${this.#repoPath}/commits/${encodeURIComponent(ref)}/check-runs?${query}`;
    while (next) {
      const reply: Reply = await this.#request("GET", next, action);
      if (!Array.isArray(reply.data?.check_runs)) throw getError("EGITHUBAPI", { action, status: reply.status, reason: "the answer held no check_runs list" });
      runs.push(...reply.data.check_runs);
      next = nextLink(reply.link, this.apiUrl);
    }
    return runs;
  }

  /** The combined commit status of a commit, every page of its statuses (GET /repos/{owner}/{repo}/commits/{ref}/status). */
  async getCombinedStatus(ref: string): Promise<{ state: string; statuses: GitHubCommitStatus[] }> {
    const action = `read the commit statuses of ${ref}`;
    const statuses: GitHubCommitStatus[] = [];
    let state = "pending";
    let next: string | null = `${this.#repoPath}/commits/${encodeURIComponent(ref)}/status?per_page=100`;
    while (next) {
      const reply: Reply = await this.#request("GET", next, action);
      if (!Array.isArray(reply.data?.statuses)) throw getError("EGITHUBAPI", { action, status: reply.status, reason: "the answer held no statuses list" });
      state = String(reply.data.state);
      statuses.push(...reply.data.statuses);
      next = nextLink(reply.link, this.apiUrl);
    }
    return { state, statuses };
  }

  /** An issue or pull request by number, with its milestone; null when there is none (404, or 410 for a deleted issue). */
  async getIssue(issueNumber: number): Promise<GitHubIssue | null> {
    const path = `${this.#repoPath}/issues/${issueNumber}`;
    const reply = await this.#request("GET", path, `read issue #${issueNumber}`, { allow404: true }).catch((error) => {
      if ((error as { code?: string }).code === "EGITHUBAPI" && /HTTP 410/.test(String((error as Error).message))) return { status: 404, data: null, link: null };
      throw error;
    });
    return reply.status === 404 ? null : reply.data;
  }

  get #repoPath(): string {
    return `/repos/${encodeURIComponent(this.owner)}/${encodeURIComponent(this.repo)}`;
  }

  async *#paginate<T>(path: string, action: string): AsyncGenerator<T> {
    let next: string | null = path;
    while (next) {
      const reply: Reply = await this.#request("GET", next, action);
      if (!Array.isArray(reply.data)) throw getError("EGITHUBAPI", { action, status: reply.status, reason: "the answer was not a list" });
      yield* reply.data as T[];
      next = nextLink(reply.link, this.apiUrl);
    }
  }

  async #request(method: string, pathOrUrl: string, action: string, options: { body?: unknown; allow404?: boolean } = {}): Promise<Reply> {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : `${this.apiUrl}${pathOrUrl}`;
    let failure: { status?: number; reason: string; retryAfter?: number } = { reason: "no attempt was made" };
    for (let attempt = 0; attempt <= this.#retries; attempt++) {
      if (attempt > 0) await sleep(this.#backoff(attempt, failure));
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            accept: "application/vnd.github+json",
            authorization: `token ${this.#token}`,
            "user-agent": "semantic-release-config-pyproject",
            "x-github-api-version": "2022-11-28",
            ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (error) {
        failure = { reason: networkReason(error, this.#timeoutMs) };
        continue;
      }
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        failure = { status: response.status, reason: networkReason(error, this.#timeoutMs) };
        continue;
      }
      const data = parseJson(text);
      if (response.ok || (options.allow404 && response.status === 404)) {
        return { status: response.status, data, link: response.headers.get("link") };
      }
      failure = { status: response.status, reason: githubReason(data, text), retryAfter: retryAfterMs(response) };
      if (!TRANSIENT_STATUS(response.status)) break;
    }
    throw getError("EGITHUBAPI", { action, status: failure.status, reason: redact(failure.reason, this.#token) });
  }

  #backoff(attempt: number, failure: { retryAfter?: number }): number {
    const exponential = backoffMs(attempt + 1, this.#retryDelayMs);
    return failure.retryAfter !== undefined ? Math.max(failure.retryAfter, exponential) : exponential;
  }
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

/** The rel="next" URL, followed only on the API's own origin so the token goes nowhere else. */
function nextLink(link: string | null, apiUrl: string): string | null {
  const next = link?.split(",").map((part) => /<([^>]+)>;\s*rel="next"/.exec(part)?.[1]).find(Boolean);
  if (!next) return null;
  return new URL(next).origin === new URL(apiUrl).origin ? next : null;
}

function parseJson(text: string): any {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function githubReason(data: any, text: string): string {
  if (data && typeof data === "object" && typeof data.message === "string") {
    const details = Array.isArray(data.errors)
      ? data.errors.map((e: any) => (typeof e === "string" ? e : [e.field, e.code, e.message].filter(Boolean).join(" "))).join("; ")
      : "";
    return details ? `${data.message} (${details})` : data.message;
  }
  return text.slice(0, 300);
}

function networkReason(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") return `no answer within ${timeoutMs} ms`;
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
}

function retryAfterMs(response: Response): number | undefined {
  const header = response.headers.get("retry-after");
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= 60 ? seconds * 1000 : undefined;
}

function redact(text: string, token: string): string {
  return token && token.length >= 6 ? text.split(token).join("***") : text;
}

