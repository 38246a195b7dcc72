import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { insertRelease } from "../../src/changelog/insert.js";
import { releaseSection, stripArtifactsSection } from "../../src/changelog/release.js";
import { readChangelogOptions } from "../../src/changelog/options.js";
import { SECTION_END, SECTION_START } from "../../src/github/section.js";
import { headingVersion } from "../../src/changelog/versions.js";
import { compareVersions } from "../../src/version/order.js";
import { CURATOR_END, CURATOR_START } from "../../src/notes/curator.js";

const V21 = "## v2.1.0 — 2026-02-25\n\n### Added\n\n- Zeus energy backend";

const EXISTING = `# Changelog

All notable changes. Curated by hand.

## [Unreleased]

- nothing yet

## v2.0.1 — 2026-01-10

### Fixed

- a crash

## v2.0.0 — 2026-01-01

\`\`\`
## 9.9.9 inside a code block is not a heading
\`\`\`

### Added

- everything
`;

test("inserting a release in version order (changelog.order \"version\"): under its heading, every other byte kept", () => {
  const cases: [string, string | null, string, string, string][] = [
    ["missing file: created with a title", null, "2.1.0", V21, `# Changelog\n\n${V21}\n`],
    ["empty file: created with a title", "", "2.1.0", V21, `# Changelog\n\n${V21}\n`],
    [
      "newest: after Unreleased, before the last release",
      EXISTING,
      "2.1.0",
      V21,
      EXISTING.replace("## v2.0.1", `${V21}\n\n## v2.0.1`),
    ],
    [
      "between two releases",
      EXISTING,
      "2.0.0-rc.1",
      "## v2.0.0-rc.1 — 2025-12-01\n\n- rc",
      `${EXISTING}\n## v2.0.0-rc.1 — 2025-12-01\n\n- rc\n`,
    ],
    [
      "older than everything: appended, above trailing link definitions",
      "# Changelog\n\n## [1.1.0] - 2025-01-01\n\n- b\n\n[1.1.0]: https://example.com/1.1.0\n",
      "1.0.0",
      "## v1.0.0\n\n- a",
      "# Changelog\n\n## [1.1.0] - 2025-01-01\n\n- b\n\n## v1.0.0\n\n- a\n\n[1.1.0]: https://example.com/1.1.0\n",
    ],
    [
      "a file without a final newline",
      "# Changelog\n\nIntro.",
      "1.0.0",
      "## v1.0.0\n\n- a",
      "# Changelog\n\nIntro.\n\n## v1.0.0\n\n- a\n",
    ],
    [
      "CRLF file: the release is written with CRLF",
      "# Changelog\r\n\r\n## v1.0.0\r\n\r\n- a\r\n",
      "1.1.0",
      "## v1.1.0\n\n- b",
      "# Changelog\r\n\r\n## v1.1.0\r\n\r\n- b\r\n\r\n## v1.0.0\r\n\r\n- a\r\n",
    ],
    [
      "same version, other text: its section is replaced, nothing else",
      EXISTING,
      "2.0.1",
      "## v2.0.1 — 2026-01-10\n\n### Fixed\n\n- a crash when the GPU is absent",
      EXISTING.replace("- a crash\n", "- a crash when the GPU is absent\n"),
    ],
    [
      "PEP 440 heading is the same version as the semver tag",
      "# Changelog\n\n## 2.1.0rc1\n\n- old\n",
      "2.1.0-rc.1",
      "## v2.1.0-rc.1\n\n- new",
      "# Changelog\n\n## v2.1.0-rc.1\n\n- new\n",
    ],
  ];
  for (const [name, existing, version, text, expected] of cases) {
    const first = insertRelease(existing, { version, text }, "version");
    assert.equal(first.content, expected, name);
    const second = insertRelease(first.content, { version, text }, "version");
    assert.equal(second.action, "unchanged", `${name}: second run`);
    assert.equal(second.content, first.content, `${name}: second run is byte-identical`);
  }
});

test("a release body with its own `## ` subheading stays one section", () => {
  const text = "## v2.1.0 — 2026-02-25\n\n- a\n\n## Artifacts\n\n- sha256 abc";
  const first = insertRelease("# Changelog\n\n## v2.0.0\n\n- old\n", { version: "2.1.0", text });
  assert.equal(first.content, `# Changelog\n\n${text}\n\n## v2.0.0\n\n- old\n`);
  assert.equal(insertRelease(first.content, { version: "2.1.0", text }).action, "unchanged");
  const edited = insertRelease(first.content, { version: "2.1.0", text: text.replace("- a", "- a, curated") });
  assert.equal(edited.content, first.content.replace("- a\n", "- a, curated\n"));
});

test("version headings and their order", () => {
  const headings: [string, string | undefined][] = [
    ["## v2.1.0 — 2026-02-25", "2.1.0"],
    ["## [2.1.0] - 2026-02-25", "2.1.0"],
    ["## 2.1.0rc1", "2.1.0rc1"],
    ["## v2.1.0-rc.1", "2.1.0-rc.1"],
    ["## [Unreleased]", undefined],
    ["## Artifacts", undefined],
    ["### v2.1.0", undefined],
  ];
  for (const [line, expected] of headings) assert.equal(headingVersion(line), expected, line);
  const ordered = ["1.0.0", "2.0.0-rc.1", "2.0.0rc2", "2.0.0", "2.0.1", "2.1.0", "10.0.0"];
  for (let i = 1; i < ordered.length; i++) assert.ok(compareVersions(ordered[i - 1], ordered[i]) < 0, `${ordered[i - 1]} < ${ordered[i]}`);
  assert.equal(compareVersions("2.1.0-rc.1", "2.1.0rc1"), 0);
});

