import { compare, valid } from "@renovatebot/pep440";
import { compareSemver, parseSemver } from "./semver.js";

/**
 * Release order of two versions written as semver (`2.1.0-rc.1`) or PEP 440 (`2.1.0rc1`),
 * as a changelog's headings hold them: negative when `a` comes first. PEP 440 order when
 * both are PEP 440 versions (a semver prerelease of a kind PyPI knows is one), semver
 * order when both are semver, else numbers compared as numbers within the text.
 */
export function compareVersions(a: string, b: string): number {
  if (valid(a) && valid(b)) return compare(a, b);
  if (parseSemver(a) && parseSemver(b)) return compareSemver(a, b);
  return a.localeCompare(b, "en", { numeric: true });
}

/** `text` is a version, written as PEP 440 or as semver, with at least two release numbers (`2` alone is a count, not a version). */
export function isVersion(text: string): boolean {
  return text.includes(".") && Boolean(valid(text) || parseSemver(text));
}
