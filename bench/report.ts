import type { Machine } from "./machine.js";

/** bench/results.json: every key is written, a ratio is null only when it could not be measured (then `error` says why). */
export interface Results {
  generatedAt: string;
  mode: "quick" | "full";
  durationS?: number;
  machine: Machine;
  goals: Record<string, number>;
  rounds: { ratios: number; peerRatio: number };
  dryRunOverhead: Record<string, any>;
  historyScaling: Record<string, any>;
  publishOverhead: Record<string, any>;
  signingOverhead?: Record<string, any>;
  peerRatio: Record<string, any>;
  matrixParallelism: Record<string, any>;
  peakMemory: Record<string, any>;
}

const verdict = (ratio: number | null | undefined, goal: number) => (ratio === null || ratio === undefined ? "not measured" : ratio <= goal ? "met" : "**missed**");

/** Pure: the table the README shows under "Performance". */
export function renderMarkdown(r: Results): string {
  const m = r.machine;
  const rows: string[][] = [
    ["`dryRunOverhead`", "preset / bare dry run, same " + r.dryRunOverhead.commits + "-commit repo", `${r.dryRunOverhead.ratio}`, `≤ ${r.goals.dryRunOverhead}`, verdict(r.dryRunOverhead.ratio, r.goals.dryRunOverhead)],
    ["`historyScaling`", `preset dry run, ${r.historyScaling.largeCommits} / ${r.historyScaling.smallCommits} commits`, `${r.historyScaling.ratio}`, `≤ ${r.goals.historyScaling}`, verdict(r.historyScaling.ratio, r.goals.historyScaling)],
    ["`publishOverhead`", "our prepare + publish / build + twine check + twine upload", `${r.publishOverhead.ratio}`, `≤ ${r.goals.publishOverhead}`, verdict(r.publishOverhead.ratio, r.goals.publishOverhead)],
    ["`signingOverhead`", "our prepare + publish with provenance / without (loopback Sigstore)", `${r.signingOverhead?.ratio ?? "—"}`, `≤ ${r.goals.signingOverhead ?? 1.1}`, verdict(r.signingOverhead?.ratio, r.goals.signingOverhead ?? 1.1)],
    ["`peerRatio`", "our PyPI release / semantic-release-pypi 5.3.0, both isolated builds", `${r.peerRatio.ratio ?? "—"}`, `≤ ${r.goals.peerRatio}`, verdict(r.peerRatio.ratio, r.goals.peerRatio)],
    ["`matrixParallelism`", `6-entry matrix (buildx) / one ${r.matrixParallelism.buildMs / 1000} s build`, `${r.matrixParallelism.ratio}`, `≤ ${r.goals.matrixParallelism}`, verdict(r.matrixParallelism.ratio, r.goals.matrixParallelism)],
    ...((r.matrixParallelism.podman ?? []) as { concurrency: number; ratio: number }[]).map((p) => [
      "`matrixParallelism` (podman)",
      `same matrix, builder podman, concurrency ${p.concurrency}`,
      `${p.ratio}`,
      "—",
      `sequential would be 6`,
    ]),
    ["peak memory", `semantic-release process, preset / bare (${r.peakMemory.presetMiB} / ${r.peakMemory.bareMiB} MiB)`, `${r.peakMemory.ratio}`, "—", `${r.peakMemory.largeHistoryPresetMiB} MiB at ${r.peakMemory.largeCommits} commits`],
  ];
  const table = [
    "| key | what | ratio | goal | |",
    "|---|---|---|---|---|",
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
  const notes: string[] = [];
  if (r.mode === "quick") notes.push(`Quick mode: ${r.historyScaling.how}.`);
  notes.push(`${r.rounds.ratios} paired rounds per ratio (${r.rounds.peerRatio} for peerRatio).`);
  notes.push(`Each ratio is the median of paired, interleaved runs (A, B, B, A, …) measured in one run of \`npm run bench${r.mode === "quick" ? " -- --quick" : ""}\` (${r.durationS ?? "?"} s); the raw times are in \`bench/results.json\`.`);
  notes.push(`peerRatio: ${r.peerRatio.how}`);
  notes.push(`matrixParallelism: ${r.matrixParallelism.how}; fixed overhead over one build: ${r.matrixParallelism.overheadMs} ms.`);
  return [
    `Measured ${r.generatedAt.slice(0, 10)} on ${m.cpu}, ${m.nproc} cores (nproc), ${m.memoryGiB} GiB memory, Node ${m.node}, ${m.python}, ${m.git}, ${m.os}.`,
    "",
    table,
    "",
    ...notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
}
