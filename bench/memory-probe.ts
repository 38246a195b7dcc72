/**
 * A semantic-release plugin that only measures: put one first and one last in `plugins`,
 * and every lifecycle step of a dry run is bracketed by two samples; one more is taken at
 * exit (after semantic-release has logged the notes). Each sample records the process's
 * memory at that moment, the peak RSS so far (the kernel's maxrss: so the step that raised
 * the peak is known exactly), and, when node runs with --expose-gc, the heap still in use
 * after a full collection (what is kept, as opposed to garbage not collected yet).
 * Appends one JSON line per sample to `memoryProbe.log`.
 */
import { appendFileSync } from "node:fs";

interface ProbeConfig {
  memoryProbe?: { log?: string; label?: string };
}

export interface MemorySample {
  step: string;
  label: string;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  /** The process's peak RSS so far (getrusage maxrss). */
  peakRssMiB: number;
  /** Heap in use after a full GC; undefined without --expose-gc. */
  retainedHeapMiB?: number;
  /** Milliseconds since the process started (before the GC this sample may force). */
  uptimeMs?: number;
}

const MiB = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

let exitLog: string | undefined;
process.once("exit", () => {
  if (exitLog) sample("exit", { memoryProbe: { log: exitLog, label: "exit" } }, false);
});

function sample(step: string, config: ProbeConfig, collectGarbage = true): void {
  const log = config.memoryProbe?.log;
  if (!log) return;
  exitLog = log;
  const uptimeMs = Math.round(performance.now());
  const usage = process.memoryUsage();
  const peak = process.resourceUsage().maxRSS * 1024;
  const collect = (globalThis as { gc?: () => void }).gc;
  let retainedHeapMiB: number | undefined;
  if (collect && collectGarbage) {
    collect();
    retainedHeapMiB = MiB(process.memoryUsage().heapUsed);
  }
  const entry: MemorySample = {
    step,
    label: config.memoryProbe?.label ?? "",
    rssMiB: MiB(usage.rss),
    heapUsedMiB: MiB(usage.heapUsed),
    externalMiB: MiB(usage.external),
    peakRssMiB: MiB(peak),
    retainedHeapMiB,
    uptimeMs,
  };
  appendFileSync(log, `${JSON.stringify(entry)}\n`);
}

export async function verifyConditions(config: ProbeConfig): Promise<void> {
  sample("verifyConditions", config);
}
export async function analyzeCommits(config: ProbeConfig): Promise<null> {
  sample("analyzeCommits", config);
  return null;
}
export async function verifyRelease(config: ProbeConfig): Promise<void> {
  sample("verifyRelease", config);
}
export async function generateNotes(config: ProbeConfig): Promise<string> {
  sample("generateNotes", config);
  return "";
}
