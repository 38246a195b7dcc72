import { compare, valid } from "@renovatebot/pep440";

const HEADING_VERSION = /^##[ \t]+\[?v?(\d+\.\d+(?:\.\d+)*(?:[-.+]?[0-9A-Za-z][0-9A-Za-z.+-]*)?)\]?(?=[\s,(]|$)/;

/** The version a `## …` heading names (`## v2.1.0 — …`, `## [2.1.0] - …`, `## 2.1.0rc1`), or undefined. */
export function headingVersion(line: string): string | undefined {
  return HEADING_VERSION.exec(line)?.[1];
}

/**
 * Release order of two versions written as semver (`2.1.0-rc.1`) or PEP 440 (`2.1.0rc1`):
 * negative when `a` comes first. PEP 440 order when both parse, else release numbers,
 * a prerelease before its release, then text.
 */
export function compareVersions(a: string, b: string): number {
  if (valid(a) && valid(b)) return compare(a, b);
  const parts = (v: string) => {
    const [, release = "", pre = ""] = /^(\d+(?:\.\d+)*)(.*)$/.exec(v) ?? [];
    return { numbers: release.split(".").map(Number), pre };
  };
  const left = parts(a);
  const right = parts(b);
  for (let i = 0; i < Math.max(left.numbers.length, right.numbers.length); i++) {
    const difference = (left.numbers[i] ?? 0) - (right.numbers[i] ?? 0);
    if (difference) return difference;
  }
  if (!left.pre !== !right.pre) return left.pre ? -1 : 1;
  return left.pre.localeCompare(right.pre);
}
