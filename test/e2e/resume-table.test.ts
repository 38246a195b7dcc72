import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resumeCommand } from "../../src/commands/resume.js";
import type { Context } from "../../src/context.js";
import { getError } from "../../src/errors.js";
import { RELEASE_PLUGINS, STEPS, type ReleasePlugin } from "../../src/release/plugins.js";
import { onCleanup } from "../support/cleanup.js";
import { startGitHubServer } from "../support/github-server.js";
import { createRepo, git } from "../support/repo.js";

/** `pyrelease resume` keeps no list of steps: it replays whatever the lifecycle table holds. */

interface Seen {
  step: string;
  version?: string;
  tag?: string;
  gitHead?: string;
  cwd: string;
  notes?: string;
  releases?: unknown[];
  errors?: string[];
  file?: string;
}

/** A plugin that implements every semantic-release step and records each call. */
function probePlugin(seen: Seen[], failIn?: string): ReleasePlugin {
  const record = (step: string) => async (_config: unknown, context: Context) => {
    const file = join(context.cwd, "feature.txt");
    seen.push({
      step,
      version: context.nextRelease?.version,
      tag: context.nextRelease?.gitTag,
      gitHead: context.nextRelease?.gitHead,
      cwd: context.cwd,
      notes: context.nextRelease?.notes,
      releases: context.releases,
      errors: context.errors?.map((e) => (e as { code?: string }).code ?? ""),
      file: existsSync(file) ? readFileSync(file, "utf8") : undefined,
    });
    if (step === failIn) throw getError("EUPLOAD", { file: "probe.whl", attempts: 1 });
    if (step === "publish") return { name: "Probe", url: "https://example.com/probe" };
    if (step === "generateNotes") return "probe notes";
    return undefined;
  };
  return { name: "probe", load: async () => Object.fromEntries(STEPS.map((step) => [step, record(step)])) };
}

async function setup() {
  const github = await startGitHubServer();
  const repo = createRepo({ template: null, files: { "feature.txt": "as released\n" } });
  onCleanup(() => (repo.cleanup(), github.close()));
  repo.commit("feat: first");
  repo.tag("v1.0.0");
  repo.commit("feat(probe): the probed feature", { "feature.txt": "as tagged\n" });
  repo.tag("v1.1.0");
  const tagged = git(repo.dir, ["rev-parse", "HEAD"]);
  repo.commit("feat: after the tag", { "feature.txt": "moved on\n" });
  const out: string[] = [];
  const io = { cwd: repo.dir, env: { GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url, PATH: process.env.PATH }, stdout: (s: string) => void out.push(s), stderr: (s: string) => void out.push(s) };
  return { repo, io, out, tagged };
}

test("a plugin added to the table has its resumed steps replayed, in lifecycle order, on the tagged commit", async () => {
  const { repo, io, out, tagged } = await setup();
  const seen: Seen[] = [];
  const notes = RELEASE_PLUGINS.find((plugin) => plugin.name === "notes")!;
  assert.equal(await resumeCommand(["--tag", "v1.1.0"], io, [notes, probePlugin(seen)]), 0, out.join(""));

  // No analyzeCommits (the tag is the version), no addChannel, no fail.
  expect(seen.map((s) => s.step)).toEqual(["verifyConditions", "verifyRelease", "generateNotes", "prepare", "publish", "success"]);
  for (const call of seen) {
    expect([call.version, call.tag, call.gitHead, call.file]).toEqual(["1.1.0", "v1.1.0", tagged, "as tagged\n"]);
    assert.notEqual(call.cwd, repo.dir, "a worktree of the tag, not the moved-on checkout");
  }
  // The table's notes plugin wrote the notes from the tag's commits; semantic-release joins every plugin's notes.
  const published = seen.find((s) => s.step === "publish")!;
  assert.match(published.notes ?? "", /the probed feature[\s\S]*probe notes$/);
  expect(seen.find((s) => s.step === "success")!.releases).toEqual([{ name: "Probe", url: "https://example.com/probe", pluginName: "semantic-release-config-pyproject/probe" }]);
  assert.equal(git(repo.dir, ["worktree", "list"]).split("\n").length, 1, "the worktree is removed");
});

test("a failing step ends the resume with its code; the table's fail steps get the errors, as semantic-release gives them", async () => {
  const { io, out } = await setup();
  const seen: Seen[] = [];
  assert.equal(await resumeCommand(["--tag", "v1.1.0"], io, [probePlugin(seen, "publish")]), 1);
  expect(seen.map((s) => s.step)).toEqual(["verifyConditions", "verifyRelease", "generateNotes", "prepare", "publish", "fail"]);
  expect(seen.at(-1)!.errors).toEqual(["EUPLOAD"]);
  assert.match(out.join(""), /✖ EUPLOAD Uploading probe\.whl failed/);
});
