/**
 * `npm run bench [-- --quick]`: ratio benchmarks, each the median of per-round ratios of
 * runs interleaved in this one run. Writes bench/results.json and bench/RESULTS.md and
 * prints the table; a full run also writes the table into README.md. Not part of
 * `npm test`: nothing here asserts a time.
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT, type TempRepo } from "../test/support/repo.js";
import { startRegistry } from "../test/support/registry.js";
import { historyRepo, useConfig } from "./history.js";
import { BARE_CONFIG, dryRun, PRESET_CONFIG, type DryRun } from "./dry-run.js";
import { matrixPublish, singleBuild, timedBuilders } from "./images.js";
import { describeMachine } from "./machine.js";
import { bareCommands, isolationEnv, oursFullRelease, oursWithProvenance, peerFullRelease, type DriverResult } from "./pypi.js";
import { ladder, moduleLoadMs, profileDryRun, tracePublish } from "./attribution.js";
import { medianStretchMs, memoryBreakdown, PRESET_PLUGINS, probedDryRun, type PeakGrowth } from "./memory.js";
import { ensurePsr, psrNextVersion } from "./psr.js";
import { interleaved, median, paired, ratioOf, round2, ms } from "./stats.js";
import { GOALS, verdict } from "./goals.js";
import { goalsTable, renderMarkdown, type Measured, type Results } from "./report.js";
import { updateReadme } from "./readme.js";

const quick = process.argv.includes("--quick");
const rounds = quick ? 5 : 7;
const peerRounds = quick ? 3 : 5;
const overheadCommits = 2_000;
const [smallCommits, largeCommits] = quick ? [200, 2_000] : [2_000, 20_000];
const buildMs = 5_000;
const started = performance.now();
const log = (message: string) => process.stderr.write(`[bench ${Math.round((performance.now() - started) / 1000)}s] ${message}\n`);
const load = () => loadavg().map((v) => Math.round(v * 100) / 100);

/** A Measured entry from per-round times of two sides. */
function measured(goal: number, what: string, numerator: number[], denominator: number[], raw: Record<string, unknown>): Measured {
  const { ratio, ratios } = ratioOf(numerator, denominator);
  return { ratio: round2(ratio), goal, what, ratios: ratios.map(round2), ...raw };
}

const times = (list: DryRun[]) => list.map((r) => ms(r.ms));
const stepMedians = (list: Record<string, number>[]) => Object.fromEntries(Object.keys(list[0]).map((k) => [k, ms(median(list.map((s) => s[k])))]));
const mib = (list: DryRun[]) => Math.round(median(list.map((r) => r.peakKiB)) / 1024);

