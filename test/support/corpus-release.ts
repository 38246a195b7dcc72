import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pypiPlugin from "../../src/plugins/pypi.js";
import { actionsReleaseEnv } from "./actions-env.js";
import { commitAll, corpusRepo, extractSource, fetchSdist, makeVersionStatic, readCorpus, useImportlibMetadata, type CorpusProject, type CorpusStep } from "./corpus.js";
import { startGitHubServer } from "./github-server.js";
import { pluginContext } from "./plugin-context.js";
import { startPypiServer } from "./pypi-server.js";
import { CURRENT_PYTHON } from "./python.js";
import { git, NO_PROVENANCE, runSemanticRelease, type TempRepo } from "./repo.js";

/**
 * Real open-source projects (test/corpus/projects.json), fetched from PyPI at pinned
 * versions, released through the real semantic-release CLI in a GitHub Actions-like
 * environment against the PyPI and GitHub stand-ins, with isolated builds by the current
 * toolchain. Each step is what a new user does next; a refusal must come before the tag.
 */

const sources = new Map<string, string>();
const cleanups: (() => void)[] = [];

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

function mergeConfig(base: Record<string, any>, extra: CorpusStep["config"] = {}): Record<string, any> {
  const merged: Record<string, any> = { ...base };
  for (const [key, value] of Object.entries(extra)) merged[key] = { ...(merged[key] ?? {}), ...value };
  return merged;
}

/** Rebuild the released files from a fresh clone of the tag at another path, with the release's options, and compare bytes. */
async function rebuildMatches(repo: TempRepo, project: CorpusProject, config: Record<string, any>, env: Record<string, string>, published: Map<string, string>) {
  const root = mkdtempSync(join(tmpdir(), "pyrelease-corpus-rebuild-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const clone = join(root, "clone-at-another-path");
  git(root, ["-c", "advice.detachedHead=false", "clone", "-q", "--branch", `v${project.version}`, repo.remote, clone]);
  const distDir = join(root, "rebuilt");
  const pluginConfig = { ...config, pypi: { ...config.pypi, distDir, publish: false } };
  const { context, output } = pluginContext({ cwd: clone, gitHead: git(clone, ["rev-parse", "HEAD"]), version: project.version, env: { ...process.env, ...env } });
  await pypiPlugin.prepare(pluginConfig, context).catch((error) => {
    throw new Error(`rebuild of ${project.name} failed: ${error.message}\n${output()}`);
  });
  const same: Record<string, boolean> = {};
  for (const filename of readdirSync(distDir)) {
    const kind = filename.endsWith(".whl") ? "wheel" : "sdist";
    if (published.has(filename)) same[kind] = published.get(filename) === sha256(readFileSync(join(distDir, filename)));
  }
  return same;
}

/**
 * The corpus projects `include` selects, each released step by step (one test each). Split
 * over two test files so jest runs the compiled projects, the slowest, beside the rest.
 */
export function releaseCorpus(title: string, include: (project: CorpusProject) => boolean): void {
  const corpus = readCorpus().filter(include);
  beforeAll(async () => {
    for (const project of corpus) sources.set(project.name, extractSource(await fetchSdist(project)));
  });
  afterAll(() => {
    for (const dir of sources.values()) rmSync(dir, { recursive: true, force: true });
    for (const cleanup of cleanups) cleanup();
  });
  describe(title, () => {
    for (const project of corpus) {
    test(`${project.name} ${project.version} (${project.backend}, ${project.versionSource})`, async () => {
      const github = await startGitHubServer();
      const pypi = await startPypiServer({ project: project.name });
      cleanups.push(() => void github.close(), () => void pypi.close());
      // Signing is tested on its own (provenance-*.test.ts); here the question is what PyPI takes.
      let config: Record<string, any> = { provenance: NO_PROVENANCE, pypi: { python: CURRENT_PYTHON, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl } };
      const repo = corpusRepo(project, sources.get(project.name)!, config);
      cleanups.push(() => repo.cleanup());
      let env: Record<string, string> = {};
      let released: Map<string, string> | undefined;

      for (const [index, step] of project.steps.entries()) {
        const label = `${project.name} step ${index + 1}`;
        if (step.config) {
          config = mergeConfig(config, step.config);
          writeFileSync(join(repo.dir, ".releaserc.json"), JSON.stringify({ extends: "semantic-release-config-pyproject", ...config }, null, 2));
          commitAll(repo, `chore(release): configure ${Object.keys(step.config).join(", ")}`);
        }
        if (step.edit === "importlib-metadata") {
          assert.ok(useImportlibMetadata(repo.dir, project.name).length, `${label}: a __version__ literal to replace`);
          commitAll(repo, "refactor: read __version__ from the installed distribution's metadata");
        }
        if (step.edit === "static-version") {
          makeVersionStatic(repo.dir, project.version);
          commitAll(repo, "build: write the version statically in pyproject.toml");
        }
        env = { ...env, ...step.env };
        const run = await runSemanticRelease(repo.dir, [], { ...actionsReleaseEnv(github, pypi, "main"), ...env }, 600_000);
        const tags = repo.remoteTags();
        const files = pypi.files().filter((file) => file.version === project.version);
        const drafts = github.releases().filter((release) => release.tag_name === `v${project.version}`);

        if ("refused" in step.expect) {
          assert.notEqual(run.code, 0, `${label} should be refused:\n${run.output.slice(-3000)}`);
          for (const code of step.expect.refused) assert.match(run.output, new RegExp(`\\b${code}\\b`), `${label}: ${code}\n${run.output.slice(-3000)}`);
          expect(tags).toEqual([`v${project.previous}`]);
          expect(files).toEqual([]);
          expect(drafts).toEqual([]);
        } else {
          assert.equal(run.code, 0, `${label} should release:\n${run.output.slice(-4000)}`);
          expect(tags.sort()).toEqual([`v${project.previous}`, `v${project.version}`].sort());
          expect(files.map((file) => file.filename).sort()).toEqual([...step.expect.released].sort());
          assert.equal(drafts.length, 1, `${label}: one draft`);
          assert.equal(drafts[0].draft, true);
          released = new Map(files.map((file) => [file.filename, file.sha256]));
        }
      }

      assert.ok(released, `${project.name}: the last step releases`);
      const same = await rebuildMatches(repo, project, config, env, released);
      expect(same).toEqual(project.byteIdentical);
    }, 900_000);
  }
  });
}
