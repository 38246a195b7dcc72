import { test } from "@jest/globals";
import { onCleanup } from "../support/cleanup.js";
import assert from "node:assert/strict";
import * as commitAnalyzer from "@semantic-release/commit-analyzer";
import { analyzeCommits } from "../../src/plugins/analyze.js";
import { generateNotes } from "../../src/plugins/notes.js";
import type { Context } from "../../src/context.js";
import { createRepo, git, GITHUB_REPO_URL, type TempRepo } from "../support/repo.js";

// The commits exactly as semantic-release collects them (its own lib/git.js, git-log-parser).
const { getCommits } = (await import("semantic-release/lib/git.js" as string)) as {
  getCommits(from: string | undefined, to: string, options: { cwd: string; env: Record<string, string> }): Promise<Context["commits"]>;
};

interface History {
  repo: TempRepo;
  base: string;
  hashes: Record<string, string>;
}

/** A repository released as v2.0.0, then one commit per message. */
function history(messages: Record<string, string>): History {
  const repo = createRepo({ template: null });
  const base = repo.commit("chore: initial import");
  git(repo.dir, ["tag", "v2.0.0"]);
  const hashes: Record<string, string> = {};
  for (const [name, message] of Object.entries(messages)) hashes[name] = repo.commit(message);
  return { repo, base, hashes };
}

async function contextOf({ repo, base }: History, nextVersion: string, logs: string[] = []): Promise<Context> {
  const commits = await getCommits(base, "HEAD", { cwd: repo.dir, env: {} });
  const log = (...args: unknown[]) => logs.push(args.map(String).join(" "));
  return {
    cwd: repo.dir,
    env: {},
    logger: { log, warn: log, error: log, success: log },
    options: { repositoryUrl: GITHUB_REPO_URL, tagFormat: "v${version}" },
    branch: { name: "main", type: "release", main: true },
    lastRelease: { version: "2.0.0", gitTag: "v2.0.0", gitHead: base },
    nextRelease: { version: nextVersion, gitTag: `v${nextVersion}`, gitHead: git(repo.dir, ["rev-parse", "HEAD"]), type: "minor" },
    commits,
  };
}

const today = () => new Date().toISOString().slice(0, 10);
const link = (hash: string) => `[\`${hash.slice(0, 7)}\`](https://github.com/o/r/commit/${hash})`;

const MESSAGES = {
  zeus: "feat(backend): Zeus energy backend",
  shm: "fix: vLLM shm-size not propagated to Docker containers\n\nThe --shm-size flag was dropped.\n\nCloses #42",
  rename: "refactor(config): rename model_name to model\n\nDEPRECATED: `ExperimentConfig.model_name` → use `model`",
  wip: "wip: zeus sampling",
  typo: "fix typo in README",
  loose: "Update the docs a bit",
  chore: "chore(deps): bump torch",
};

test("feat + fix + deprecation + noise: the draft reads like the decision record, noise only in the curator block", async () => {
  const h = history(MESSAGES);
  onCleanup(() => h.repo.cleanup());
  const context = await contextOf(h, "2.1.0");

  assert.equal(await analyzeCommits({}, context), "minor");
  const notes = await generateNotes({}, context);
  const x = h.hashes;
  assert.equal(
    notes,
    `## v2.1.0 — ${today()}

### Added

- **backend:** Zeus energy backend (${link(x.zeus)})

### Changed

- **config:** rename model_name to model (${link(x.rename)})

### Deprecated (removed in v2.2.0)

- **config:** \`ExperimentConfig.model_name\` → use \`model\` (${link(x.rename)})

### Fixed

- vLLM shm-size not propagated to Docker containers (${link(x.shm)}), closes [#42](https://github.com/o/r/issues/42)

<!-- pyrelease:curator:start -->
<details>
<summary>For the curator: 4 commits left out of these notes (delete this block before publishing)</summary>

- ${link(x.wip)} \`wip: zeus sampling\`: matches \`wip\`
- ${link(x.typo)} \`fix typo in README\`: matches \`typo\`
- ${link(x.loose)} \`Update the docs a bit\`: not a conventional commit
- ${link(x.chore)} \`chore(deps): bump torch\`: type \`chore\` is not shown in the notes

</details>
<!-- pyrelease:curator:end -->
`,
  );
});

