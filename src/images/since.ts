const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?/;

function compareIdentifiers(a: string, b: string): number {
  const numeric = (s: string) => /^\d+$/.test(s);
  if (numeric(a) && numeric(b)) return Number(a) - Number(b);
  if (numeric(a)) return -1;
  if (numeric(b)) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Pure: semver precedence of `a` against `b` (negative, zero, positive). */
export function compareSemver(a: string, b: string): number {
  const left = SEMVER.exec(a);
  const right = SEMVER.exec(b);
  if (!left || !right) throw new Error(`not semver: ${left ? b : a}`);
  for (let i = 1; i <= 3; i++) {
    const difference = Number(left[i]) - Number(right[i]);
    if (difference) return difference;
  }
  if (!left[4] || !right[4]) return (left[4] ? -1 : 0) + (right[4] ? 1 : 0);
  const l = left[4].split(".");
  const r = right[4].split(".");
  for (let i = 0; i < Math.max(l.length, r.length); i++) {
    if (l[i] === undefined) return -1;
    if (r[i] === undefined) return 1;
    const difference = compareIdentifiers(l[i], r[i]);
    if (difference) return difference;
  }
  return 0;
}

/**
 * Pure: does `version` ship images when they start at `since`? A stable `since` (2.0.0)
 * includes its own prereleases (2.0.0-rc.1): the release candidates of the first
 * version with images are tested with images too.
 */
export function shipsImages(version: string, since: string | undefined): boolean {
  if (!since) return true;
  const sinceIsStable = !since.includes("-");
  const core = (v: string) => v.replace(/[-+].*$/, "");
  return compareSemver(sinceIsStable ? core(version) : version, since) >= 0;
}
