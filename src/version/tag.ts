import { normalizePep440, semverToPep440 } from "./pep440.js";

/** The preset's tag format; every command reads the configured one, falling back to this. */
export const DEFAULT_TAG_FORMAT = "v${version}";

/** The version inside a tag, per semantic-release's tagFormat (`v${version}` → `v2.0.0` → `2.0.0`). */
export function versionFromTag(tag: string, tagFormat = DEFAULT_TAG_FORMAT): string | undefined {
  const [prefix, suffix = ""] = tagFormat.split("${version}");
  if (!tag.startsWith(prefix) || !tag.endsWith(suffix) || tag.length <= prefix.length + suffix.length) return undefined;
  return tag.slice(prefix.length, tag.length - suffix.length);
}

/** The tag of a version, per tagFormat (`2.0.0` → `v2.0.0`). */
export function tagOfVersion(version: string, tagFormat = DEFAULT_TAG_FORMAT): string {
  return tagFormat.split("${version}").join(version);
}

/** The PEP 440 version a tag names (`v2.0.0-rc.1` and `v2.0.0rc1` both name `2.0.0rc1`), or undefined. */
export function tagPep440(tag: string, tagFormat = DEFAULT_TAG_FORMAT): string | undefined {
  const tagVersion = versionFromTag(tag, tagFormat) ?? tag;
  const converted = semverToPep440(tagVersion);
  return (converted.ok ? converted.pep440 : normalizePep440(tagVersion)) ?? undefined;
}