test("a breaking change leads the notes and makes a major; the deprecation window follows the version", async () => {
  const h = history({
    ...MESSAGES,
    drop: "feat(api)!: drop Python 3.9",
    cli: "feat(cli): one entry point\n\nBREAKING CHANGE: `lem run` is now `lem study`\nRefs #51",
  });
  onCleanup(() => h.repo.cleanup());
  const context = await contextOf(h, "3.0.0");

  assert.equal(await analyzeCommits({}, context), "major");
  const notes = await generateNotes({ notes: { deprecationWindow: 2 } }, context);
  const x = h.hashes;
  const sections = notes.split(/\n(?=### |<!--)/);
  assert.equal(sections[0], `## v3.0.0 — ${today()}\n`);
  assert.equal(sections[1], `### ⚠ Breaking changes\n\n- **api:** drop Python 3.9 (${link(x.drop)})\n- **cli:** \`lem run\` is now \`lem study\` (${link(x.cli)})\n`);
  assert.equal(
    sections[2],
    `### Added\n\n- **backend:** Zeus energy backend (${link(x.zeus)})\n- **cli:** one entry point (${link(x.cli)}), refs [#51](https://github.com/o/r/issues/51)\n`,
  );
  assert.equal(sections[4], `### Deprecated (removed in v3.2.0)\n\n- **config:** \`ExperimentConfig.model_name\` → use \`model\` (${link(x.rename)})\n`);
});

// Changed with issue 12: this refactor used to be no release at all, so a deprecation could
// sit unreleased; semver 2.0.0 §7 makes deprecating public API a minor release.
test("DEPRECATED makes a refactor a minor release, never a major", async () => {
  const h = history({ rename: MESSAGES.rename, wip: MESSAGES.wip });
  onCleanup(() => h.repo.cleanup());
  const logs: string[] = [];
  const context = await contextOf(h, "2.1.0", logs);

  assert.equal(await analyzeCommits({}, context), "minor");
  assert.ok(logs.some((line) => line.includes(`${h.hashes.rename.slice(0, 7)} deprecates public API (a DEPRECATED: note): a minor release, not no release`)), logs.join("\n"));
  // What the preset avoids: the same keyword given to the analyzer turns this refactor into a major.
  const naive = await commitAnalyzer.analyzeCommits(
    { preset: "conventionalcommits", parserOpts: { noteKeywords: ["BREAKING CHANGE", "BREAKING-CHANGE", "DEPRECATED"] } },
    context,
  );
  assert.equal(naive, "major");
  // And the notes show the deprecation.
  assert.match(await generateNotes({}, context), /### Deprecated \(removed in v2\.2\.0\)\n\n- \*\*config:\*\* `ExperimentConfig\.model_name` → use `model`/);
});

test("DEPRECATED lifts a fix to minor and leaves a breaking change major; prose that says 'Deprecated' is no note", async () => {
  const fix = history({ fix: "fix(cli): accept --model\n\nDEPRECATED: `--model-name`, use `--model`" });
  const prose = history({ fix: "fix(cli): accept --model\n\nDeprecated flags are listed in the docs." });
  const breaking = history({ drop: "feat(api)!: drop Python 3.9\n\nDEPRECATED: `lem.legacy`" });
  onCleanup(() => (fix.repo.cleanup(), prose.repo.cleanup(), breaking.repo.cleanup()));
  assert.equal(await analyzeCommits({}, await contextOf(fix, "2.1.0")), "minor");
  assert.equal(await analyzeCommits({}, await contextOf(prose, "2.0.1")), "patch");
  assert.equal(await analyzeCommits({}, await contextOf(breaking, "3.0.0")), "major");
});

test("analyze.majorOnZero false: a breaking change on 0.x is a minor release (the real analyzer says major)", async () => {
  const h = history({ drop: "feat(api)!: drop Python 3.9", cli: "feat(cli): one entry point\n\nBREAKING CHANGE: `lem run` is now `lem study`" });
  onCleanup(() => h.repo.cleanup());
  const logs: string[] = [];
  const context = { ...(await contextOf(h, "0.10.0", logs)), lastRelease: { version: "0.9.0", gitTag: "v0.9.0", gitHead: h.base } };
  assert.equal(await commitAnalyzer.analyzeCommits({ preset: "conventionalcommits" }, context), "major");
  assert.equal(await analyzeCommits({}, context), "major", "the default follows semver: 1.0.0");
  assert.equal(await analyzeCommits({ analyze: { majorOnZero: false } }, context), "minor");
  assert.ok(logs.some((line) => line.includes("breaking change on 0.9.0 with analyze.majorOnZero false: a minor release, not 1.0.0")), logs.join("\n"));
  // From 1.0 on, the option changes nothing.
  assert.equal(await analyzeCommits({ analyze: { majorOnZero: false } }, { ...context, lastRelease: { version: "1.0.0", gitTag: "v1.0.0", gitHead: h.base } }), "major");
  await assert.rejects(analyzeCommits({ analyze: { majorOnZero: "no" } }, context), (error: any) => error.code === "EINVALIDCONFIG" && /analyze\.majorOnZero/.test(error.message));
});

test("a revert of an unreleased commit removes both from the notes; a bad notes option fails before anything is written", async () => {
  const h = history({ zeus: MESSAGES.zeus, fix: "fix: flaky sampler" });
  // What `git revert` writes (the history's commits are empty, so it is written by hand).
  h.repo.commit(`Revert "fix: flaky sampler"\n\nThis reverts commit ${h.hashes.fix}.`);
  onCleanup(() => h.repo.cleanup());
  const context = await contextOf(h, "2.1.0");
  const notes = await generateNotes({}, context);
  assert.doesNotMatch(notes, /flaky sampler/);
  assert.match(notes, /### Added\n\n- \*\*backend:\*\* Zeus energy backend/);

  await assert.rejects(generateNotes({ notes: { deprecationWindow: "one" } }, context), (error: any) => {
    assert.equal(error.code, "EINVALIDCONFIG");
    assert.match(error.message, /notes\.deprecationWindow/);
    return true;
  });
});
