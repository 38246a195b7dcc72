/**
 * `npm run bench [-- --quick]`: ratio benchmarks, each the median of paired, interleaved
 * runs measured in this one run. Writes bench/results.json and bench/RESULTS.md and
 * prints the markdown table. Not part of `npm test`: nothing here asserts a time.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT, type TempRepo } from "../test/support/repo.js";
import { startRegistry } from "../test/support/registry.js";
import { historyRepo, useConfig } from "./history.js";
import { BARE_CONFIG, dryRun, PRESET_CONFIG, type DryRun } from "./dry-run.js";
import { matrixPublish, singleBuild, timedBuilders } from "./images.js";
import { describeMachine } from "./machine.js";
import { bareCommands, defaultPipIndexUrl, oursFullRelease, oursPrepareAndPublish, oursWithProvenance, peerFullRelease } from "./pypi.js";
import { ladder, moduleLoadMs, profileDryRun, tracePublish } from "./attribution.js";
import { median, paired, round2, ms } from "./stats.js";
import { renderMarkdown, type Results } from "./report.js";

const quick = process.argv.includes("--quick");
const rounds = quick ? 3 : 7;
const peerRounds = quick ? 3 : 5;
const overheadCommits = 2_000;
const [smallCommits, largeCommits] = quick ? [200, 2_000] : [2_000, 20_000];
const buildMs = quick ? 1_000 : 5_000;
const started = performance.now();
const log = (message: string) => process.stderr.write(`[bench ${Math.round((performance.now() - started) / 1000)}s] ${message}\n`);

const GOALS = { dryRunOverhead: 1.25, historyScaling: 12, publishOverhead: 1.15, peerRatio: 1.0, matrixParallelism: 1.5, signingOverhead: 1.1 };

async function dryRuns(results: Results) {
  log(`building repositories: ${[...new Set([smallCommits, overheadCommits, largeCommits])].join(", ")} commits (git fast-import)`);
  const repos = new Map<number, TempRepo>();
  try {
    for (const n of new Set([smallCommits, overheadCommits, largeCommits])) repos.set(n, historyRepo(n, PRESET_CONFIG));
    // The bare config gets its own clone of the same history: swapping one file between runs would race nothing, but keeps it simple to read.
    const bareRepo = historyRepo(overheadCommits, BARE_CONFIG);
    useConfig(bareRepo, BARE_CONFIG);
    repos.set(-1, bareRepo);

    const runs = { preset: [] as DryRun[], bare: [] as DryRun[], small: [] as DryRun[], large: [] as DryRun[] };
    const overheadRatios: number[] = [];
    const scalingRatios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // Rotate the order every round: no side always runs first (cold) or last.
      const jobs: [keyof typeof runs, string][] = [
        ["preset", repos.get(overheadCommits)!.dir],
        ["bare", repos.get(-1)!.dir],
        ...(largeCommits !== overheadCommits ? ([["large", repos.get(largeCommits)!.dir]] as [keyof typeof runs, string][]) : []),
        ...(smallCommits !== overheadCommits ? ([["small", repos.get(smallCommits)!.dir]] as [keyof typeof runs, string][]) : []),
      ];
      const order = round % 2 ? [...jobs].reverse() : jobs;
      const got: Partial<Record<keyof typeof runs, DryRun>> = {};
      for (const [name, dir] of order) {
        got[name] = await dryRun(dir);
        runs[name].push(got[name]!);
      }
      if (largeCommits === overheadCommits) got.large = got.preset;
      if (smallCommits === overheadCommits) got.small = got.preset;
      overheadRatios.push(got.preset!.ms / got.bare!.ms);
      scalingRatios.push(got.large!.ms / got.small!.ms);
      log(`dry runs round ${round + 1}/${rounds}: preset ${ms(got.preset!.ms)} ms, bare ${ms(got.bare!.ms)} ms, ${smallCommits} commits ${ms(got.small!.ms)} ms, ${largeCommits} commits ${ms(got.large!.ms)} ms`);
    }
    const times = (list: DryRun[]) => list.map((r) => ms(r.ms));
    results.dryRunOverhead = {
      ratio: round2(median(overheadRatios)),
      goal: GOALS.dryRunOverhead,
      ratios: overheadRatios.map(round2),
      commits: overheadCommits,
      presetMs: times(runs.preset),
      bareMs: times(runs.bare),
      how: "semantic-release --dry-run --no-ci, preset (with pypi.python=/usr/bin/python3, --no-isolation) vs plugins [commit-analyzer, release-notes-generator] on the same history, spawn to exit",
    };
    const large = largeCommits === overheadCommits ? runs.preset : runs.large;
    const small = smallCommits === overheadCommits ? runs.preset : runs.small;
    results.historyScaling = {
      ratio: round2(median(scalingRatios)),
      goal: GOALS.historyScaling,
      ratios: scalingRatios.map(round2),
      smallCommits,
      largeCommits,
      smallMs: times(small),
      largeMs: times(large),
      how: quick ? `${largeCommits} / ${smallCommits} commits (the same 10x as 20,000 / 2,000)` : `${largeCommits} / ${smallCommits} commits`,
    };
    const peak = (list: DryRun[]) => Math.round(median(list.map((r) => r.peakKiB)) / 1024);
    results.peakMemory = {
      presetMiB: peak(runs.preset),
      bareMiB: peak(runs.bare),
      ratio: round2(median(runs.preset.map((r, i) => r.peakKiB / runs.bare[i].peakKiB))),
      largeHistoryPresetMiB: peak(large),
      largeCommits,
      how: "GNU time %M (peak RSS) of the semantic-release node process in the dry runs above, median",
    };

    results.dryRunOverhead.pluginModuleLoadMs = await moduleLoadMs(3);
    if (results.dryRunOverhead.ratio > GOALS.dryRunOverhead) {
      log("dryRunOverhead misses its goal: timing the preset plugin by plugin, and a CPU profile");
      const repo = repos.get(overheadCommits)!;
      results.dryRunOverhead.attribution = {
        ladder: await ladder(repo, quick ? 2 : 3, log),
        cpuProfile: await profileDryRun(repo.dir),
      };
      useConfig(repo, PRESET_CONFIG);
    }
  } finally {
    for (const repo of repos.values()) repo.cleanup();
  }
}

async function publishOverhead(results: Results) {
  log("publishOverhead: our prepare + publish vs python -m build, twine check, twine upload");
  const bareRuns: Awaited<ReturnType<typeof bareCommands>>[] = [];
  const result = await paired(
    rounds,
    async () => (await oursPrepareAndPublish()).totalMs,
    async () => {
      const run = await bareCommands();
      bareRuns.push(run);
      return run.totalMs;
    },
  );
  results.publishOverhead = {
    ratio: round2(result.ratio),
    goal: GOALS.publishOverhead,
    ratios: result.ratios.map(round2),
    oursMs: result.numeratorMs.map(ms),
    bareMs: result.denominatorMs.map(ms),
    bareCommandsMs: Object.fromEntries(bareRuns[0].commands.map((c, i) => [c.argv.slice(1, 4).join(" "), ms(median(bareRuns.map((r) => r.commands[i].ms)))])),
    how: "our prepare + publish steps (GitHub OIDC route, --no-isolation, loopback PyPI stand-in), timed inside the plugin's process, vs the three bare commands with a token; a fresh index and project copy per run",
  };
  log("publishOverhead: tracing every python process of one prepare + publish");
  results.publishOverhead.attribution = await tracePublish();
}

async function signingOverhead(results: Results) {
  log("signingOverhead: our prepare + publish with provenance / without");
  const result = await paired(rounds, async () => (await oursWithProvenance(true)).totalMs, async () => (await oursWithProvenance(false)).totalMs);
  results.signingOverhead = {
    ratio: round2(result.ratio),
    goal: GOALS.signingOverhead,
    ratios: result.ratios.map(round2),
    signedMs: result.numeratorMs.map(ms),
    unsignedMs: result.denominatorMs.map(ms),
    how: "our prepare + publish (twine 7, --no-isolation) signing both dists against a loopback Fulcio, Rekor and TUF mirror (ID token, certificate, log entry, trusted-root check, upload with --attestations) / the same with provenance.enabled false; the public instance adds its network round trips",
  };
}

async function peerRatio(results: Results) {
  const pipIndexUrl = defaultPipIndexUrl();
  log(`peerRatio: our full PyPI release vs semantic-release-pypi, isolated builds (pip index: ${pipIndexUrl ?? "pip's own configuration"})`);
  try {
    const oursSteps: Record<string, number>[] = [];
    const peerSteps: Record<string, number>[] = [];
    const result = await paired(
      peerRounds,
      async () => {
        const r = await oursFullRelease(pipIndexUrl);
        oursSteps.push(r.steps);
        return r.totalMs;
      },
      async () => {
        const r = await peerFullRelease(pipIndexUrl);
        peerSteps.push(r.steps);
        return r.totalMs;
      },
    );
    const stepMedians = (list: Record<string, number>[]) => Object.fromEntries(Object.keys(list[0]).map((k) => [k, ms(median(list.map((s) => s[k])))]));
    results.peerRatio = {
      ratio: round2(result.ratio),
      goal: GOALS.peerRatio,
      ratios: result.ratios.map(round2),
      oursMs: result.numeratorMs.map(ms),
      peerMs: result.denominatorMs.map(ms),
      oursStepsMs: stepMedians(oursSteps),
      peerStepsMs: stepMedians(peerSteps),
      how:
        "every plugin step (ours: verifyConditions, verifyRelease, prepare, publish; semantic-release-pypi 5.3.0: verifyConditions, prepare, publish) in its own node process, timed inside it, " +
        "PYPI_TOKEN (a token minted by the stand-in) for both, the same fresh loopback index per run. " +
        "Both build in an isolated environment, as the peer always does (`python3 -m build --sdist` then `--wheel`, each its own isolated env); ours with buildArgs [] (`python -m build`: sdist, then the wheel from the sdist, two isolated envs). " +
        `pip installs hatchling into those envs from ${pipIndexUrl ?? "its configured index"}; that hatchling writes core metadata 2.5, which Debian's twine 4.0.2 cannot read, so the fixture pins core-metadata-version 2.2 for both. ` +
        "Peer options: installDeps false, envDir false, python3 on PATH = /usr/bin/python3, versionCmd = a one-line stdlib rewrite of the version (its default script needs tomlkit, absent here).",
    };
  } catch (error) {
    results.peerRatio = { ratio: null, goal: GOALS.peerRatio, error: (error as Error).message.slice(0, 2000), how: "isolated builds need an index pip can reach; set BENCH_PIP_INDEX_URL" };
  }
}

async function matrixParallelism(results: Results) {
  log(`matrixParallelism: 6-entry matrix, every stand-in build takes ${buildMs} ms`);
  const builders = timedBuilders(buildMs);
  const registry = await startRegistry().catch(() => undefined);
  try {
    const buildx = await paired(rounds, () => matrixPublish(builders, { repository: "docker.io/llenergymeasure" }), () => singleBuild(builders));
    results.matrixParallelism = {
      ratio: round2(buildx.ratio),
      goal: GOALS.matrixParallelism,
      ratios: buildx.ratios.map(round2),
      buildMs,
      matrixMs: buildx.numeratorMs.map(ms),
      oneBuildMs: buildx.denominatorMs.map(ms),
      overheadMs: ms(median(buildx.numeratorMs) - median(buildx.denominatorMs)),
      how: "images plugin publish (builder buildx: one bake of 6 targets, then imagetools create per entry) with a stand-in docker whose bake builds its targets concurrently, as BuildKit does, each taking buildMs; vs one build through the same stand-in",
      podman: [],
    };
    if (registry) {
      let n = 0;
      for (const concurrency of [2, 6]) {
        const podman = await paired(rounds, () => matrixPublish(builders, { repository: `${registry.host}/bench${n++}`, builder: "podman", tlsVerify: false, concurrency }), () => singleBuild(builders));
        results.matrixParallelism.podman.push({ concurrency, ratio: round2(podman.ratio), ratios: podman.ratios.map(round2), matrixMs: podman.numeratorMs.map(ms), oneBuildMs: podman.denominatorMs.map(ms) });
      }
      results.matrixParallelism.podmanHow = "builder podman: a stand-in podman (build takes buildMs; push writes a small OCI layout) and a real docker-registry on loopback that the plugin uploads to by digest and tags; images.concurrency 2 (the default) and 6";
    } else {
      results.matrixParallelism.podmanHow = "skipped: /usr/bin/docker-registry (apt-get install docker-registry) is needed for the podman path";
    }
  } finally {
    builders.cleanup();
    await registry?.stop();
  }
}

async function main() {
  const results: Results = { generatedAt: new Date().toISOString(), mode: quick ? "quick" : "full", machine: describeMachine(), goals: GOALS, rounds: { ratios: rounds, peerRatio: peerRounds } } as unknown as Results;
  await dryRuns(results);
  await publishOverhead(results);
  await signingOverhead(results);
  await matrixParallelism(results);
  await peerRatio(results);
  results.durationS = Math.round((performance.now() - started) / 1000);
  const bench = join(PACKAGE_ROOT, "bench");
  writeFileSync(join(bench, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(join(bench, "RESULTS.md"), markdown);
  process.stdout.write(markdown);
  log(`done in ${results.durationS}s: bench/results.json, bench/RESULTS.md`);
}

await main();
