import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createHash, createHmac, randomBytes } from "node:crypto";

/**
 * A loopback stand-in for the parts of the GitHub REST API that @semantic-release/github
 * (verifyConditions, publish, success, fail) and src/github/client.ts call. It validates
 * what it receives the way api.github.com does (token, User-Agent, required fields,
 * duplicate tags, drafts invisible by tag) and can fail on demand, per route.
 *
 * Release assets follow https://docs.github.com/en/rest/releases/assets: upload to the
 * release's `upload_url` with `name` and Content-Type/Content-Length, list, delete, and
 * download with `Accept: application/octet-stream`, answered by a 302 to a signed URL on a
 * second origin (GitHub's asset storage), which refuses a request that carries a token.
 *
 * Point a client at it with `GITHUB_API_URL=<url>` (or `githubApiUrl`).
 */

export interface GitHubServerOptions {
  /** The only token accepted (`Authorization: token X` or `Bearer X`). */
  token?: string;
  owner?: string;
  repo?: string;
  /** `permissions.push` of the repository for this token (false: a read-only token). */
  push?: boolean;
  /** Whether the token may read check runs and commit statuses (`checks: read`, `statuses: read`; default true). */
  readChecks?: boolean;
  /** Installation tokens (GitHub Actions' GITHUB_TOKEN) get no `permissions` on GET /repos; a contents:read one cannot write (403). */
  installationToken?: boolean;
}

/** A check run as the Checks API keeps it. */
export interface StoredCheckRun {
  id: number;
  name: string;
  head_sha: string;
  status: "queued" | "in_progress" | "completed" | "waiting" | "requested" | "pending";
  conclusion: "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required" | "stale" | "startup_failure" | null;
  started_at: string;
  completed_at: string | null;
}

/** A commit status as the Statuses API keeps it. */
export interface StoredStatus {
  id: number;
  sha: string;
  context: string;
  state: "error" | "failure" | "pending" | "success";
  target_url: string | null;
  description: string | null;
  created_at: string;
}

/** An issue or pull request (they share numbers and GET /issues/{n}), optionally in a milestone (by title). */
export interface StoredWorkItem {
  number: number;
  title: string;
  state: "open" | "closed";
  milestone: string | null;
  pull_request: boolean;
}

export interface StoredAsset {
  id: number;
  name: string;
  label: string | null;
  /** `uploaded`; an upload that failed upstream leaves `starter` (docs: "Upload a release asset"). */
  state: string;
  size: number;
  content_type: string;
  /** `sha256:<hex>` of the bytes, as GitHub has computed on upload since 2025-06 (github.blog changelog 2025-06-03). */
  digest: string | null;
  browser_download_url: string;
  bytes: Buffer;
}

export interface StoredRelease {
  id: number;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  make_latest: string;
  created_at: string;
  published_at: string | null;
  assets: StoredAsset[];
}

export interface StoredMilestone {
  number: number;
  title: string;
  description: string | null;
  state: "open" | "closed";
  open_issues: number;
  closed_issues: number;
  closed_at: string | null;
}

/** A request as received, without its headers (they carry the token). */
export interface RecordedRequest {
  method: string;
  /** The route it matched, e.g. `PATCH /repos/{owner}/{repo}/releases/{release_id}`, or `unknown`. */
  route: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON body; `{ bytes }` for an asset upload; undefined when empty. */
  body: unknown;
  auth: "valid" | "invalid" | "none";
  status: number;
  /** The injected fault this request met, if any. */
  fault?: string;
}

/** `status`: answer with that HTTP status; `reset`: destroy the connection; `delayMs`: answer normally, late. */
export type Fault = { status: number; message?: string } | { reset: true } | { delayMs: number };

export type GitHubRoute =
  | "GET /repos/{owner}/{repo}"
  | "HEAD /installation/repositories"
  | "GET /repos/{owner}/{repo}/releases"
  | "POST /repos/{owner}/{repo}/releases"
  | "GET /repos/{owner}/{repo}/releases/{release_id}"
  | "PATCH /repos/{owner}/{repo}/releases/{release_id}"
  | "DELETE /repos/{owner}/{repo}/releases/{release_id}"
  | "GET /repos/{owner}/{repo}/releases/tags/{tag}"
  | "GET /repos/{owner}/{repo}/releases/{release_id}/assets"
  | "POST /uploads/repos/{owner}/{repo}/releases/{release_id}/assets"
  | "GET /repos/{owner}/{repo}/releases/assets/{asset_id}"
  | "DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}"
  | "GET asset storage"
  | "POST /repos/{owner}/{repo}/releases/generate-notes"
  | "GET /repos/{owner}/{repo}/milestones"
  | "GET /repos/{owner}/{repo}/milestones/{milestone_number}"
  | "POST /repos/{owner}/{repo}/issues"
  | "POST /graphql"
  | "GET /repos/{owner}/{repo}/commits/{ref}/check-runs"
  | "GET /repos/{owner}/{repo}/commits/{ref}/status"
  | "GET /repos/{owner}/{repo}/issues/{issue_number}";

