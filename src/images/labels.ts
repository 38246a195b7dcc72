/** What the OCI labels of every image say about the release. */
export interface LabelFacts {
  /** PEP 440 version: the one users see on PyPI. */
  pep440: string;
  /** The release commit. */
  revision: string;
  /** The repository URL, without credentials. */
  source?: string;
  /** ISO 8601 build time. */
  created: string;
}

/** The labels that name the release an image belongs to. */
export const VERSION_LABEL = "org.opencontainers.image.version";
export const REVISION_LABEL = "org.opencontainers.image.revision";

/** Pure: `org.opencontainers.image.*` labels (image-spec annotations.md). Credentials in the URL are dropped. */
export function ociLabels(facts: LabelFacts): Record<string, string> {
  const labels: Record<string, string> = {
    [VERSION_LABEL]: facts.pep440,
    [REVISION_LABEL]: facts.revision,
    "org.opencontainers.image.created": facts.created,
  };
  const source = facts.source ? publicUrl(facts.source) : undefined;
  if (source) labels["org.opencontainers.image.source"] = source;
  return labels;
}

/** `https://x-access-token:ghs_…@github.com/o/r.git` → `https://github.com/o/r`; `git@github.com:o/r.git` → `https://github.com/o/r`. */
export function publicUrl(url: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):(.+?)(?:\.git)?$/.exec(url);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  try {
    // The URL API cannot switch a non-special scheme (git+https:) to https: in place.
    const parsed = new URL(url.replace(/^(?:git\+https|git\+ssh|ssh|git):\/\//, "https://"));
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\.git$/, "");
  } catch {
    return undefined;
  }
}
