import { stripCuratorBlock } from "../notes/curator.js";
import { SECTION_END, SECTION_START } from "../github/section.js";
import { renderTemplate } from "../config/template.js";
import { versionVars } from "../version/placeholders.js";
import { compareVersions } from "../version/order.js";
import { headingVersion } from "./versions.js";

export interface PublishedRelease {
  tag_name: string;
  body: string | null;
  published_at?: string | null;
  html_url?: string;
}

export interface SectionOptions {
  /** A `## …` template (`{tag}`, `{version}`, `{pep440}`, `{major}`, `{minor}`, `{patch}`, `{date}`, `{url}`); undefined keeps the drafted heading. */
  heading?: string;
  /** Keep the artifacts section (file hashes, image digests) the release records. */
  artifacts?: boolean;
}

/**
 * The CHANGELOG.md section of a published release: its curated body, under its version
 * heading. The body the notes plugin drafted already starts with `## vX.Y.Z — date`; a body
 * written another way gets that heading, dated by publication. A `heading` template replaces
 * either. A curator block left in the release is not copied: it lists what was left out, for
 * the curator only; nor is the artifacts section unless asked for: the release page keeps it.
 */
export function releaseSection(release: PublishedRelease, version: string, options: SectionOptions = {}): { text: string; strippedCuratorBlock: boolean } {
  const raw = (release.body ?? "").replace(/\r\n?/g, "\n");
  const withoutCurator = stripCuratorBlock(raw);
  const strippedCuratorBlock = withoutCurator.trim() !== raw.trim();
  const body = (options.artifacts ? withoutCurator : stripArtifactsSection(withoutCurator)).trim();
  const [firstLine = "", ...rest] = body.split("\n");
  const named = headingVersion(firstLine);
  const hasHeading = Boolean(named && compareVersions(named, version) === 0);
  const date = release.published_at ? release.published_at.slice(0, 10) : undefined;
  if (options.heading) {
    const content = (hasHeading ? rest.join("\n") : body).trim();
    const heading = renderHeading(options.heading, release, version, date);
    return { text: content ? `${heading}\n\n${content}` : heading, strippedCuratorBlock };
  }
  if (hasHeading) return { text: body, strippedCuratorBlock };
  const heading = `## ${release.tag_name}${date ? ` — ${date}` : ""}`;
  return { text: body ? `${heading}\n\n${body}` : heading, strippedCuratorBlock };
}

/** Pure: the body without the artifacts section the `./artifacts` plugin writes between its markers. */
export function stripArtifactsSection(body: string): string {
  const start = body.indexOf(SECTION_START);
  const end = start >= 0 ? body.indexOf(SECTION_END, start) : -1;
  if (start < 0 || end < 0) return body;
  const before = body.slice(0, start).replace(/\s+$/, "");
  const after = body.slice(end + SECTION_END.length).replace(/^\s+/, "");
  return [before, after].filter(Boolean).join("\n\n");
}

function renderHeading(template: string, release: PublishedRelease, version: string, date: string | undefined): string {
  const vars = versionVars(version);
  const rendered = renderTemplate(template, {
    tag: release.tag_name,
    version,
    pep440: vars?.pep440 ?? version,
    major: vars?.major ?? "",
    minor: vars?.minor ?? "",
    patch: vars?.patch ?? "",
    date: date ?? new Date().toISOString().slice(0, 10),
    url: release.html_url ?? "",
  });
  return rendered.ok ? rendered.value : template;
}
