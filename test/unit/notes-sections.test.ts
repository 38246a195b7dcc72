import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { classifyCommit, type ParsedCommit } from "../../src/notes/classify.js";
import { CURATOR_END, CURATOR_START, stripCuratorBlock } from "../../src/notes/curator.js";
import { matchIgnoreRule, parseIgnoreRule } from "../../src/notes/noise.js";
import { readNotesOptions } from "../../src/notes/options.js";
import { removalVersion, renderNotes } from "../../src/notes/render.js";

const { options } = readNotesOptions({});
const LINKS = { host: "https://github.com", owner: "o", repository: "r" };
const hash = (n: number) => String(n).repeat(40).slice(0, 40);

function commit(n: number, header: string, fields: Partial<ParsedCommit> = {}): ParsedCommit {
  const match = /^(\w*)(?:\((.*)\))?!?: (.*)$/.exec(header);
  return { hash: hash(n), header, type: match?.[1] ?? null, scope: match?.[2] ?? null, subject: match?.[3] ?? null, notes: [], references: [], ...fields };
}

/** Deep-freeze, like the writer's read-only proxy: any write throws. */
function frozen<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) frozen(inner);
    Object.freeze(value);
  }
  return value;
}

test("where a commit goes: section, notes only, or the curator block with the reason", () => {
  const cases: [string, ParsedCommit, string][] = [
    ["feat is Added", commit(1, "feat(api): zeus backend"), "entry:added"],
    ["feature is Added", commit(1, "feature: x"), "entry:added"],
    ["fix is Fixed", commit(1, "fix: shm-size"), "entry:fixed"],
    ["fix(security) is Security", commit(1, "fix(security): escape paths"), "entry:security"],
    ["perf is Changed", commit(1, "perf: faster"), "entry:changed"],
    ["refactor is Changed", commit(1, "refactor: tidy"), "entry:changed"],
    ["revert is Removed", commit(1, 'Revert "feat: x"', { type: null, revert: { header: "feat: x" } }), "entry:removed"],
    ["chore is hidden", commit(1, "chore: deps"), "noise:type `chore` is not shown in the notes"],
    ["docs is hidden", commit(1, "docs: readme"), "noise:type `docs` is not shown in the notes"],
    ["wip prefix", commit(1, "wip: half a backend"), "noise:matches `wip`"],
    ["wip in a feat", commit(1, "feat: wip zeus"), "noise:matches `wip`"],
    ["typo, not conventional", commit(1, "fix typo in README"), "noise:matches `typo`"],
    ["typo as a fix", commit(1, "fix: typos in docstrings"), "noise:matches `typo`"],
    ["merge", commit(1, "Merge pull request #3 from o/branch"), "noise:matches `merge`"],
    ["fixup", commit(1, "fixup! feat: x"), "noise:matches `fixup`"],
    ["not conventional", commit(1, "Update stuff"), "noise:not a conventional commit"],
    ["swipe is not wip", commit(1, "feat: swipe gestures"), "entry:added"],
    ["breaking wip is never hidden", commit(1, "feat!: wip drop 3.9", { notes: [{ title: "BREAKING CHANGE", text: "wip drop 3.9" }] }), "entry:-"],
    ["deprecation on a chore is shown", commit(1, "chore: old flag", { notes: [{ title: "DEPRECATED", text: "`--old`" }] }), "entry:-"],
    ["breaking footer on a non-conventional commit", commit(1, "Rework", { notes: [{ title: "BREAKING CHANGE", text: "all new" }] }), "entry:-"],
  ];
  for (const [name, input, expected] of cases) {
    const result = classifyCommit(frozen(input), options);
    const actual = result.kind === "entry" ? `entry:${result.section ?? "-"}` : `noise:${result.reason}`;
    assert.equal(actual, expected, name);
  }
});

test("`feat!:` without a footer is listed once, under Breaking; a footer keeps the commit in its section too", () => {
  const bang = classifyCommit(commit(1, "feat(api)!: drop 3.9", { notes: [{ title: "BREAKING CHANGE", text: "drop 3.9" }] }), options);
  expect(bang.kind === "entry" && [bang.section, bang.breaking]).toEqual([undefined, ["drop 3.9"]]);
  const footer = classifyCommit(commit(1, "feat: new cli", { notes: [{ title: "BREAKING CHANGE", text: "`run` is now `run-study`" }] }), options);
  expect(footer.kind === "entry" && [footer.section, footer.breaking]).toEqual(["added", ["`run` is now `run-study`"]]);
});

test("classifying never writes to the commit and shares none of its objects", () => {
  const references = [{ action: "Closes", issue: "42", prefix: "#", owner: null, repository: null }];
  const input = frozen(commit(1, "fix: x", { references }));
  const result = classifyCommit(input, options);
  assert.ok(result.kind === "entry");
  assert.notEqual(result.references[0], input.references![0]);
  expect(result.references).toEqual(references);
});

