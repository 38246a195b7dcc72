import type { Branch } from "../context.js";
import type { CadenceOptions } from "./options.js";
import { nextStableVersion, type ReleaseType } from "../version/next.js";
import { renderTemplate } from "../config/template.js";
import { versionVars } from "../version/placeholders.js";

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
  /** The title the milestone must have; undefined when it is found through the commits' references. */
  milestone?: string;
}

/** An issue or pull request a commit references (`#12`), with the milestone it belongs to. */
export interface Referenced {
  number: number;
  milestone: Milestone | null;
}

/** Pure: the milestone title of a version, from the `cadence.milestone` template. */
export function milestoneTitle(template: string, version: string): string {
  const vars = versionVars(version);
  const rendered = vars ? renderTemplate(template, { ...vars }) : undefined;
  return rendered?.ok ? rendered.value : template.replaceAll("{version}", version);
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
  return options.milestoneBy === "references" ? { type, version } : { type, version, milestone: milestoneTitle(options.milestone, version) };
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
  return { release: false, message: `${what} held: milestone ${release.milestone} ${openWork(milestone)}` };
}

/**
 * Pure: the verdict when the milestone is the one the merged work belongs to
 * (`milestoneBy: "references"`): held while any milestone of a referenced issue or pull
 * request is open, and while no referenced item belongs to a milestone at all.
 */
export function referencesVerdict(release: GatedRelease, referenced: readonly Referenced[]): { release: boolean; message: string } {
  const what = `${release.type} release ${release.version}`;
  const byTitle = new Map<string, { milestone: Milestone; numbers: number[] }>();
  for (const item of referenced) {
    if (!item.milestone) continue;
    const entry = byTitle.get(item.milestone.title) ?? { milestone: item.milestone, numbers: [] };
    entry.numbers.push(item.number);
    byTitle.set(item.milestone.title, entry);
  }
  if (byTitle.size === 0) {
    const seen = referenced.length ? ` (${referenced.map((r) => `#${r.number}`).join(", ")} belong to none)` : "";
    return {
      release: false,
      message: `${what} held: no issue or pull request the commits reference belongs to a milestone${seen}; assign the work to its milestone, or set cadence.${release.type} to "immediate"`,
    };
  }
  const open = [...byTitle.values()].filter((entry) => entry.milestone.state !== "closed");
  const names = (entries: typeof open) => entries.map((entry) => `"${entry.milestone.title}" (${entry.numbers.map((n) => `#${n}`).join(", ")})`).join(", ");
  if (open.length === 0) return { release: true, message: `${what}: milestone${byTitle.size === 1 ? "" : "s"} ${names([...byTitle.values()])} closed, releasing` };
  return { release: false, message: `${what} held: ${open.map((entry) => `milestone ${names([entry])} ${openWork(entry.milestone)}`).join("; ")}` };
}

function openWork(milestone: Milestone): string {
  const issues = milestone.open_issues;
  return issues > 0 ? `has ${issues} open issue${issues === 1 ? "" : "s"}` : "is still open (no open issues left: close it to release)";
}
