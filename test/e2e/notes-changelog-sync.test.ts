import { test, expect } from "@jest/globals";
import { onCleanup } from "../support/cleanup.js";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { changelogCommand } from "../../src/commands/changelog.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { createRepo } from "../support/repo.js";

const OLDER = `# Changelog

All notable changes to llenergymeasure. Each entry is the curated GitHub release.

## v2.0.1 — 2026-01-10

### Fixed

- vLLM shm-size not propagated to Docker containers (#42)

## v2.0.0 — 2026-01-01

### Added

- Docker images for every backend
`;

const DRAFTED = `## v2.1.0 — 2026-02-25

### Added

- **backend:** Zeus energy backend ([\`abc1234\`](https://github.com/o/r/commit/abc1234))
- fix typo in README

<!-- pyrelease:curator:start -->
<details>
<summary>For the curator: 1 commit left out of these notes (delete this block before publishing)</summary>

- \`wip: sampling\`: matches \`wip\`

</details>
<!-- pyrelease:curator:end -->
`;

// What a curator publishes from the web editor: edited, CRLF line ends, curator block deleted.
const CURATED = [
  "## v2.1.0 — 2026-02-25",
  "",
  "### Added",
  "",
  "- Zeus energy backend (`pip install llenergymeasure[zeus]`)",
  "",
  "### Deprecated (removed in v2.2.0)",
  "",
  "- `ExperimentConfig.model_name` → use `model`",
].join("\r\n");

const CURATED_LF = CURATED.replace(/\r\n/g, "\n");

async function setup() {
  const server = await startGitHubServer();
  const repo = createRepo({ template: null, files: { "CHANGELOG.md": OLDER } });
  onCleanup(() => (repo.cleanup(), server.close()));
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    cwd: repo.dir,
    env: { GITHUB_TOKEN: server.token, GITHUB_API_URL: server.url },
    stdout: (s: string) => void out.push(s),
    stderr: (s: string) => void err.push(s),
  };
  const sync = (tag: string, more: string[] = []) => changelogCommand(["sync", "--tag", tag, ...more], io);
  return { server, repo, io, out, err, sync, changelog: () => readFileSync(join(repo.dir, "CHANGELOG.md"), "utf8") };
}

function addDraft(server: GitHubServer) {
  return server.addRelease({ tag_name: "v2.1.0", draft: true, body: DRAFTED });
}

test("a draft or missing release: a clear ERELEASEDRAFT, exit 1, the file untouched", async () => {
  const { server, sync, changelog, err } = await setup();
  addDraft(server);

  assert.equal(await sync("v2.1.0"), 1);
  assert.match(err.join(""), /^✖ ERELEASEDRAFT The GitHub release v2\.1\.0 is still a draft or does not exist; CHANGELOG\.md was not touched\./);
  assert.equal(changelog(), OLDER);

  assert.equal(await sync("v9.9.9"), 1);
  assert.match(err.join(""), /ERELEASEDRAFT The GitHub release v9\.9\.9/);
  assert.equal(changelog(), OLDER);
  assert.ok(!err.join("").includes(server.token));
});

test("a published, edited release: exactly the curated text, newest first, every older byte kept; twice is a no-op", async () => {
  const { server, sync, changelog, out } = await setup();
  const draft = addDraft(server);
  server.editRelease(draft.id, { body: CURATED, draft: false });

  assert.equal(await sync("v2.1.0"), 0);
  const expected = OLDER.replace("## v2.0.1", `${CURATED_LF}\n\n## v2.0.1`);
  assert.equal(changelog(), expected);
  assert.match(out.join(""), /CHANGELOG\.md: v2\.1\.0 added\./);

  assert.equal(await sync("v2.1.0"), 0);
  assert.equal(changelog(), expected);
  assert.match(out.join(""), /already holds the published v2\.1\.0: nothing to do/);

  // Edited again on GitHub after the sync: its section follows, nothing else moves.
  server.editRelease(draft.id, { body: `${CURATED}\r\n\r\n### Fixed\r\n\r\n- a late fix` });
  assert.equal(await sync("v2.1.0"), 0);
  assert.equal(changelog(), OLDER.replace("## v2.0.1", `${CURATED_LF}\n\n### Fixed\n\n- a late fix\n\n## v2.0.1`));
});

