import { semverToPep440 } from "./pep440.js";
import { parseSemver } from "./semver.js";

/** The version placeholders every template can use: `{version}`, `{pep440}`, `{major}`, `{minor}`, `{patch}`. */
export interface VersionVars {
  version: string;
  pep440: string;
  major: string;
  minor: string;
  patch: string;
}

/** Pure: the version placeholders of a semver version, or undefined when it is not one PyPI can take. */
export function versionVars(version: string): VersionVars | undefined {
  const converted = semverToPep440(version);
  const parsed = parseSemver(version);
  if (!converted.ok || !parsed) return undefined;
  return { version, pep440: converted.pep440, major: String(parsed.major), minor: String(parsed.minor), patch: String(parsed.patch) };
}
