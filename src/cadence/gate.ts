import type { Branch } from "../context.js";
import type { CadenceOptions } from "./options.js";

export type ReleaseType = "major" | "minor" | "patch";

export interface Milestone {
  title: string;
  state: "open" | "closed";
  open_issues: number;
  html_url?: string;
}

/** What the gate needs to decide; `undefined`: the gate does not apply and the release goes out. */
export interface GatedRelease {
  type: "major" | "minor";
  version: string;
  milestone: string;
}

const FIRST_RELEASE = "1.0.0";

/**
 * The version semantic-release computes for a release or maintenance branch: `semver.inc`
 * of the last release (a prerelease last version finishes its own release line).
 */
export function nextStableVersion(lastVersion: string | undefined, type: ReleaseType): string {
  const match = lastVersion ? /^(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?/.exec(lastVersion) : null;
  if (!match) return FIRST_RELEASE;
  const [major, minor, patch] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const pre = match[4] !== undefined;
  if (type === "major") return pre && minor === 0 && patch === 0 ? `${major}.0.0` : `${major + 1}.0.0`;
  if (type === "minor") return pre && patch === 0 ? `${major}.${minor}.0` : `${major}.${minor + 1}.0`;
  return pre ? `${major}.${minor}.${patch}` : `${major}.${minor}.${patch + 1}`;
}

/**
 * Whether this release waits for a milestone. Only minor/major releases of release and
 * maintenance branches are held: patches are P0/P1 fixes, and prereleases (next, beta,
 * alpha) are how a milestone's work gets tried before the milestone closes.
 */
export function gatedRelease(type: string | null, branch: Branch | undefined, lastVersion: string | undefined, options: CadenceOptions): GatedRelease | undefined {
  if (type !== "minor" && type !== "major") return undefined;
  if (options[type] !== "milestone") return undefined;
  if (branch?.type === "prerelease") return undefined;
  const version = nextStableVersion(lastVersion, type);
  return { type, version, milestone: `v${version}` };
}

/** The gate's verdict on the milestone found (or not), with the line the log shows. */
export function milestoneVerdict(release: GatedRelease, milestone: Milestone | null): { release: boolean; message: string } {
  const what = `${release.type} release ${release.version}`;
  if (!milestone) {
    return {
      release: false,
      message: `${what} held: there is no milestone titled ${release.milestone} (create it, close it when its work is done, or set cadence.${release.type} to "immediate")`,
    };
  }
  if (milestone.state === "closed") return { release: true, message: `${what}: milestone ${release.milestone} is closed, releasing` };
  const issues = milestone.open_issues;
  return {
    release: false,
    message: issues > 0
      ? `${what} held: milestone ${release.milestone} has ${issues} open issue${issues === 1 ? "" : "s"}`
      : `${what} held: milestone ${release.milestone} is still open (no open issues left: close it to release)`,
  };
}
