import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { README_END, README_START, renderMarkdown, renderReadmeBlock, renderTable, replaceBetweenMarkers, spreadCell, verdictCell, type Results } from "../../bench/report.js";
import { medianStretchMs, peakGrowth } from "../../bench/memory.js";
import { attributeProfile } from "../../bench/attribution.js";
import { spread } from "../../bench/spread.js";
import type { MemorySample } from "../../bench/memory-probe.js";

function results(overrides: Partial<Results> = {}): Results {
  return {
    generatedAt: "2026-12-01T05:00:00.000Z",
    mode: "full",
    durationS: 900,
    machine: { cpu: "Test CPU", nproc: 2, memoryGiB: 8, node: "v22.0.0", python: "Python 3.11.2", git: "git version 2.39.5", os: "Debian" },
    load: { start: [1.5, 2, 2.25], end: [1, 1, 1] },
    rounds: { ratios: 7 },
    goals: {},
    informational: [{ key: "`matrixParallelism` (podman)", what: "podman, concurrency 2", value: "3.1", note: "sequential would be 6" }],
    dryRunOverhead: { ratio: 1.15, goal: 1.1, what: "preset / bare", ratios: [1.2, 1.1, 1.15], how: "dry runs." },
    psrRatio: { ratio: 0.9, goal: 1, what: "ours / psr", ratios: [0.9] },
    peerRatio: { ratio: null, goal: 1, what: "ours / peer", error: "no index\nmore", how: "isolated builds." },
    ...overrides,
  } as Results;
}

test("the table has a row per measured key, in the fixed order, with spread, goal and verdict, then the informational rows", () => {
  const table = renderTable(results());
  const lines = table.split("\n");
  assert.equal(lines[0], "| key | what (ours / reference) | ratio | rounds (min–max) | goal | |");
  assert.equal(lines[2], "| `dryRunOverhead` | preset / bare | 1.15 | 1.1–1.2 | ≤ 1.1 | **missed** |");
  assert.equal(lines[3], "| `psrRatio` | ours / psr | 0.9 | — | ≤ 1 | met |");
  assert.equal(lines[4], "| `peerRatio` | ours / peer | — | — | ≤ 1 | not measured |");
  assert.equal(lines[5], "| `matrixParallelism` (podman) | podman, concurrency 2 | 3.1 | — | — | sequential would be 6 |");
  assert.equal(lines.length, 6);
});

test("verdict and spread cells", () => {
  assert.equal(verdictCell(1.2, 1.2), "met");
  assert.equal(verdictCell(1.21, 1.2), "**missed**");
  assert.equal(verdictCell(null, 1.2), "not measured");
  assert.equal(spreadCell([1.3, 0.9, 1.1]), "0.9–1.3");
  assert.equal(spreadCell([1]), "—");
  assert.equal(spreadCell(undefined), "—");
});

test("the header names the mode, the machine and the load", () => {
  const block = renderReadmeBlock(results({ mode: "quick" }));
  assert.match(block, /^Measured 2026-12-01 by `npm run bench -- --quick` \(quick mode, 900 s\) on Test CPU, 2 cores, 8 GiB, Node v22\.0\.0/);
  assert.match(block, /load average 1\.50, 2\.00, 2\.25 at the start, 1\.00, 1\.00, 1\.00 at the end\./);
});

test("RESULTS.md carries how each figure is measured and why one was not", () => {
  const markdown = renderMarkdown(results());
  assert.match(markdown, /- `dryRunOverhead`: dry runs\.\n/);
  assert.match(markdown, /- `peerRatio`: isolated builds\. Not measured: no index\n/);
  assert.match(markdown, /Rounds: 7 for ratios\./);
});

test("the README block replaces exactly what is between the markers", () => {
  const readme = `# Title\n\n## Performance\n\nintro\n\n${README_START}\nold table\nold line\n${README_END}\n\nafter\n`;
  const once = replaceBetweenMarkers(readme, "new table\n");
  assert.equal(once, `# Title\n\n## Performance\n\nintro\n\n${README_START}\nnew table\n${README_END}\n\nafter\n`);
  assert.equal(replaceBetweenMarkers(once, "new table"), once, "rendering twice changes nothing");
});

