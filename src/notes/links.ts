import type { Reference } from "./classify.js";

/** Where commits and issues live; without owner/repository, hashes and issues stay plain text. */
export interface RepoLinks {
  host?: string;
  owner?: string;
  repository?: string;
}

const SHORT_HASH = 7;

export function shortHash(hash: string): string {
  return hash.slice(0, SHORT_HASH);
}

function base(links: RepoLinks, owner = links.owner, repository = links.repository): string | undefined {
  if (!links.host || !owner || !repository) return undefined;
  return `${links.host.replace(/\/+$/, "")}/${owner}/${repository}`;
}

/** `([abc1234](…/commit/<full hash>))`, or `(abc1234)` without a repository. */
export function commitLink(hash: string, links: RepoLinks): string {
  const repo = base(links);
  if (!hash) return "";
  return repo ? `[\`${shortHash(hash)}\`](${repo}/commit/${hash})` : `\`${shortHash(hash)}\``;
}

export function issueLink(reference: Pick<Reference, "owner" | "repository" | "issue" | "prefix">, links: RepoLinks): string {
  const crossRepo = reference.repository ? `${reference.owner ? `${reference.owner}/` : ""}${reference.repository}` : "";
  const text = `${crossRepo}${reference.prefix}${reference.issue}`;
  const repo = base(links, reference.repository ? (reference.owner ?? links.owner) : links.owner, reference.repository ?? links.repository);
  return repo ? `[${text}](${repo}/issues/${reference.issue})` : text;
}

/** `#42` in a subject becomes a link; text already in a link or in code is left alone. */
export function linkIssuesInText(text: string, links: RepoLinks): { text: string; issues: string[] } {
  const issues: string[] = [];
  const linked = text.replace(/`[^`]*`|\[[^\]]*\]\([^)]*\)|(^|[^\w/[])#(\d+)\b/g, (match, before: string | undefined, issue: string | undefined) => {
    if (issue === undefined) return match;
    issues.push(issue);
    return `${before}${issueLink({ prefix: "#", issue }, links)}`;
  });
  return { text: linked, issues };
}
