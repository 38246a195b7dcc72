import { getError } from "../errors.js";
import { versionFromTag } from "../ci.js";
import { normalizePep440, samePep440, semverToPep440 } from "../version/pep440.js";

/**
 * The ETAGMISMATCH error when `tag` does not name the version pyproject holds, else undefined.
 * A tag may carry the semver form (`v2.0.0-rc.1`) or the PEP 440 form (`v2.0.0rc1`).
 */
export function tagMismatch(tag: string, tagFormat: string | undefined, pyprojectVersion: string, path: string): Error | undefined {
  const tagVersion = versionFromTag(tag, tagFormat ?? "v${version}") ?? tag;
  const converted = semverToPep440(tagVersion);
  const tagPep440 = converted.ok ? converted.pep440 : normalizePep440(tagVersion);
  if (tagPep440 && samePep440(tagPep440, pyprojectVersion)) return undefined;
  return getError("ETAGMISMATCH", { tag, tagVersion, pyprojectVersion, path });
}