test("a README without the markers, or with them reversed, is refused", () => {
  assert.throws(() => replaceBetweenMarkers("# no markers\n", "x"), /needs the lines/);
  assert.throws(() => replaceBetweenMarkers(`${README_END}\n${README_START}\n`, "x"), /in that order/);
});

test("peakGrowth names the stretch that raised the peak: load, each step's plugins, semantic-release between steps, exit", () => {
  const s = (step: string, label: string, peakRssMiB: number, retainedHeapMiB?: number): MemorySample => ({ step, label, rssMiB: 0, heapUsedMiB: 0, externalMiB: 0, peakRssMiB, retainedHeapMiB });
  const rows = peakGrowth([
    s("verifyConditions", "before", 100),
    s("verifyConditions", "after", 104),
    s("analyzeCommits", "before", 180, 60),
    s("analyzeCommits", "after", 380),
    s("generateNotes", "before", 380),
    s("generateNotes", "after", 500),
    s("exit", "exit", 530),
  ]);
  expect(rows.map((r) => [r.stretch, r.raisedMiB])).toEqual([
    ["load", 100],
    ["verifyConditions", 4],
    ["before analyzeCommits", 76],
    ["analyzeCommits", 200],
    ["before generateNotes", 0],
    ["generateNotes", 120],
    ["exit", 30],
  ]);
  assert.equal(rows[2].retainedHeapMiB, 60);
  assert.equal("retainedHeapMiB" in rows[3], false);
});

test("attributeProfile charges node's own modules and native code to the caller, and counts everything under our frames as ours", () => {
  const node = (id: number, url: string, functionName: string, children: number[] = []) => ({ id, callFrame: { url, functionName }, children });
  const profile = {
    nodes: [
      node(1, "", "(root)", [2, 6, 7]),
      node(2, "file:///x/node_modules/semantic-release/index.js", "run", [3, 5]),
      node(3, "file:///work/pkg/dist/src/plugins/notes.js", "generateNotes", [4]),
      node(4, "node:internal/modules/esm/loader", "import"),
      node(5, "file:///x/node_modules/@semantic-release/commit-analyzer/index.js", "analyzeCommits"),
      node(6, "", "(garbage collector)"),
      node(7, "", "(idle)"),
    ],
    samples: [4, 4, 3, 5, 2, 6, 7],
    timeDeltas: [1000, 1000, 1000, 2000, 500, 3000, 4000],
  };
  const got = attributeProfile(profile);
  expect(got.byOwnerMs).toEqual({ "(idle)": 4, "(garbage collector)": 3, "ours: src/plugins/notes.js": 3, "@semantic-release/commit-analyzer": 2, "semantic-release": 1 });
  assert.equal(got.oursInclusiveMs, 3);
  assert.equal(got.totalMs, 13);
});

test("medianStretchMs: each stretch's median duration over probed runs", () => {
  const run = (...ms: number[]) => ["load", "verifyConditions", "exit"].map((stretch, i) => ({ stretch, raisedMiB: 0, peakMiB: 0, ms: ms[i] }));
  expect(medianStretchMs([run(1000, 10, 300), run(1200, 30, 100), run(900, 20, 200)])).toEqual({ load: 1000, verifyConditions: 20, exit: 200 });
  expect(medianStretchMs([])).toEqual({});
});

test("spread: how far each ratio moved between two runs, absolute and as a share of its goal", () => {
  const a = results();
  const b = results({ dryRunOverhead: { ratio: 1.26, goal: 1.1, what: "preset / bare" }, psrRatio: undefined });
  expect(spread(a, b)).toEqual([
    { key: "dryRunOverhead", a: 1.15, b: 1.26, moved: 0.11, ofGoal: 0.1 },
    { key: "peerRatio", a: null, b: null, moved: null, ofGoal: null },
  ]);
});
