import type { ReleaseRecord } from "../context.js";
import { parseDistFilename } from "../pypi/dists.js";

/**
 * Pure: the "Artifacts" section of a release body, and the one place in the body it may
 * change. Everything outside the two markers belongs to the curator and is never touched.
 */

export const SECTION_START = "<!-- pyrelease:artifacts:start -->";
export const SECTION_END = "<!-- pyrelease:artifacts:end -->";

export type SectionState = "absent" | "present" | "broken";

/** `broken`: a curator removed one marker (or swapped them); the orphan is dropped and a fresh section appended. */
export function sectionState(body: string | null | undefined): SectionState {
  const text = body ?? "";
  const start = text.indexOf(SECTION_START);
  const end = start >= 0 ? text.indexOf(SECTION_END, start) : -1;
  if (start >= 0 && end >= 0) return "present";
  return text.includes(SECTION_START) || text.includes(SECTION_END) ? "broken" : "absent";
}

/** Insert `content` between the markers at the end of `body`, or replace what the markers hold. Idempotent. */
export function replaceSection(body: string | null | undefined, content: string): string {
  let text = body ?? "";
  // Bodies saved from github.com's editor come back with CRLF; match them so a rerun changes nothing.
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const inner = content.replace(/\r?\n/g, eol).replace(/(\r?\n)+$/, "");
  const block = `${SECTION_START}${eol}${inner}${eol}${SECTION_END}`;

  const start = text.indexOf(SECTION_START);
  const end = start >= 0 ? text.indexOf(SECTION_END, start) : -1;
  if (start >= 0 && end >= 0) return text.slice(0, start) + block + text.slice(end + SECTION_END.length);

  text = text.replace(ORPHAN_MARKER, "");
  if (!text.trim()) return block;
  const separator = text.endsWith(eol + eol) ? "" : text.endsWith(eol) ? eol : eol + eol;
  return text + separator + block;
}

const ORPHAN_MARKER = /^[ \t]*<!-- pyrelease:artifacts:(?:start|end) -->[ \t]*(?:\r?\n)?|<!-- pyrelease:artifacts:(?:start|end) -->/gm;

export interface ArtifactFile {
  filename: string;
  sha256: string;
  size: number;
  url?: string;
  /** Its PEP 740 attestation, when the release signed it. */
  attestation?: Attestation;
}

/** A Sigstore signature as users see it: where it is logged, who signed, how to verify (src/provenance). */
export interface Attestation {
  /** The attestation file beside the dist, or the OCI referrer's digest for an image. */
  file?: string;
  referrer?: string;
  logIndex: number | null;
  /** Rekor's search page for the entry (public-good instance only). */
  entry?: string;
  signer: string | null;
  issuer: string | null;
  /** The verify command(s). */
  verify: string | Record<string, string>;
}

export interface ArtifactImage {
  /** Registry + repository, without tag or digest: `docker.io/llenergymeasure/pytorch`. */
  ref: string;
  digest: string;
  tags: string[];
  /** The matrix entry, axis → value. */
  entry?: Record<string, string> | string;
  /** A multi-platform image (`digest` is its index): each platform's own manifest digest. */
  platforms?: { platform: string; digest: string }[];
  /** Its signed SLSA provenance, attached as an OCI referrer. */
  provenance?: Attestation;
}

export interface Artifacts {
  /** The PyPI project page or upload endpoint the PyPI entry named. */
  indexUrl?: string;
  project?: string;
  files: ArtifactFile[];
  images: ArtifactImage[];
}

export interface ReleaseFacts {
  version: string;
  pep440: string;
  tag: string;
  commit?: string;
  /** The distribution name for `pip install`; default: from the PyPI entry or the file names. */
  project?: string;
}

const isObject = (value: unknown): value is Record<string, any> => typeof value === "object" && value !== null;

/** What the publish steps returned, found by shape: entries with `files` (PyPI) and entries with `images`. */
export function collectArtifacts(releases: readonly ReleaseRecord[] | undefined): Artifacts {
  const artifacts: Artifacts = { files: [], images: [] };
  for (const release of releases ?? []) {
    if (Array.isArray(release.files)) {
      const files = release.files.filter((f): f is ArtifactFile => isObject(f) && typeof f.filename === "string" && typeof f.sha256 === "string");
      if (files.length) {
        artifacts.indexUrl ??= typeof release.url === "string" ? release.url : undefined;
        artifacts.project ??= typeof release.project === "string" ? release.project : undefined;
        artifacts.files.push(
          ...files.map((f) => ({ filename: f.filename, sha256: f.sha256, size: Number(f.size) || 0, ...(f.url ? { url: String(f.url) } : {}), ...(isAttestation(f.attestation) ? { attestation: f.attestation } : {}) })),
        );
      }
    }
    if (Array.isArray(release.images)) {
      for (const image of release.images) {
        if (!isObject(image) || typeof image.ref !== "string" || typeof image.digest !== "string") continue;
        artifacts.images.push({
          ref: image.ref,
          digest: image.digest,
          tags: Array.isArray(image.tags) ? image.tags.map(String) : [],
          ...(image.entry !== undefined ? { entry: image.entry } : {}),
          ...(Array.isArray(image.platforms) ? { platforms: image.platforms.filter((p: unknown) => isObject(p) && typeof p.platform === "string" && typeof p.digest === "string").map((p: Record<string, any>) => ({ platform: p.platform, digest: p.digest })) } : {}),
          ...(isAttestation(image.provenance) ? { provenance: image.provenance } : {}),
        });
      }
    }
  }
  return artifacts;
}

