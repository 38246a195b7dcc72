import { execFileSync } from "node:child_process";
import { PACKAGE_ROOT } from "../test/support/repo.js";
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TempRepo } from "../test/support/repo.js";
import { BARE_CONFIG, dryRun, PRESET_CONFIG } from "./dry-run.js";
import { useConfig } from "./history.js";
import { oursPrepareAndPublish, tracingPython } from "./pypi.js";
import { median, ms } from "./stats.js";

const PLUGIN = (name: string) => `semantic-release-config-pyproject/${name}`;

/**
 * The preset assembled plugin by plugin on the same history: each rung adds one plugin,
 * so the difference between rungs is what that plugin costs a dry run.
 */
export async function ladder(repo: TempRepo, runs: number, log: (m: string) => void): Promise<{ config: string; ms: number; addedMs: number }[]> {
  const rungs: [string, Record<string, unknown>][] = [
    ["bare: commit-analyzer + release-notes-generator", BARE_CONFIG],
    ["preset with plugins [analyze, notes]", { ...PRESET_CONFIG, plugins: [PLUGIN("analyze"), PLUGIN("notes")] }],
    ["+ pyproject", { ...PRESET_CONFIG, plugins: [PLUGIN("analyze"), PLUGIN("notes"), PLUGIN("pyproject")] }],
    ["+ artifacts", { ...PRESET_CONFIG, plugins: [PLUGIN("analyze"), PLUGIN("notes"), PLUGIN("pyproject"), PLUGIN("artifacts")] }],
    ["+ pypi", { ...PRESET_CONFIG, plugins: [PLUGIN("analyze"), PLUGIN("notes"), PLUGIN("pyproject"), PLUGIN("artifacts"), PLUGIN("pypi")] }],
    ["+ images (the whole preset)", PRESET_CONFIG],
  ];
  const times = new Map<string, number[]>(rungs.map(([name]) => [name, []]));
  for (let round = 0; round < runs; round++) {
    for (const [name, config] of round % 2 ? [...rungs].reverse() : rungs) {
      useConfig(repo, config);
      times.get(name)!.push((await dryRun(repo.dir)).ms);
    }
  }
  let previous: number | undefined;
  return rungs.map(([name]) => {
    const value = median(times.get(name)!);
    const rung = { config: name, ms: ms(value), addedMs: previous === undefined ? 0 : ms(value - previous) };
    previous = value;
    log(`  ${name}: ${rung.ms} ms (${rung.addedMs >= 0 ? "+" : ""}${rung.addedMs})`);
    return rung;
  });
}

/**
 * What loading each preset plugin module adds, in a fresh node process that has already
 * loaded the two plugins a bare config loads: module loading is paid on every run.
 */
export async function moduleLoadMs(runs: number): Promise<Record<string, number>> {
  const names = ["analyze", "notes", "pyproject", "artifacts", "pypi", "images"];
  const bare = ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator"];
  const out: Record<string, number> = {};
  for (const name of names) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const script = `for (const m of ${JSON.stringify(bare)}) await import(m); const t = performance.now(); await import(${JSON.stringify(join(PACKAGE_ROOT, "dist", "src", "plugins", `${name}.js`))}); console.log(performance.now() - t);`;
      times.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: PACKAGE_ROOT, encoding: "utf8" }).trim()));
    }
    out[name] = ms(median(times));
  }
  return out;
}

interface ProfileNode {
  id: number;
  callFrame: { url: string; functionName: string };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Pure: which package (or our file, or V8 bucket) a profiled function belongs to. */
export function bucketOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const ours = /\/dist\/(.+)$/.exec(url);
  if (ours) return `ours: ${ours[1]}`;
  if (url.startsWith("node:")) return "node internals";
  return url.replace(/^file:\/\//, "");
}

/** Buckets that are not code of their own: time spent there belongs to whoever called. */
const PASS_THROUGH = new Set(["node internals", "(native)"]);

/**
 * Pure: main-thread time (ms) per owner, where the owner of a sample is the nearest frame,
 * from the leaf up, that is a package or our code (node's own modules and native code are
 * charged to their caller: loading a module is the importer's cost); and the time with any
 * of our frames on the stack (`oursInclusiveMs`: our code and everything it calls).
 */
export function attributeProfile(profile: CpuProfile): { byOwnerMs: Record<string, number>; oursInclusiveMs: number; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const owner = new Map<number, { name: string; ours: boolean }>();
  const resolve = (id: number): { name: string; ours: boolean } => {
    const known = owner.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const name = bucketOf(node.callFrame.url, node.callFrame.functionName);
    const up = parent.has(id) ? resolve(parent.get(id)!) : undefined;
    const result = { name: PASS_THROUGH.has(name) && up && up.name !== "(root)" ? up.name : name, ours: name.startsWith("ours: ") || Boolean(up?.ours) };
    owner.set(id, result);
    return result;
  };
  const totals = new Map<string, number>();
  let oursInclusive = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const { name, ours } = resolve(id);
    totals.set(name, (totals.get(name) ?? 0) + ms);
    if (ours) oursInclusive += ms;
    total += ms;
  });
  return { byOwnerMs: Object.fromEntries([...totals.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, Math.round(v)])), oursInclusiveMs: Math.round(oursInclusive), totalMs: Math.round(total) };
}

/**
 * One dry run under --cpu-prof: main-thread time per owner (the top 12), and how much of it
 * had our code on the stack. Wall time off the main thread (child processes, network)
 * shows as (idle).
 */
export async function profileDryRun(dir: string): Promise<{ wallMs: number; oursInclusiveMs?: number; byOwnerMs: Record<string, number> }> {
  const profileDir = mkdtempSync(join(tmpdir(), "pyrelease-bench-prof-"));
  try {
    const run = await dryRun(dir, ["--cpu-prof", "--cpu-prof-dir", profileDir]);
    const file = readdirSync(profileDir).find((f) => f.endsWith(".cpuprofile"));
    if (!file) return { wallMs: ms(run.ms), byOwnerMs: {} };
    const attributed = attributeProfile(JSON.parse(readFileSync(join(profileDir, file), "utf8")) as CpuProfile);
    return { wallMs: ms(run.ms), oursInclusiveMs: attributed.oursInclusiveMs, byOwnerMs: Object.fromEntries(Object.entries(attributed.byOwnerMs).slice(0, 12)) };
  } finally {
    rmSync(profileDir, { recursive: true, force: true });
  }
}

/** One prepare + publish with a python3 that logs each run: where the extra time over the bare commands goes. */
export async function tracePublish(): Promise<{ totalMs: number; steps: Record<string, number>; pythonProcesses: { argv: string; ms: number }[] }> {
  const dir = mkdtempSync(join(tmpdir(), "pyrelease-bench-trace-"));
  try {
    const { python, log } = tracingPython(dir);
    const result = await oursPrepareAndPublish(python);
    const lines = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
    const pythonProcesses = lines.map((line) => {
      const [start, end, ...argv] = line.split(" ");
      const shown = argv.join(" ").replace(/\/tmp\/[^ ]*\//g, "").replace(/^-c .*/, "-c <read Metadata-Version of the built files>");
      return { argv: shown.slice(0, 120), ms: ms((Number(end) - Number(start)) / 1e6) };
    });
    return { totalMs: ms(result.totalMs), steps: Object.fromEntries(Object.entries(result.steps).map(([k, v]) => [k, ms(v)])), pythonProcesses };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