test("the section of a published release: its curated body, under its heading", () => {
  const drafted = `${V21}\n`;
  expect(releaseSection({ tag_name: "v2.1.0", body: drafted }, "2.1.0")).toEqual({ text: V21, strippedCuratorBlock: false });
  expect(releaseSection({ tag_name: "v2.1.0", body: "- written\r\n- by hand\r\n", published_at: "2026-03-01T10:00:00Z" }, "2.1.0")).toEqual({
    text: "## v2.1.0 — 2026-03-01\n\n- written\n- by hand",
    strippedCuratorBlock: false,
  });
  const forgotten = `${V21}\n\n${CURATOR_START}\n<details>\n\n- x\n</details>\n${CURATOR_END}\n`;
  expect(releaseSection({ tag_name: "v2.1.0", body: forgotten }, "2.1.0")).toEqual({ text: V21, strippedCuratorBlock: true });
  expect(releaseSection({ tag_name: "v2.1.0", body: null, published_at: null }, "2.1.0")).toEqual({ text: "## v2.1.0", strippedCuratorBlock: false });
});

// Their file, in the shape llenergymeasure keeps it: newest first, but not in version order.
const THEIRS = `# Changelog

## [Unreleased]

## [v1.0.0](https://github.com/o/r/releases/tag/v1.0.0) (2025-06-01)

- the first stable line

## [v0.5.0](https://github.com/o/r/releases/tag/v0.5.0) (2025-01-01)

- early work
`;

test("newest first (the default): a new release goes on top, under [Unreleased], whatever the versions say", () => {
  const text = "## [v0.9.0](https://github.com/o/r/releases/tag/v0.9.0) (2026-03-01)\n\n- zeus";
  const first = insertRelease(THEIRS, { version: "0.9.0", text });
  assert.equal(first.content, THEIRS.replace("## [v1.0.0]", `${text}\n\n## [v1.0.0]`));
  assert.equal(insertRelease(first.content, { version: "0.9.0", text }).action, "unchanged");
  // Version order puts it between v1.0.0 and v0.5.0, as sync did before.
  assert.equal(insertRelease(THEIRS, { version: "0.9.0", text }, "version").content, THEIRS.replace("## [v0.5.0]", `${text}\n\n## [v0.5.0]`));
  // Only [Unreleased] and no release yet: below it.
  assert.equal(insertRelease("# Changelog\n\n## [Unreleased]\n", { version: "0.9.0", text }).content, `# Changelog\n\n## [Unreleased]\n\n${text}\n`);
  // An existing release is replaced where it stands.
  const edited = insertRelease(first.content, { version: "0.9.0", text: `${text}, curated` });
  assert.equal(edited.content, first.content.replace("- zeus", "- zeus, curated"));
});

test("a heading template, and the artifacts section left out unless asked for", () => {
  const body = `## v0.9.0 — 2026-02-28\n\n### Added\n\n- zeus\n\n${SECTION_START}\n### Artifacts\n\n| file | sha256 |\n${SECTION_END}\n`;
  const release = { tag_name: "v0.9.0", body, published_at: "2026-03-01T09:00:00Z", html_url: "https://github.com/o/r/releases/tag/v0.9.0" };
  const theirs = "## [{tag}]({url}) ({date})";
  expect(releaseSection(release, "0.9.0", { heading: theirs })).toEqual({
    text: "## [v0.9.0](https://github.com/o/r/releases/tag/v0.9.0) (2026-03-01)\n\n### Added\n\n- zeus",
    strippedCuratorBlock: false,
  });
  assert.equal(releaseSection(release, "0.9.0").text, "## v0.9.0 — 2026-02-28\n\n### Added\n\n- zeus", "the default heading stays");
  assert.match(releaseSection(release, "0.9.0", { artifacts: true }).text, /### Artifacts/);
  assert.equal(releaseSection({ ...release, body: "- by hand" }, "0.9.0", { heading: "## {pep440} ({date})" }).text, "## 0.9.0 (2026-03-01)\n\n- by hand");
  assert.equal(stripArtifactsSection(`a\n\n${SECTION_START}\nx\n${SECTION_END}\n\nb`), "a\n\nb");
  assert.equal(stripArtifactsSection(`a ${SECTION_START} but no end`), `a ${SECTION_START} but no end`);
});

test("changelog options", () => {
  expect(readChangelogOptions({})).toEqual({ options: { file: "CHANGELOG.md", order: "newest-first", artifacts: false }, problems: [] });
  expect(readChangelogOptions({ changelog: { order: "version", heading: "## [{tag}]({url}) ({date})", artifacts: true, file: "HISTORY.md" } }).options).toEqual({
    file: "HISTORY.md",
    order: "version",
    heading: "## [{tag}]({url}) ({date})",
    artifacts: true,
  });
  const bad = readChangelogOptions({ changelog: { order: "oldest", heading: "## {date} {tag}", artifacts: "yes", file: "", style: 1 } });
  expect(bad.problems.map((p) => p.key)).toEqual(["changelog.file", "changelog.order", "changelog.heading", "changelog.artifacts", "changelog.style"]);
  assert.match(bad.problems[2].reason, /must start with the release/);
  assert.match(readChangelogOptions({ changelog: { heading: "## {tag} {cuda}" } }).problems[0].reason, /\{cuda\} is not a placeholder/);
  assert.match(readChangelogOptions({ changelog: { heading: "# {tag}" } }).problems[0].reason, /one "## …" line/);
});