async function dryRuns(results: Results) {
  const sizes = [...new Set([smallCommits, overheadCommits, largeCommits])];
  log(`building repositories: ${sizes.join(", ")} commits (git fast-import); python-semantic-release's venv`);
  const psr = ensurePsr();
  const presetRepos = new Map<number, TempRepo>();
  const bareRepos = new Map<number, TempRepo>();
  try {
    for (const n of sizes) presetRepos.set(n, historyRepo(n, PRESET_CONFIG));
    for (const n of new Set([overheadCommits, largeCommits])) {
      const bare = historyRepo(n, BARE_CONFIG);
      useConfig(bare, BARE_CONFIG);
      bareRepos.set(n, bare);
    }
    const runs: Record<string, DryRun[]> = {};
    const side = (name: string, run: () => Promise<DryRun>) => async () => {
      const result = await run();
      (runs[name] ??= []).push(result);
      return result.ms;
    };
    const sides: Record<string, () => Promise<number>> = {};
    for (const n of sizes) sides[`preset@${n}`] = side(`preset@${n}`, () => dryRun(presetRepos.get(n)!.dir));
    for (const [n, repo] of bareRepos) sides[`bare@${n}`] = side(`bare@${n}`, () => dryRun(repo.dir));
    for (const n of new Set([smallCommits, largeCommits])) sides[`psr@${n}`] = side(`psr@${n}`, () => psrNextVersion(psr, presetRepos.get(n)!.dir));
    const t = await interleaved(rounds, sides, (round, got) => log(`dry runs round ${round + 1}/${rounds}: ${Object.entries(got).map(([k, v]) => `${k} ${ms(v)} ms`).join(", ")}`));

    const versions = new Set(Object.values(runs).flatMap((list) => list.map((r) => r.nextVersion)));
    if (versions.size !== 1) throw new Error(`the dry runs disagree on the next version: ${[...versions].join(", ")}`);

    const how = "semantic-release --dry-run --no-ci, spawn to exit; the preset with pypi.python=/usr/bin/python3, provenance off, no GitHub token";
    results.dryRunOverhead = measured(GOALS.dryRunOverhead, `preset / bare semantic-release dry run, same ${overheadCommits}-commit history`, t[`preset@${overheadCommits}`], t[`bare@${overheadCommits}`], {
      commits: overheadCommits,
      presetMs: times(runs[`preset@${overheadCommits}`]),
      bareMs: times(runs[`bare@${overheadCommits}`]),
      how: `${how}, vs plugins [commit-analyzer, release-notes-generator] on the same history.`,
    });
    results.historyScaling = measured(GOALS.historyScaling, `preset dry run, ${largeCommits} / ${smallCommits} commits`, t[`preset@${largeCommits}`], t[`preset@${smallCommits}`], {
      smallCommits,
      largeCommits,
      smallMs: times(runs[`preset@${smallCommits}`]),
      largeMs: times(runs[`preset@${largeCommits}`]),
      how: `the preset's dry run on ${largeCommits} vs ${smallCommits} conventional commits since the last tag (10x; every commit is listed in the notes or the curator block).`,
    });
    const psrHow =
      "our dry run (semantic-release, the whole preset: next version, notes, every plugin's checks) vs python-semantic-release 10.7.0 `semantic-release --noop version --print` (next version only, printed, nothing changed), same history, same next version (checked), both spawn to exit. " +
      `Bare semantic-release (commit-analyzer + release-notes-generator) / python-semantic-release on ${overheadCommits} commits: see bareOverPsr in results.json.`;
    results.psrRatio = measured(GOALS.psrRatio, `our dry run / python-semantic-release \`version --print\`, ${smallCommits} commits`, t[`preset@${smallCommits}`], t[`psr@${smallCommits}`], {
      commits: smallCommits,
      oursMs: times(runs[`preset@${smallCommits}`]),
      psrMs: times(runs[`psr@${smallCommits}`]),
      ...(smallCommits === overheadCommits ? { bareOverPsr: round2(ratioOf(t[`bare@${overheadCommits}`], t[`psr@${smallCommits}`]).ratio) } : {}),
      how: psrHow,
    });
    results.psrRatioLargeHistory = measured(GOALS.psrRatioLargeHistory, `the same, ${largeCommits} commits`, t[`preset@${largeCommits}`], t[`psr@${largeCommits}`], {
      commits: largeCommits,
      oursMs: times(runs[`preset@${largeCommits}`]),
      psrMs: times(runs[`psr@${largeCommits}`]),
      bareOverPsr: round2(ratioOf(t[`bare@${largeCommits}`], t[`psr@${largeCommits}`]).ratio),
      how: "as psrRatio, on the large history.",
    });

    const kib = (name: string) => runs[name].map((r) => r.peakKiB);
    log(`peakMemory: where the peak grows at ${largeCommits} commits, preset and bare, step by step`);
    const breakdown = await memoryBreakdown(presetRepos.get(largeCommits)!);
    results.peakMemory = measured(GOALS.peakMemory, `peak RSS of the dry run, preset / bare semantic-release, ${largeCommits} commits`, kib(`preset@${largeCommits}`), kib(`bare@${largeCommits}`), {
      commits: largeCommits,
      presetMiB: mib(runs[`preset@${largeCommits}`]),
      bareMiB: mib(runs[`bare@${largeCommits}`]),
      psrMiB: mib(runs[`psr@${largeCommits}`]),
      [`presetMiBAt${overheadCommits}`]: mib(runs[`preset@${overheadCommits}`]),
      [`bareMiBAt${overheadCommits}`]: mib(runs[`bare@${overheadCommits}`]),
      breakdown,
      how:
        "GNU time's %M (peak RSS) of the semantic-release process in the timed dry runs, median of per-round ratios. " +
        "`breakdown`: one more dry run each with a probe plugin first and last in `plugins`, sampling the peak RSS (getrusage maxrss) at both ends of every step and at exit: which stretch raised the peak, and (runs with --expose-gc) the heap still in use after a full GC.",
    });

    if (!quick) results.dryRunOverhead.pluginModuleLoadMs = await moduleLoadMs(3);
    log("dryRunOverhead: a CPU profile of one preset dry run and one bare one, by package");
    const presetRepo = presetRepos.get(overheadCommits)!;
    results.dryRunOverhead.cpuProfile = { preset: await profileDryRun(presetRepo.dir), bare: await profileDryRun(bareRepos.get(overheadCommits)!.dir) };
    log("dryRunOverhead: the dry run step by step, preset and bare (probe plugin)");
    const probed = { preset: [] as PeakGrowth[][], bare: [] as PeakGrowth[][] };
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      probed.preset.push((await probedDryRun(presetRepo, { ...PRESET_CONFIG, plugins: PRESET_PLUGINS })).stretches);
      probed.bare.push((await probedDryRun(presetRepo, BARE_CONFIG)).stretches);
    }
    useConfig(presetRepo, PRESET_CONFIG);
    results.dryRunOverhead.stepsMs = { preset: medianStretchMs(probed.preset), bare: medianStretchMs(probed.bare) };
    if (!quick && verdict(results.dryRunOverhead.ratio, GOALS.dryRunOverhead) === "missed") {
      log("dryRunOverhead misses its goal: the preset assembled plugin by plugin");
      results.dryRunOverhead.ladder = await ladder(presetRepo, 3, log);
      useConfig(presetRepo, PRESET_CONFIG);
    }
  } finally {
    for (const repo of [...presetRepos.values(), ...bareRepos.values()]) repo.cleanup();
  }
}

