import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TempRepo } from "../test/support/repo.js";
import { BARE_CONFIG, dryRun, PRESET_CONFIG } from "./dry-run.js";
import { useConfig } from "./history.js";
import type { MemorySample } from "./memory-probe.js";
import { median } from "./stats.js";

const PROBE = join(dirname(fileURLToPath(import.meta.url)), "memory-probe.js");
export const PRESET_PLUGINS = ["analyze", "notes", "pyproject", "artifacts", "pypi", "images"].map((name) => `semantic-release-config-pyproject/${name}`);

/** Where the process's peak RSS grew: one row per stretch between two samples. */
export interface PeakGrowth {
  /** `load` (node, semantic-release and the plugins, up to the first step), a step's name (its plugins), `before <step>` (semantic-release's own work between steps, such as reading the commits), or `exit` (logging the notes, to exit). */
  stretch: string;
  /** How much this stretch raised the peak RSS, MiB. */
  raisedMiB: number;
  /** The peak RSS at its end, MiB. */
  peakMiB: number;
  /** Heap still in use after a full GC at its end (only in a --expose-gc run). */
  retainedHeapMiB?: number;
  /** How long the stretch took (the `load` stretch: from the process's start), ms. */
  ms?: number;
}

const tenth = (value: number) => Math.round(value * 10) / 10;

/** Pure: the probe's samples (first and last plugin of every step, and exit) as the stretches that raised the peak. */
export function peakGrowth(samples: readonly MemorySample[]): PeakGrowth[] {
  const rows: PeakGrowth[] = [];
  let previous = 0;
  let previousSample: MemorySample | undefined;
  let previousAt = 0;
  for (const sample of samples) {
    const stretch = !previousSample
      ? "load"
      : sample.label === "exit"
        ? "exit"
        : sample.label === "after" && previousSample.label === "before" && previousSample.step === sample.step
          ? sample.step
          : `before ${sample.step}`;
    rows.push({
      stretch,
      raisedMiB: tenth(sample.peakRssMiB - previous),
      peakMiB: sample.peakRssMiB,
      ...(sample.retainedHeapMiB !== undefined ? { retainedHeapMiB: sample.retainedHeapMiB } : {}),
      ...(sample.uptimeMs !== undefined ? { ms: sample.uptimeMs - previousAt } : {}),
    });
    if (sample.uptimeMs !== undefined) previousAt = sample.uptimeMs;
    previous = sample.peakRssMiB;
    previousSample = sample;
  }
  return rows;
}

/** Pure: per stretch, the median of its duration over several probed runs (stretches in the first run's order). */
export function medianStretchMs(runs: readonly (readonly PeakGrowth[])[]): Record<string, number> {
  const names = runs[0]?.map((row) => row.stretch) ?? [];
  return Object.fromEntries(names.map((name) => [name, Math.round(median(runs.flatMap((run) => run.filter((row) => row.stretch === name && row.ms !== undefined).map((row) => row.ms!))))]));
}

/** One dry run with the probe first and last among the plugins: where the peak RSS grows. */
export async function probedDryRun(repo: TempRepo, config: { plugins: readonly unknown[] }, nodeArgs: string[] = []): Promise<{ peakMiB: number; stretches: PeakGrowth[] }> {
  const scratch = mkdtempSync(join(tmpdir(), "pyrelease-bench-mem-"));
  const log = join(scratch, "samples.jsonl");
  try {
    const probe = (label: string) => [PROBE, { memoryProbe: { log, label } }];
    useConfig(repo, { ...config, plugins: [probe("before"), ...config.plugins, probe("after")] });
    const run = await dryRun(repo.dir, nodeArgs);
    const samples = readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line) as MemorySample);
    return { peakMiB: Math.round(run.peakKiB / 1024), stretches: peakGrowth(samples) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The peak of the preset and of bare semantic-release (commit-analyzer and
 * release-notes-generator) on one history, stretch by stretch; once as they run, once
 * with a full GC at every sample (--expose-gc) to tell what is kept from what is garbage.
 */
export async function memoryBreakdown(repo: TempRepo) {
  const preset = { ...PRESET_CONFIG, plugins: PRESET_PLUGINS };
  try {
    return {
      preset: await probedDryRun(repo, preset),
      bare: await probedDryRun(repo, BARE_CONFIG),
      presetCollected: await probedDryRun(repo, preset, ["--expose-gc"]),
      bareCollected: await probedDryRun(repo, BARE_CONFIG, ["--expose-gc"]),
    };
  } finally {
    useConfig(repo, PRESET_CONFIG);
  }
}