test("the rendered notes: header, sections in the decision record's order, links, curator block", () => {
  const commits = [
    commit(7, "chore: bump deps"),
    commit(6, "Update stuff"),
    commit(5, "fix: vLLM shm-size not propagated to Docker containers", { references: [{ action: "Closes", issue: "42", prefix: "#", owner: null, repository: null }] }),
    commit(4, "refactor(config): rename model_name to model", { notes: [{ title: "DEPRECATED", text: "`ExperimentConfig.model_name` → use `model`" }] }),
    commit(3, "fix(security): do not log tokens"),
    commit(2, "feat: bootstrap CI for experiment results (#7)", { references: [{ action: null, issue: "7", prefix: "#", owner: null, repository: null }] }),
    commit(1, "feat(backend): Zeus energy backend"),
  ].map((c) => classifyCommit(frozen(c), options));
  const notes = renderNotes({ tag: "v2.1.0", version: "2.1.0", date: "2026-02-25", commits, links: LINKS, deprecationWindow: 1 });
  const link = (n: number) => `[\`${hash(n).slice(0, 7)}\`](https://github.com/o/r/commit/${hash(n)})`;
  assert.equal(
    notes,
    `## v2.1.0 — 2026-02-25

### Added

- bootstrap CI for experiment results ([#7](https://github.com/o/r/issues/7)) (${link(2)})
- **backend:** Zeus energy backend (${link(1)})

### Changed

- **config:** rename model_name to model (${link(4)})

### Deprecated (removed in v2.2.0)

- **config:** \`ExperimentConfig.model_name\` → use \`model\` (${link(4)})

### Fixed

- vLLM shm-size not propagated to Docker containers (${link(5)}), closes [#42](https://github.com/o/r/issues/42)

### Security

- **security:** do not log tokens (${link(3)})

${CURATOR_START}
<details>
<summary>For the curator: 2 commits left out of these notes (delete this block before publishing)</summary>

- ${link(6)} \`Update stuff\`: not a conventional commit
- ${link(7)} \`chore: bump deps\`: type \`chore\` is not shown in the notes

</details>
${CURATOR_END}
`,
  );
});

test("without a repository, hashes and issues are plain text; no noise, no curator block", () => {
  const notes = renderNotes({
    tag: "v1.0.1",
    version: "1.0.1",
    date: "2026-01-02",
    commits: [classifyCommit(commit(1, "fix: crash (#3)"), options)],
    links: {},
    deprecationWindow: 1,
  });
  assert.equal(notes, "## v1.0.1 — 2026-01-02\n\n### Fixed\n\n- crash (#3) (`1111111`)\n");
});

test("the deprecation window names the first minor that may remove the API", () => {
  const cases: [string, number, string][] = [
    ["2.1.0", 1, "v2.2.0"],
    ["2.1.3", 2, "v2.3.0"],
    ["3.0.0-rc.1", 1, "v3.1.0"],
    ["0.9.0", 1, "v0.10.0"],
  ];
  for (const [version, window, expected] of cases) assert.equal(removalVersion(version, window), expected, `${version} +${window}`);
});

test("notes options: defaults, user rules, and every problem at once", () => {
  expect(options.ignore.map((r) => r.name)).toEqual(["wip", "typo", "merge", "fixup"]);
  assert.equal(options.deprecationWindow, 1);
  const custom = readNotesOptions({ notes: { ignore: ["merge", "/^chore\\(deps\\)/i"], deprecationWindow: 2, types: { docs: "changed", fix: false } } });
  expect(custom.problems).toEqual([]);
  assert.equal(matchIgnoreRule("chore(deps): bump x", custom.options.ignore)?.name, "/^chore\\(deps\\)/i");
  assert.equal(matchIgnoreRule("wip: x", custom.options.ignore), undefined);
  assert.equal(classifyCommit(commit(1, "docs: guide"), custom.options).kind, "entry");
  assert.equal(classifyCommit(commit(1, "fix: x"), custom.options).kind, "noise");

  const bad = readNotesOptions({ notes: { ignore: ["nope", "/(/"], deprecationWindow: 0, types: { feat: "features" }, sections: {} } });
  expect(bad.problems.map((p) => p.key)).toEqual(["notes.ignore", "notes.ignore", "notes.deprecationWindow", "notes.types.feat", "notes.sections"]);
});

test("a /g/ rule matches every commit it should, not every other one", () => {
  const rule = parseIgnoreRule("/bump/g")!;
  expect(["bump a", "bump b", "bump c"].map((h) => matchIgnoreRule(h, [rule])?.name)).toEqual(["/bump/g", "/bump/g", "/bump/g"]);
});

test("a curator block left in a release is stripped; other text is kept as is", () => {
  const block = `${CURATOR_START}\n<details>\n- x\n</details>\n${CURATOR_END}`;
  assert.equal(stripCuratorBlock(`## v1\n\n### Added\n\n- a\n\n${block}\n`), "## v1\n\n### Added\n\n- a\n");
  assert.equal(stripCuratorBlock(`## v1\n\n${block}\n\n## Artifacts\n`), "## v1\n\n## Artifacts\n");
  assert.equal(stripCuratorBlock("## v1\n\n- a\n"), "## v1\n\n- a\n");
});