test("no CHANGELOG.md yet: created with a title; a forgotten curator block is not copied", async () => {
  const { server, repo, sync, changelog, out } = await setup();
  rmSync(join(repo.dir, "CHANGELOG.md"));
  server.addRelease({ tag_name: "v2.1.0", body: DRAFTED, published_at: "2026-02-25T12:00:00Z" });

  assert.equal(await sync("v2.1.0"), 0);
  const expected = `# Changelog\n\n${DRAFTED.slice(0, DRAFTED.indexOf("\n\n<!--"))}\n`;
  assert.equal(changelog(), expected);
  assert.match(out.join(""), /still holds the curator block/);
  assert.equal(await sync("v2.1.0"), 0);
  assert.equal(changelog(), expected);
});

test("an older release synced late goes below the newer ones; --file and --repo are honoured", async () => {
  const { server, repo, io, sync } = await setup();
  writeFileSync(join(repo.dir, "HISTORY.md"), OLDER);
  server.addRelease({ tag_name: "v2.0.2", body: "- backported fix", published_at: "2026-01-20T08:00:00Z" });

  assert.equal(await changelogCommand(["sync", "--tag=v2.0.2", "--file", "HISTORY.md", "--repo", "o/r"], { ...io, cwd: repo.dir }), 0);
  assert.equal(readFileSync(join(repo.dir, "HISTORY.md"), "utf8"), OLDER.replace("## v2.0.1", "## v2.0.2 — 2026-01-20\n\n- backported fix\n\n## v2.0.1"));
  assert.equal(readFileSync(join(repo.dir, "CHANGELOG.md"), "utf8"), OLDER);
  assert.equal(await sync("v2.0.2", ["--repo", "someone/else"]), 1);
});

test("usage mistakes exit 2; no token is ENOGHTOKEN, exit 1", async () => {
  const { io, err } = await setup();
  assert.equal(await changelogCommand(["sync"], io), 2);
  assert.match(err.join(""), /--tag is required/);
  assert.equal(await changelogCommand(["publish", "--tag", "v1.0.0"], io), 2);
  assert.equal(await changelogCommand(["sync", "--tag", "v1.0.0", "--force"], io), 2);
  assert.equal(await changelogCommand(["sync", "--tag", "v1.0.0"], { ...io, env: {} }), 1);
  assert.match(err.join(""), /ENOGHTOKEN/);
  expect(readdirSync(io.cwd).filter((name) => name.endsWith(".tmp"))).toEqual([]);
});

test("their changelog: newest first under [Unreleased], their heading style, no artifacts table; a bad option is EINVALIDCONFIG", async () => {
  const { server, repo, sync, changelog, out, err } = await setup();
  const theirs = [
    "# Changelog",
    "",
    "## [Unreleased]",
    "",
    "## [v1.0.0](https://github.com/o/r/releases/tag/v1.0.0) (2025-06-01)",
    "",
    "- the first stable line",
    "",
    "## [v0.5.0](https://github.com/o/r/releases/tag/v0.5.0) (2025-01-01)",
    "",
    "- early work",
    "",
  ].join("\n");
  writeFileSync(join(repo.dir, "CHANGELOG.md"), theirs);
  writeFileSync(join(repo.dir, ".releaserc.json"), JSON.stringify({ extends: "semantic-release-config-pyproject", changelog: { heading: "## [{tag}]({url}) ({date})" } }));
  const body = "## v0.9.0 — 2026-02-27\n\n### Added\n\n- Zeus energy backend\n\n<!-- pyrelease:artifacts:start -->\n### Artifacts\n\n| file | sha256 |\n|---|---|\n<!-- pyrelease:artifacts:end -->\n";
  server.addRelease({ tag_name: "v0.9.0", body, published_at: "2026-03-01T10:00:00Z" });

  assert.equal(await sync("v0.9.0"), 0, err.join(""));
  const entry = "## [v0.9.0](https://github.com/o/r/releases/tag/v0.9.0) (2026-03-01)\n\n### Added\n\n- Zeus energy backend\n\n";
  assert.equal(changelog(), theirs.replace("## [v1.0.0]", `${entry}## [v1.0.0]`));
  assert.equal(changelog().indexOf("v0.9.0") < changelog().indexOf("v1.0.0"), true, "on top, not between v1.0.0 and v0.5.0");
  assert.equal(await sync("v0.9.0"), 0);
  assert.ok(out.join("").includes("already holds the published v0.9.0: nothing to do"));

  writeFileSync(join(repo.dir, ".releaserc.json"), JSON.stringify({ extends: "semantic-release-config-pyproject", changelog: { order: "oldest" } }));
  assert.equal(await sync("v0.9.0"), 1);
  assert.match(err.join(""), /EINVALIDCONFIG .*changelog\.order/);
});