async function publishOverhead(results: Results) {
  log("publishOverhead: our prepare + publish, unsigned and signed, vs build + twine check + twine upload");
  const bareRuns: Awaited<ReturnType<typeof bareCommands>>[] = [];
  const steps: Record<string, DriverResult["steps"][]> = { unsigned: [], signed: [] };
  const ours = (signed: boolean) => async () => {
    const result = await oursWithProvenance(signed);
    steps[signed ? "signed" : "unsigned"].push(result.steps);
    return result.totalMs;
  };
  const t = await interleaved(
    rounds,
    {
      unsigned: ours(false),
      signed: ours(true),
      bare: async () => {
        const run = await bareCommands();
        bareRuns.push(run);
        return run.totalMs;
      },
    },
    (round, got) => log(`publish round ${round + 1}/${rounds}: ours ${ms(got.unsigned)} ms, signed ${ms(got.signed)} ms, bare ${ms(got.bare)} ms`),
  );
  const oursHow =
    "our prepare + publish steps (current toolchain: build 1.6.1 --no-isolation, twine 7.0.0; GitHub OIDC trusted publishing; loopback PyPI stand-in), timed inside the plugin's process. " +
    "verifyConditions runs first in the same process, untimed (stepsMs shows it): in a release it has run before prepare, and what it learns (the Python tools' versions) is not asked again";
  results.publishOverhead = measured(GOALS.publishOverhead, "our prepare + publish / build + twine check + twine upload", t.unsigned, t.bare, {
    oursMs: t.unsigned.map(ms),
    stepsMs: stepMedians(steps.unsigned),
    bareMs: t.bare.map(ms),
    bareCommandsMs: Object.fromEntries(bareRuns[0].commands.map((c, i) => [c.argv.slice(1, 4).join(" "), ms(median(bareRuns.map((r) => r.commands[i].ms)))])),
    how: `${oursHow}; vs the three bare commands with a token, same toolchain; a fresh index and project copy per run.`,
  });
  results.publishOverheadProvenance = measured(GOALS.publishOverheadProvenance, "the same with provenance (both dists signed) / the bare commands", t.signed, t.bare, {
    signedMs: t.signed.map(ms),
    bareMs: t.bare.map(ms),
    stepsMs: stepMedians(steps.signed),
    how: "as publishOverhead, ours signing both dists against a loopback Fulcio, Rekor and TUF mirror (ID token, certificate, log entry, trusted-root check, upload with --attestations); the bare commands sign nothing. The public instance adds its network round trips.",
  });
  results.signingOverhead = measured(GOALS.signingOverhead, "our prepare + publish with provenance / without", t.signed, t.unsigned, {
    signedMs: t.signed.map(ms),
    unsignedMs: t.unsigned.map(ms),
    how: "the signed and unsigned runs of publishOverhead: what signing adds to our own publish.",
  });
  log("publishOverhead: tracing every python process of one prepare + publish");
  results.publishOverhead.attribution = await tracePublish();
}