export interface GitHubServer {
  /** The API base URL (what `GITHUB_API_URL` takes). */
  url: string;
  token: string;
  owner: string;
  repo: string;
  /** Deep copies of every release, oldest first. */
  releases(): StoredRelease[];
  release(id: number): StoredRelease | undefined;
  /** Seed a release as if created earlier (e.g. a published, curated one). */
  addRelease(fields: Partial<StoredRelease> & { tag_name: string }): StoredRelease;
  /** Change a release the way a curator does on github.com (no request is recorded). */
  editRelease(id: number, fields: Partial<Pick<StoredRelease, "body" | "name" | "draft" | "prerelease">>): StoredRelease;
  addMilestone(fields: { title: string; state?: "open" | "closed"; open_issues?: number; closed_issues?: number; description?: string }): StoredMilestone;
  /** Put an asset on a release as if uploaded earlier (or by hand on github.com). */
  addAsset(releaseId: number, name: string, bytes: Buffer, contentType?: string): StoredAsset;
  /** The bytes of a release's asset, by name. */
  assetBytes(releaseId: number, name: string): Buffer | undefined;
  /** Close a milestone by title: its open issues count as closed. */
  closeMilestone(title: string): StoredMilestone;
  milestones(): StoredMilestone[];
  /** Issues created through the API (the fail step of @semantic-release/github). */
  issues(): { number: number; title: string; body: string; labels: string[] }[];
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** The next `times` requests matching `route` (or `*` for any) meet `fault`. */
  injectFault(route: GitHubRoute | "*", fault: Fault, times?: number): void;
  close(): Promise<void>;
  /** A check run on a commit, as a CI app creates it (no request is recorded). */
  addCheckRun(fields: { head_sha: string; name: string; status?: StoredCheckRun["status"]; conclusion?: StoredCheckRun["conclusion"] }): StoredCheckRun;
  /** Move a check run on, e.g. to `{ status: "completed", conclusion: "success" }`. */
  updateCheckRun(id: number, fields: Partial<Pick<StoredCheckRun, "status" | "conclusion">>): StoredCheckRun;
  /** A commit status, as an external CI posts it. */
  addStatus(fields: { sha: string; context: string; state: StoredStatus["state"]; target_url?: string; description?: string }): StoredStatus;
  /** An issue or pull request with its number, optionally in the milestone with this title. */
  addWorkItem(fields: { number: number; title: string; milestone?: string; pull_request?: boolean; state?: "open" | "closed" }): StoredWorkItem;
}

interface Matched {
  route: GitHubRoute;
  params: Record<string, string>;
}

const ROUTES: { method: string; pattern: RegExp; route: GitHubRoute; keys: string[] }[] = [
  ["HEAD", "/installation/repositories", "HEAD /installation/repositories"],
  ["GET", "/repos/:owner/:repo", "GET /repos/{owner}/{repo}"],
  ["GET", "/repos/:owner/:repo/releases", "GET /repos/{owner}/{repo}/releases"],
  ["POST", "/repos/:owner/:repo/releases", "POST /repos/{owner}/{repo}/releases"],
  ["GET", "/repos/:owner/:repo/releases/tags/:tag", "GET /repos/{owner}/{repo}/releases/tags/{tag}"],
  ["GET", "/repos/:owner/:repo/releases/assets/:asset_id", "GET /repos/{owner}/{repo}/releases/assets/{asset_id}"],
  ["DELETE", "/repos/:owner/:repo/releases/assets/:asset_id", "DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}"],
  ["POST", "/repos/:owner/:repo/releases/generate-notes", "POST /repos/{owner}/{repo}/releases/generate-notes"],
  ["GET", "/repos/:owner/:repo/releases/:release_id/assets", "GET /repos/{owner}/{repo}/releases/{release_id}/assets"],
  ["GET", "/repos/:owner/:repo/releases/:release_id", "GET /repos/{owner}/{repo}/releases/{release_id}"],
  ["PATCH", "/repos/:owner/:repo/releases/:release_id", "PATCH /repos/{owner}/{repo}/releases/{release_id}"],
  ["DELETE", "/repos/:owner/:repo/releases/:release_id", "DELETE /repos/{owner}/{repo}/releases/{release_id}"],
  ["POST", "/uploads/repos/:owner/:repo/releases/:release_id/assets", "POST /uploads/repos/{owner}/{repo}/releases/{release_id}/assets"],
  ["GET", "/repos/:owner/:repo/milestones", "GET /repos/{owner}/{repo}/milestones"],
  ["GET", "/repos/:owner/:repo/milestones/:milestone_number", "GET /repos/{owner}/{repo}/milestones/{milestone_number}"],
  ["POST", "/repos/:owner/:repo/issues", "POST /repos/{owner}/{repo}/issues"],
  ["POST", "/graphql", "POST /graphql"],
  ["GET", "/repos/:owner/:repo/commits/:ref/check-runs", "GET /repos/{owner}/{repo}/commits/{ref}/check-runs"],
  ["GET", "/repos/:owner/:repo/commits/:ref/status", "GET /repos/{owner}/{repo}/commits/{ref}/status"],
  ["GET", "/repos/:owner/:repo/issues/:issue_number", "GET /repos/{owner}/{repo}/issues/{issue_number}"],
].map(([method, path, route]) => {
  const keys: string[] = [];
  const source = path.replace(/:(\w+)/g, (_, key: string) => (keys.push(key), "([^/]+)"));
  return { method, pattern: new RegExp(`^${source}$`), route: route as GitHubRoute, keys };
});

