import { getError } from "../errors.js";
import { samePep440 } from "../version/pep440.js";
import { tagPep440, versionFromTag } from "../version/tag.js";

/**
 * The ETAGMISMATCH error when `tag` does not name the version pyproject holds, else undefined.
 * A tag may carry the semver form (`v2.0.0-rc.1`) or the PEP 440 form (`v2.0.0rc1`).
 * `commit` is the tagged commit whose pyproject.toml was read, when it was.
 */
export function tagMismatch(tag: string, tagFormat: string | undefined, pyprojectVersion: string, path: string, commit?: string): Error | undefined {
  const tagVersion = versionFromTag(tag, tagFormat) ?? tag;
  const pep440 = tagPep440(tag, tagFormat);
  if (pep440 && samePep440(pep440, pyprojectVersion)) return undefined;
  return getError("ETAGMISMATCH", { tag, tagVersion, pyprojectVersion, path, commit });
}