async function peerRatios(results: Results) {
  const isolation = isolationEnv();
  log(`peerRatio, peerRatioUv, uvBuildRatio: our full PyPI release (build, uv) vs semantic-release-pypi, isolated builds from ${isolation.how}`);
  const steps: Record<string, DriverResult["steps"][]> = { build: [], uv: [], peer: [] };
  const keep = (name: string, run: () => Promise<DriverResult>) => async () => {
    const result = await run();
    steps[name].push(result.steps);
    return result.totalMs;
  };
  try {
    const t = await interleaved(
      peerRounds,
      { build: keep("build", () => oursFullRelease("build", isolation.env)), uv: keep("uv", () => oursFullRelease("uv", isolation.env)), peer: keep("peer", () => peerFullRelease(isolation.env)) },
      (round, got) => log(`peer round ${round + 1}/${peerRounds}: ours (build) ${ms(got.build)} ms, ours (uv) ${ms(got.uv)} ms, semantic-release-pypi ${ms(got.peer)} ms`),
    );
    const how =
      "every plugin step (ours: verifyConditions, verifyRelease, prepare, publish; semantic-release-pypi 5.3.0: verifyConditions, prepare, publish) in its own node process, timed inside it, " +
      `PYPI_TOKEN (minted by the stand-in) for both, a fresh loopback index and project copy per run, the current toolchain (build 1.6.1, twine 7.0.0, uv 0.13.9) first on PATH. Isolated builds install from ${isolation.how}. ` +
      "Ours: `python -m build` (sdist, then the wheel from the sdist) or `uv build` (the same two), then `twine check --strict`, PyPI's upload rules and the sdist-content check. " +
      "The peer: installDeps false, envDir false, otherwise its defaults (its tomlkit script sets the version, `python3 -m build --sdist`, then `--wheel` from the source tree, each in its own isolated env).";
    results.peerRatio = measured(GOALS.peerRatio, "our PyPI release (`python -m build`) / semantic-release-pypi 5.3.0, isolated builds", t.build, t.peer, {
      oursMs: t.build.map(ms),
      peerMs: t.peer.map(ms),
      oursStepsMs: stepMedians(steps.build),
      peerStepsMs: stepMedians(steps.peer),
      how,
    });
    results.peerRatioUv = measured(GOALS.peerRatioUv, "our PyPI release (`pypi.builder: uv`) / semantic-release-pypi 5.3.0", t.uv, t.peer, {
      oursMs: t.uv.map(ms),
      peerMs: t.peer.map(ms),
      oursStepsMs: stepMedians(steps.uv),
      how: "as peerRatio, ours with pypi.builder \"uv\".",
    });
    const prepare = (name: string) => steps[name].map((s) => s.prepare);
    results.uvBuildRatio = measured(GOALS.uvBuildRatio, "our prepare with `uv build` / with `python -m build`, both isolated", prepare("uv"), prepare("build"), {
      uvPrepareMs: prepare("uv").map(ms),
      buildPrepareMs: prepare("build").map(ms),
      how: "the prepare step (build, twine check, PyPI's rules, sdist content) of the peerRatio and peerRatioUv runs: same project, same wheelhouse, builder uv vs build.",
    });
  } catch (error) {
    const failed = (goal: number, what: string): Measured => ({ ratio: null, goal, what, error: (error as Error).message.slice(0, 2000), how: "isolated builds need hatchling from a wheelhouse or an index (BENCH_PIP_INDEX_URL)." });
    results.peerRatio = failed(GOALS.peerRatio, "our PyPI release / semantic-release-pypi");
    results.peerRatioUv = failed(GOALS.peerRatioUv, "our PyPI release (uv) / semantic-release-pypi");
    results.uvBuildRatio = failed(GOALS.uvBuildRatio, "our prepare, uv / build");
  }
}