function matchRoute(method: string, path: string): Matched | undefined {
  for (const candidate of ROUTES) {
    if (candidate.method !== method) continue;
    const found = candidate.pattern.exec(path);
    if (!found) continue;
    const params: Record<string, string> = {};
    candidate.keys.forEach((key, i) => (params[key] = decodeURIComponent(found[i + 1])));
    return { route: candidate.route, params };
  }
  return undefined;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

const DOCS = "https://docs.github.com/rest";
const validationFailed = (field: string, code: string, resource = "Release") =>
  new HttpError(422, "Validation Failed", [{ resource, code, field }]);

export async function startGitHubServer(options: GitHubServerOptions = {}): Promise<GitHubServer> {
  const token = options.token ?? `ghs_${randomBytes(12).toString("hex")}`;
  const owner = options.owner ?? "o";
  const repo = options.repo ?? "r";
  const push = options.push ?? true;
  const readChecks = options.readChecks ?? true;
  const checkRuns: StoredCheckRun[] = [];
  const statuses: StoredStatus[] = [];
  const workItems: StoredWorkItem[] = [];
  const installationToken = options.installationToken ?? false;
  const storageKey = randomBytes(16);

  const releases: StoredRelease[] = [];
  const milestones: StoredMilestone[] = [];
  const issues: { number: number; title: string; body: string; labels: string[] }[] = [];
  const recorded: RecordedRequest[] = [];
  const faults: { route: string; fault: Fault; times: number }[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let nextId = 1000;
  let clock = Date.parse("2025-01-01T00:00:00Z");
  const now = () => new Date((clock += 1000)).toISOString();

  let base = "";
  let storageBase = "";
  const web = `https://github.com/${owner}/${repo}`;

  const assetJson = (a: StoredAsset) => ({
    url: `${base}/repos/${owner}/${repo}/releases/assets/${a.id}`,
    browser_download_url: a.browser_download_url,
    id: a.id,
    node_id: `RA_${a.id}`,
    name: a.name,
    label: a.label,
    state: a.state,
    content_type: a.content_type,
    size: a.size,
    digest: a.digest,
    download_count: 0,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    uploader: { login: "github-actions[bot]", type: "Bot" },
  });
  const findAsset = (id: string) => {
    for (const release of releases) {
      const asset = release.assets.find((a) => String(a.id) === id);
      if (asset) return { release, asset };
    }
    throw new HttpError(404, "Not Found");
  };
  /** A signed, short-lived storage URL, as GitHub's redirect for `Accept: application/octet-stream` carries. */
  const signedUrl = (asset: StoredAsset) => {
    const expires = Date.now() + 5 * 60_000;
    const signature = createHmac("sha256", storageKey).update(`${asset.id}:${expires}`).digest("hex");
    return `${storageBase}/${asset.id}/${encodeURIComponent(asset.name)}?expires=${expires}&signature=${signature}`;
  };

  const releaseJson = (r: StoredRelease) => ({
    url: `${base}/repos/${owner}/${repo}/releases/${r.id}`,
    html_url: r.draft ? `${web}/releases/tag/untagged-${r.id.toString(16)}` : `${web}/releases/tag/${encodeURIComponent(r.tag_name)}`,
    assets_url: `${base}/repos/${owner}/${repo}/releases/${r.id}/assets`,
    upload_url: `${base}/uploads/repos/${owner}/${repo}/releases/${r.id}/assets{?name,label}`,
    tarball_url: r.draft ? null : `${base}/repos/${owner}/${repo}/tarball/${r.tag_name}`,
    zipball_url: r.draft ? null : `${base}/repos/${owner}/${repo}/zipball/${r.tag_name}`,
    id: r.id,
    node_id: `RE_${r.id}`,
    tag_name: r.tag_name,
    target_commitish: r.target_commitish,
    name: r.name,
    body: r.body,
    draft: r.draft,
    prerelease: r.prerelease,
    immutable: false,
    created_at: r.created_at,
    published_at: r.published_at,
    author: { login: "github-actions[bot]", type: "Bot" },
    assets: r.assets.map(assetJson),
  });

  const milestoneJson = (m: StoredMilestone) => ({
    url: `${base}/repos/${owner}/${repo}/milestones/${m.number}`,
    html_url: `${web}/milestone/${m.number}`,
    id: 5000 + m.number,
    number: m.number,
    title: m.title,
    description: m.description,
    state: m.state,
    open_issues: m.open_issues,
    closed_issues: m.closed_issues,
    closed_at: m.closed_at,
    due_on: null,
  });

  const findRelease = (id: string) => {
    const release = /^\d+$/.test(id) ? releases.find((r) => r.id === Number(id)) : undefined;
    if (!release) throw new HttpError(404, "Not Found");
    return release;
  };

  function storeAsset(release: StoredRelease, name: string, bytes: Buffer, contentType: string, state: string): StoredAsset {
    const asset: StoredAsset = {
      id: nextId++,
      name,
      label: null,
      state,
      size: bytes.length,
      content_type: contentType,
      digest: state === "uploaded" ? `sha256:${createHash("sha256").update(bytes).digest("hex")}` : null,
      browser_download_url: `${web}/releases/download/${encodeURIComponent(release.tag_name)}/${encodeURIComponent(name)}`,
      bytes,
    };
    release.assets.push(asset);
    return asset;
  }

  function createRelease(fields: Partial<StoredRelease> & { tag_name: string }): StoredRelease {
    const draft = fields.draft ?? false;
    const release: StoredRelease = {
      id: nextId++,
      tag_name: fields.tag_name,
      target_commitish: fields.target_commitish ?? "main",
      name: fields.name ?? null,
      body: fields.body ?? null,
      draft,
      prerelease: fields.prerelease ?? false,
      make_latest: fields.make_latest ?? "true",
      created_at: fields.created_at ?? now(),
      published_at: draft ? null : (fields.published_at ?? now()),
      assets: fields.assets ?? [],
    };
    releases.push(release);
    return release;
  }

  /** One page of `items` the way GitHub paginates: per_page (max 100), page, and a Link header. */
  function paginate<T>(items: T[], url: URL, res: ServerResponse): T[] {
    const perPage = Math.min(Math.max(Number(url.searchParams.get("per_page") ?? 30) || 30, 1), 100);
    const page = Math.max(Number(url.searchParams.get("page") ?? 1) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p: number, rel: string) => {
      const target = new URL(url.pathname + url.search, base);
      target.searchParams.set("per_page", String(perPage));
      target.searchParams.set("page", String(p));
      return `<${target}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
    if (page > 1) links.push(link(1, "first"), link(page - 1, "prev"));
    if (links.length) res.setHeader("Link", links.join(", "));
    return items.slice((page - 1) * perPage, page * perPage);
  }

  function checkReleaseFields(body: Record<string, unknown>, creating: boolean) {
    if (creating && (typeof body.tag_name !== "string" || !body.tag_name.trim())) throw validationFailed("tag_name", "missing_field");
    if (body.tag_name !== undefined && (typeof body.tag_name !== "string" || !body.tag_name.trim())) throw validationFailed("tag_name", "invalid");
    for (const key of ["name", "body", "target_commitish"]) {
      if (body[key] !== undefined && body[key] !== null && typeof body[key] !== "string") throw validationFailed(key, "invalid");
    }
    for (const key of ["draft", "prerelease", "generate_release_notes"]) {
      if (body[key] !== undefined && typeof body[key] !== "boolean") throw validationFailed(key, "invalid");
    }
    if (body.make_latest !== undefined && !["true", "false", "legacy"].includes(body.make_latest as string)) throw validationFailed("make_latest", "invalid");
    if (typeof body.body === "string" && body.body.length > 125_000) throw validationFailed("body", "too_long");
  }

  function handle(matched: Matched, method: string, url: URL, body: any, raw: Buffer, res: ServerResponse): [number, unknown] {
    const { route, params } = matched;
    if (route === "HEAD /installation/repositories" && installationToken) return [200, undefined];
    if (route === "HEAD /installation/repositories") throw new HttpError(403, "This endpoint requires you to be authenticated as a GitHub App installation.");
    if (route === "POST /graphql") return [200, graphql(body)];
    if (params.owner.toLowerCase() !== owner.toLowerCase() || params.repo.toLowerCase() !== repo.toLowerCase()) throw new HttpError(404, "Not Found");
    const needsPush = method !== "GET";
    if (needsPush && !push) throw new HttpError(403, "Resource not accessible by integration");

    switch (route) {
      case "GET /repos/{owner}/{repo}":
        return [
          200,
          {
            id: 1,
            name: repo,
            full_name: `${owner}/${repo}`,
            owner: { login: owner },
            private: true,
            html_url: web,
            clone_url: `${web}.git`,
            ssh_url: `git@github.com:${owner}/${repo}.git`,
            default_branch: "main",
            // An installation token (GitHub Actions' GITHUB_TOKEN) is answered without `permissions`.
            ...(installationToken ? {} : { permissions: { admin: false, maintain: false, push, triage: push, pull: true } }),
          },
        ];
      case "GET /repos/{owner}/{repo}/releases": {
        const visible = releases.filter((r) => push || !r.draft).sort((a, b) => b.id - a.id);
        return [200, paginate(visible, url, res).map(releaseJson)];
      }
      case "POST /repos/{owner}/{repo}/releases": {
        checkReleaseFields(body, true);
        if (releases.some((r) => r.tag_name === body.tag_name)) throw validationFailed("tag_name", "already_exists");
        return [201, releaseJson(createRelease(body))];
      }
      case "GET /repos/{owner}/{repo}/releases/tags/{tag}": {
        const release = releases.find((r) => r.tag_name === params.tag && !r.draft);
        if (!release) throw new HttpError(404, "Not Found");
        return [200, releaseJson(release)];
      }
      case "GET /repos/{owner}/{repo}/releases/{release_id}":
        return [200, releaseJson(findRelease(params.release_id))];
      case "PATCH /repos/{owner}/{repo}/releases/{release_id}": {
        const release = findRelease(params.release_id);
        checkReleaseFields(body, false);
        if (body.tag_name !== undefined && releases.some((r) => r !== release && r.tag_name === body.tag_name)) throw validationFailed("tag_name", "already_exists");
        for (const key of ["tag_name", "target_commitish", "name", "body", "prerelease", "make_latest"] as const) {
          if (body[key] !== undefined) (release as any)[key] = body[key];
        }
        if (body.draft !== undefined) {
          if (release.draft && body.draft === false) release.published_at = now();
          release.draft = body.draft;
        }
        return [200, releaseJson(release)];
      }
      case "DELETE /repos/{owner}/{repo}/releases/{release_id}": {
        const release = findRelease(params.release_id);
        releases.splice(releases.indexOf(release), 1);
        return [204, undefined];
      }
      case "GET /repos/{owner}/{repo}/releases/{release_id}/assets":
        return [200, paginate(findRelease(params.release_id).assets, url, res).map(assetJson)];
      case "POST /uploads/repos/{owner}/{repo}/releases/{release_id}/assets": {
        // https://docs.github.com/en/rest/releases/assets#upload-a-release-asset
        const release = findRelease(params.release_id);
        const name = url.searchParams.get("name");
        if (!name) throw validationFailed("name", "missing_field", "ReleaseAsset");
        // "Use the required Content-Type header to provide the media type of the asset."
        if (!res.req.headers["content-type"]) throw validationFailed("content_type", "missing_field", "ReleaseAsset");
        // "Most libraries will set the required Content-Length header automatically."
        if (res.req.headers["content-length"] === undefined) throw new HttpError(411, "Length Required");
        if (Number(res.req.headers["content-length"]) !== raw.length) throw new HttpError(400, "Content-Length does not match the body");
        // "If you upload an asset with the same filename as another uploaded asset, you'll receive an error and must delete the old file."
        if (release.assets.some((a) => a.name === name)) throw validationFailed("name", "already_exists", "ReleaseAsset");
        const asset = storeAsset(release, name, raw, String(res.req.headers["content-type"]), "uploaded");
        asset.label = url.searchParams.get("label");
        return [201, assetJson(asset)];
      }
      case "GET /repos/{owner}/{repo}/releases/assets/{asset_id}": {
        const { asset } = findAsset(params.asset_id);
        // "set the Accept header of the request to application/octet-stream. The API will either redirect the client to the location, or stream it directly"
        if (String(res.req.headers.accept ?? "").includes("application/octet-stream")) {
          res.setHeader("Location", signedUrl(asset));
          return [302, undefined];
        }
        return [200, assetJson(asset)];
      }
      case "DELETE /repos/{owner}/{repo}/releases/assets/{asset_id}": {
        const { release, asset } = findAsset(params.asset_id);
        release.assets.splice(release.assets.indexOf(asset), 1);
        return [204, undefined];
      }
      case "POST /repos/{owner}/{repo}/releases/generate-notes": {
        // https://docs.github.com/en/rest/releases/releases#generate-release-notes-content-for-a-release
        // (needs contents: write, checked above; nothing is stored)
        if (typeof body.tag_name !== "string" || !body.tag_name) throw validationFailed("tag_name", "missing_field");
        return [200, { name: body.tag_name, body: `**Full Changelog**: ${web}/commits/${body.tag_name}` }];
      }
      case "GET /repos/{owner}/{repo}/milestones": {
        const state = url.searchParams.get("state") ?? "open";
        if (!["open", "closed", "all"].includes(state)) throw validationFailed("state", "invalid", "Milestone");
        const selected = milestones.filter((m) => state === "all" || m.state === state).sort((a, b) => a.number - b.number);
        return [200, paginate(selected, url, res).map(milestoneJson)];
      }
      case "GET /repos/{owner}/{repo}/milestones/{milestone_number}": {
        const milestone = milestones.find((m) => String(m.number) === params.milestone_number);
        if (!milestone) throw new HttpError(404, "Not Found");
        return [200, milestoneJson(milestone)];
      }
      case "POST /repos/{owner}/{repo}/issues": {
        if (typeof body.title !== "string" || !body.title) throw validationFailed("title", "missing_field", "Issue");
        const issue = { number: issues.length + 1, title: body.title, body: String(body.body ?? ""), labels: (body.labels ?? []).map(String) };
        issues.push(issue);
        return [201, { ...issue, html_url: `${web}/issues/${issue.number}`, state: "open" }];
      }
      case "GET /repos/{owner}/{repo}/commits/{ref}/check-runs": {
        // https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference:
        // "OAuth app tokens and personal access tokens (classic) need the repo scope";
        // a GITHUB_TOKEN without `checks: read` gets 403 "Resource not accessible by integration".
        if (!readChecks) throw new HttpError(403, "Resource not accessible by integration");
        const sha = commitOf(params.ref);
        // Same page: `status` is one of queued, in_progress, completed; `filter` is latest (default) or all.
        const status = url.searchParams.get("status");
        if (status !== null && !["queued", "in_progress", "completed"].includes(status)) throw validationFailed("status", "invalid", "CheckRun");
        const filter = url.searchParams.get("filter") ?? "latest";
        if (!["latest", "all"].includes(filter)) throw validationFailed("filter", "invalid", "CheckRun");
        const name = url.searchParams.get("check_name");
        let selected = checkRuns.filter((run) => run.head_sha === sha && (name === null || run.name === name) && (status === null || run.status === status));
        // `latest` keeps the most recent run of each name (a re-run supersedes the run before it).
        if (filter === "latest") selected = selected.filter((run) => !selected.some((other) => other.name === run.name && other.id > run.id));
        selected.sort((a, b) => b.id - a.id);
        return [200, { total_count: selected.length, check_runs: paginate(selected, url, res).map(checkRunJson) }];
      }
      case "GET /repos/{owner}/{repo}/commits/{ref}/status": {
        // https://docs.github.com/en/rest/commits/statuses#get-the-combined-status-for-a-specific-reference:
        // the latest status per context; `state` is failure if any is error or failure, pending if
        // there are none or any is pending, else success. Needs `statuses: read` for a GITHUB_TOKEN.
        if (!readChecks) throw new HttpError(403, "Resource not accessible by integration");
        const sha = commitOf(params.ref);
        const latest = statuses.filter((each) => each.sha === sha && !statuses.some((other) => other.sha === sha && other.context === each.context && other.id > each.id)).sort((a, b) => b.id - a.id);
        const state = latest.some((each) => each.state === "error" || each.state === "failure")
          ? "failure"
          : latest.length === 0 || latest.some((each) => each.state === "pending")
            ? "pending"
            : "success";
        return [
          200,
          {
            state,
            statuses: paginate(latest, url, res).map((each) => ({
              url: `${base}/repos/${owner}/${repo}/statuses/${sha}`,
              id: each.id,
              node_id: `SC_${each.id}`,
              state: each.state,
              description: each.description,
              target_url: each.target_url,
              context: each.context,
              created_at: each.created_at,
              updated_at: each.created_at,
            })),
            sha,
            total_count: latest.length,
            repository: { full_name: `${owner}/${repo}` },
            commit_url: `${base}/repos/${owner}/${repo}/commits/${sha}`,
            url: `${base}/repos/${owner}/${repo}/commits/${sha}/status`,
          },
        ];
      }
      case "GET /repos/{owner}/{repo}/issues/{issue_number}": {
        // https://docs.github.com/en/rest/issues/issues#get-an-issue: pull requests are issues
        // too (with a `pull_request` key); an unknown number is 404.
        const item = workItems.find((each) => String(each.number) === params.issue_number);
        if (!item) throw new HttpError(404, "Not Found");
        const milestone = item.milestone === null ? null : milestones.find((m) => m.title === item.milestone);
        return [
          200,
          {
            url: `${base}/repos/${owner}/${repo}/issues/${item.number}`,
            html_url: `${web}/${item.pull_request ? "pull" : "issues"}/${item.number}`,
            number: item.number,
            title: item.title,
            state: item.state,
            milestone: milestone ? milestoneJson(milestone) : null,
            ...(item.pull_request ? { pull_request: { url: `${base}/repos/${owner}/${repo}/pulls/${item.number}`, html_url: `${web}/pull/${item.number}` } } : {}),
          },
        ];
      }
      default:
        throw new HttpError(404, "Not Found");
    }
  }

  /** The commit a ref names. The stand-in knows commits only by SHA: anything else is GitHub's 422 for an unknown commit. */
  function commitOf(ref: string): string {
    if (!/^[0-9a-f]{40}$/.test(ref)) throw new HttpError(422, `No commit found for SHA: ${ref}`);
    return ref;
  }

  const checkRunJson = (run: StoredCheckRun) => ({
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.head_sha,
    external_id: "",
    url: `${base}/repos/${owner}/${repo}/check-runs/${run.id}`,
    html_url: `${web}/runs/${run.id}`,
    details_url: `${web}/actions/runs/${run.id}/job/${run.id}`,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    name: run.name,
    check_suite: { id: 1 },
    app: { id: 15368, slug: "github-actions", name: "GitHub Actions" },
    pull_requests: [],
  });

  /** Just enough GraphQL for @semantic-release/github's success and fail steps: no PRs, no issues. */
  function graphql(body: any) {
    if (typeof body?.query !== "string") throw new HttpError(400, "Problems parsing JSON");
    if (body.query.includes("getSRIssues")) return { data: { repository: { issues: { nodes: [] } } } };
    return { data: { repository: {} } };
  }

  function authOf(req: IncomingMessage): RecordedRequest["auth"] {
    const header = req.headers.authorization;
    if (!header) return "none";
    const found = /^(?:token|bearer)\s+(\S+)$/i.exec(header);
    return found && found[1] === token ? "valid" : "invalid";
  }

  function takeFault(route: string): Fault | undefined {
    const index = faults.findIndex((f) => f.route === route || f.route === "*");
    if (index < 0) return undefined;
    const entry = faults[index];
    if (--entry.times <= 0) faults.splice(index, 1);
    return entry.fault;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => (timers.delete(timer), resolve()), ms);
      timers.add(timer);
    });

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", base);
    const matched = matchRoute(method, url.pathname);
    const auth = authOf(req);
    const isUpload = matched?.route === "POST /uploads/repos/{owner}/{repo}/releases/{release_id}/assets";
    let body: any;
    let status = 500;
    let payload: unknown;
    const entry: RecordedRequest = {
      method,
      route: matched?.route ?? "unknown",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: isUpload ? { bytes: raw.length, contentType: req.headers["content-type"] } : undefined,
      auth,
      status: 0,
    };
    recorded.push(entry);

    const fault = matched ? takeFault(matched.route) : undefined;
    if (fault && "reset" in fault) {
      entry.fault = "reset";
      req.socket.destroy();
      return;
    }
    if (fault && "delayMs" in fault) {
      entry.fault = `delay ${fault.delayMs}ms`;
      await sleep(fault.delayMs);
      if (res.destroyed || req.socket.destroyed) return;
    }

    try {
      if (!isUpload && raw.length) {
        try {
          body = JSON.parse(raw.toString("utf8"));
          entry.body = body;
        } catch {
          throw new HttpError(400, "Problems parsing JSON");
        }
      }
      if (!req.headers["user-agent"]) throw new HttpError(403, "Request forbidden by administrative rules. Please make sure your request has a User-Agent header.");
      if (auth === "invalid") throw new HttpError(401, "Bad credentials");
      if (auth === "none") throw new HttpError(401, "Requires authentication");
      if (fault && "status" in fault) {
        entry.fault = `status ${fault.status}`;
        // "When an upstream failure occurs, you will receive a 502 Bad Gateway status. This may leave an empty asset with a state of starter."
        if (isUpload && fault.status === 502 && matched) {
          const release = releases.find((r) => String(r.id) === matched.params.release_id);
          const name = url.searchParams.get("name");
          if (release && name && !release.assets.some((a) => a.name === name)) storeAsset(release, name, Buffer.alloc(0), String(req.headers["content-type"] ?? ""), "starter");
        }
        throw new HttpError(fault.status, fault.message ?? (fault.status >= 500 ? "Server Error" : "Injected fault"));
      }
      if (!matched) throw new HttpError(404, "Not Found");
      if (!body && ["POST", "PATCH"].includes(method) && !isUpload) body = {};
      [status, payload] = handle(matched, method, url, body, raw, res);
    } catch (error) {
      const known = error instanceof HttpError ? error : new HttpError(500, `stand-in bug: ${(error as Error).message}`);
      status = known.status;
      payload = { message: known.message, ...(known.errors ? { errors: known.errors } : {}), documentation_url: DOCS, status: String(known.status) };
    }
    entry.status = status;
    res.statusCode = status;
    res.setHeader("X-GitHub-Media-Type", "github.v3; format=json");
    res.setHeader("X-RateLimit-Limit", "5000");
    res.setHeader("X-RateLimit-Remaining", "4999");
    if (payload === undefined || method === "HEAD") return void res.end();
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.end(JSON.stringify(payload));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  /**
   * Asset storage on its own origin, like the signed URL GitHub redirects downloads to. Like
   * a presigned S3 URL it refuses a request that also carries an Authorization header ("Only
   * one auth mechanism allowed"), so a client that forwards the token across origins fails.
   */
  const storage = createServer((req, res) => {
    const url = new URL(req.url ?? "/", storageBase);
    const [, id] = url.pathname.split("/");
    const entry: RecordedRequest = { method: req.method ?? "GET", route: "GET asset storage", path: url.pathname, query: {}, body: undefined, auth: authOf(req), status: 0 };
    recorded.push(entry);
    const answer = (status: number, text: string) => {
      entry.status = status;
      res.writeHead(status, { "Content-Type": "application/xml" }).end(text);
    };
    if (req.headers.authorization) return answer(400, "<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed</Message></Error>");
    const expires = Number(url.searchParams.get("expires"));
    const expected = createHmac("sha256", storageKey).update(`${id}:${expires}`).digest("hex");
    if (url.searchParams.get("signature") !== expected || !(expires > Date.now())) return answer(403, "<Error><Code>AccessDenied</Code><Message>Request has expired or its signature does not match</Message></Error>");
    const asset = releases.flatMap((r) => r.assets).find((a) => String(a.id) === id);
    if (!asset) return answer(404, "<Error><Code>NoSuchKey</Code></Error>");
    entry.status = 200;
    res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": asset.bytes.length }).end(asset.bytes);
  });
  storage.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => storage.listen(0, "127.0.0.1", resolve));
  storageBase = `http://127.0.0.1:${(storage.address() as AddressInfo).port}`;

  const copy = <T>(value: T): T => structuredClone(value);
  const milestoneByTitle = (title: string) => {
    const milestone = milestones.find((m) => m.title === title);
    if (!milestone) throw new Error(`no milestone titled ${title}`);
    return milestone;
  };

  return {
    url: base,
    token,
    owner,
    repo,
    releases: () => copy(releases),
    release: (id) => copy(releases.find((r) => r.id === id)),
    addRelease: (fields) => copy(createRelease(fields)),
    editRelease(id, fields) {
      const release = releases.find((r) => r.id === id);
      if (!release) throw new Error(`no release ${id}`);
      if (release.draft && fields.draft === false) release.published_at = now();
      Object.assign(release, fields);
      return copy(release);
    },
    addMilestone(fields) {
      const state = fields.state ?? "open";
      const milestone: StoredMilestone = {
        number: milestones.length + 1,
        title: fields.title,
        description: fields.description ?? null,
        state,
        open_issues: fields.open_issues ?? 0,
        closed_issues: fields.closed_issues ?? 0,
        closed_at: state === "closed" ? now() : null,
      };
      milestones.push(milestone);
      return copy(milestone);
    },
    closeMilestone(title) {
      const milestone = milestoneByTitle(title);
      milestone.state = "closed";
      milestone.closed_issues += milestone.open_issues;
      milestone.open_issues = 0;
      milestone.closed_at = now();
      return copy(milestone);
    },
    milestones: () => copy(milestones),
    addAsset(releaseId, name, bytes, contentType = "application/octet-stream") {
      const release = releases.find((r) => r.id === releaseId);
      if (!release) throw new Error(`no release ${releaseId}`);
      return copy(storeAsset(release, name, bytes, contentType, "uploaded"));
    },
    assetBytes: (releaseId, name) => {
      const asset = releases.find((r) => r.id === releaseId)?.assets.find((a) => a.name === name);
      return asset ? Buffer.from(asset.bytes) : undefined;
    },
    issues: () => copy(issues),
    requests: () => copy(recorded),
    clearRequests: () => void recorded.splice(0),
    injectFault(route, fault, times = 1) {
      faults.push({ route, fault, times });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        for (const socket of sockets) socket.destroy();
        storage.close();
        server.close(() => resolve());
      }),
    addCheckRun(fields) {
      const status = fields.status ?? (fields.conclusion ? "completed" : "queued");
      const at = now();
      const run: StoredCheckRun = { id: nextId++, name: fields.name, head_sha: fields.head_sha, status, conclusion: fields.conclusion ?? null, started_at: at, completed_at: status === "completed" ? at : null };
      checkRuns.push(run);
      return copy(run);
    },
    updateCheckRun(id, fields) {
      const run = checkRuns.find((each) => each.id === id);
      if (!run) throw new Error(`no check run ${id}`);
      Object.assign(run, fields);
      if (run.status === "completed" && !run.completed_at) run.completed_at = now();
      return copy(run);
    },
    addStatus(fields) {
      const status: StoredStatus = { id: nextId++, sha: fields.sha, context: fields.context, state: fields.state, target_url: fields.target_url ?? null, description: fields.description ?? null, created_at: now() };
      statuses.push(status);
      return copy(status);
    },
    addWorkItem(fields) {
      if (fields.milestone !== undefined) milestoneByTitle(fields.milestone);
      const item: StoredWorkItem = { number: fields.number, title: fields.title, state: fields.state ?? "open", milestone: fields.milestone ?? null, pull_request: fields.pull_request ?? false };
      workItems.push(item);
      return copy(item);
    },
  };
}
