import { getError } from "../errors.js";
import { versionFromTag } from "../ci.js";
import { normalizePep440, samePep440, semverToPep440 } from "../version/pep440.js";

/** The PEP 440 version a tag names (`v2.0.0-rc.1` and `v2.0.0rc1` both name `2.0.0rc1`), or undefined. */
export function tagPep440(tag: string, tagFormat: string | undefined): string | undefined {
  const tagVersion = versionFromTag(tag, tagFormat ?? "v${version}") ?? tag;
  const converted = semverToPep440(tagVersion);
  return (converted.ok ? converted.pep440 : normalizePep440(tagVersion)) ?? undefined;
}

/**
 * The ETAGMISMATCH error when `tag` does not name the version pyproject holds, else undefined.
 * A tag may carry the semver form (`v2.0.0-rc.1`) or the PEP 440 form (`v2.0.0rc1`).
 * `commit` is the tagged commit whose pyproject.toml was read, when it was.
 */
export function tagMismatch(tag: string, tagFormat: string | undefined, pyprojectVersion: string, path: string, commit?: string): Error | undefined {
  const tagVersion = versionFromTag(tag, tagFormat ?? "v${version}") ?? tag;
  const pep440 = tagPep440(tag, tagFormat);
  if (pep440 && samePep440(pep440, pyprojectVersion)) return undefined;
  return getError("ETAGMISMATCH", { tag, tagVersion, pyprojectVersion, path, commit });
}