/** `<ref>@<digest>`: the reference that always pulls exactly this image. */
export const pinReference = (image: Pick<ArtifactImage, "ref" | "digest">) => `${image.ref}@${image.digest}`;

/** The markdown section (without markers): every file with sha256 and size, every image pinned by digest, and how to install them. */
export function renderArtifacts(releases: readonly ReleaseRecord[] | undefined, facts: ReleaseFacts): string {
  const { files, images, indexUrl, project } = collectArtifacts(releases);
  const lines = ["### Artifacts", ""];
  lines.push(`Built from ${code(facts.tag)}${facts.commit ? ` (commit ${code(facts.commit.slice(0, 12))})` : ""}.`, "");

  if (!files.length && !images.length) {
    lines.push("This release published no Python package and no container image.");
    return lines.join("\n");
  }

  const commands: string[] = [];
  if (files.length) {
    const name = facts.project ?? project ?? parseDistFilename(files[0].filename)?.name;
    lines.push("#### Python package", "");
    if (indexUrl) lines.push(`Published to ${indexUrl}`, "");
    lines.push("| file | size | sha256 |", "|---|--:|---|");
    for (const file of files) lines.push(`| ${code(file.filename)} | ${formatSize(file.size)} | ${code(file.sha256)} |`);
    lines.push("");
    if (name) commands.push(`pip install ${name}==${facts.pep440}`);
  }

  if (images.length) {
    lines.push("#### Container images", "", "| image | pin by digest | tags |", "|---|---|---|");
    for (const image of images) {
      const tags = image.tags.length ? image.tags.map(code).join(", ") : "(none)";
      lines.push(`| ${cell(entryText(image))} | ${code(pinReference(image))}${image.platforms?.length ? " (index)" : ""} | ${tags} |`);
      for (const platform of image.platforms ?? []) lines.push(`| ↳ ${cell(platform.platform)} | ${code(pinReference({ ref: image.ref, digest: platform.digest }))} | |`);
      commands.push(`docker pull ${pinReference(image)}`);
    }
    lines.push("");
  }

  lines.push("```sh", ...commands, "```");
  lines.push(...renderProvenance(files, images));
  return lines.join("\n");
}

const isAttestation = (value: unknown): value is Attestation => isObject(value) && "logIndex" in value && "verify" in value;

/** The provenance part of the section: every signed file and image, its Rekor entry, and the commands that verify it. Empty when nothing was signed. */
function renderProvenance(files: readonly ArtifactFile[], images: readonly ArtifactImage[]): string[] {
  const signed = [
    ...files.flatMap((f) => (f.attestation ? [{ name: f.filename, what: code(f.attestation.file ?? `${f.filename}.publish.attestation`), attestation: f.attestation }] : [])),
    ...images.flatMap((i) => (i.provenance ? [{ name: pinReference(i), what: `OCI referrer ${code(i.provenance.referrer ?? "?")}`, attestation: i.provenance }] : [])),
  ];
  if (!signed.length) return [];
  const signers = [...new Set(signed.map((s) => s.attestation.signer).filter(Boolean))];
  const lines = ["", "#### Provenance", ""];
  if (signers.length) lines.push(`Signed with Sigstore by ${signers.map((s) => code(s!)).join(", ")}.`, "");
  lines.push("| artifact | attestation | Rekor log index |", "|---|---|--:|");
  for (const s of signed) {
    const index = s.attestation.logIndex ?? "?";
    lines.push(`| ${code(s.name)} | ${s.what} | ${s.attestation.entry ? `[${index}](${s.attestation.entry})` : index} |`);
  }
  const commands = signed.flatMap((s) => (typeof s.attestation.verify === "string" ? [s.attestation.verify] : Object.values(s.attestation.verify)));
  lines.push("", "Verify:", "", "```sh", ...commands, "```");
  return lines;
}

export interface ReleaseManifest {
  version: string;
  pep440: string;
  tag: string;
  commit: string | null;
  project: string | null;
  files: ArtifactFile[];
  images: (ArtifactImage & { pin: string })[];
}

/** release-manifest.json: the same facts for machines. No timestamps, so a rerun writes the same bytes. */
export function renderManifest(releases: readonly ReleaseRecord[] | undefined, facts: ReleaseFacts): ReleaseManifest {
  const { files, images, project } = collectArtifacts(releases);
  return {
    version: facts.version,
    pep440: facts.pep440,
    tag: facts.tag,
    commit: facts.commit ?? null,
    project: facts.project ?? project ?? (files.length ? (parseDistFilename(files[0].filename)?.name ?? null) : null),
    files,
    images: images.map((image) => ({ ...image, pin: pinReference(image) })),
  };
}

function entryText(image: ArtifactImage): string {
  if (typeof image.entry === "string") return image.entry;
  if (isObject(image.entry)) return Object.entries(image.entry).map(([axis, value]) => `${axis}=${value}`).join(", ");
  return image.ref.split("/").pop() ?? image.ref;
}

/** 1536 → `1.5 KiB`; exact bytes below 1 KiB. */
export function formatSize(bytes: number): string {
  const units = ["KiB", "MiB", "GiB", "TiB"];
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");
const code = (text: string) => `\`${text}\``;