async function matrixParallelism(results: Results) {
  log(`matrixParallelism: 6-entry matrix, every stand-in build takes ${buildMs} ms`);
  const builders = timedBuilders(buildMs);
  const registry = quick ? undefined : await startRegistry().catch(() => undefined);
  try {
    const buildx = await paired(rounds, () => matrixPublish(builders, { repository: "docker.io/llenergymeasure" }), () => singleBuild(builders));
    const overheadMs = ms(median(buildx.numeratorMs) - median(buildx.denominatorMs));
    results.matrixParallelism = {
      ratio: round2(buildx.ratio),
      goal: GOALS.matrixParallelism,
      what: `6-entry matrix (buildx) / one ${buildMs / 1000} s build; fixed overhead ${overheadMs} ms`,
      ratios: buildx.ratios.map(round2),
      buildMs,
      matrixMs: buildx.numeratorMs.map(ms),
      oneBuildMs: buildx.denominatorMs.map(ms),
      overheadMs,
      how: "images plugin publish (builder buildx: one bake of 6 targets, then imagetools create per entry) with a stand-in docker whose bake builds its targets concurrently, as BuildKit does, each taking buildMs; vs one build through the same stand-in. overheadMs: median matrix time minus median single build.",
      podman: [],
    };
    if (registry) {
      let n = 0;
      for (const concurrency of [2, 6]) {
        const podman = await paired(rounds, () => matrixPublish(builders, { repository: `${registry.host}/bench${n++}`, builder: "podman", tlsVerify: false, concurrency }), () => singleBuild(builders));
        (results.matrixParallelism.podman as unknown[]).push({ concurrency, ratio: round2(podman.ratio), ratios: podman.ratios.map(round2), matrixMs: podman.numeratorMs.map(ms), oneBuildMs: podman.denominatorMs.map(ms) });
        results.informational.push({ key: "`matrixParallelism` (podman)", what: `same matrix, builder podman, images.concurrency ${concurrency}`, value: `${round2(podman.ratio)}`, note: `sequential would be 6, ideal ${Math.ceil(6 / concurrency)}` });
      }
      results.matrixParallelism.podmanHow = "builder podman: a stand-in podman (build takes buildMs; push writes a small OCI layout) and a real docker-registry on loopback that the plugin uploads to by digest and tags; images.concurrency 2 (the default) and 6";
    } else {
      results.matrixParallelism.podmanHow = quick ? "full mode only" : "skipped: /usr/bin/docker-registry (apt-get install docker-registry) is needed for the podman path";
    }
  } finally {
    builders.cleanup();
    await registry?.stop();
  }
}

async function main() {
  const results: Results = {
    generatedAt: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    machine: describeMachine(),
    load: { start: load() },
    rounds: { "dry runs, publish and matrix ratios": rounds, "peer ratios": peerRounds },
    goals: goalsTable(),
    informational: [],
  };
  await dryRuns(results);
  await publishOverhead(results);
  await matrixParallelism(results);
  await peerRatios(results);
  results.durationS = Math.round((performance.now() - started) / 1000);
  results.load.end = load();
  const bench = join(PACKAGE_ROOT, "bench");
  writeFileSync(join(bench, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  writeFileSync(join(bench, "RESULTS.md"), markdown);
  if (!quick) updateReadme(results);
  process.stdout.write(markdown);
  log(`done in ${results.durationS}s: bench/results.json, bench/RESULTS.md${quick ? "" : ", README.md"}`);
}

await main();
