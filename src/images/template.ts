import { semverToPep440 } from "../version/pep440.js";

/** The version placeholders every template can use. */
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
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!converted.ok || !match) return undefined;
  return { version, pep440: converted.pep440, major: match[1], minor: match[2], patch: match[3] };
}

export type Rendered = { ok: true; value: string } | { ok: false; unknown: string[] };

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Pure: `{name}` → its value. Unknown placeholders are reported, never left in or emptied. */
export function renderTemplate(template: string, vars: Record<string, string>): Rendered {
  const unknown: string[] = [];
  const value = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (Object.hasOwn(vars, name)) return vars[name];
    unknown.push(whole);
    return whole;
  });
  return unknown.length ? { ok: false, unknown: [...new Set(unknown)] } : { ok: true, value };
}
