import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import {
  SECTION_END,
  SECTION_START,
  formatSize,
  renderArtifacts,
  renderManifest,
  replaceSection,
  sectionState,
} from "../../src/github/section.js";

const S = SECTION_START;
const E = SECTION_END;

test("replaceSection: insert, replace, and leave everything outside the markers alone", () => {
  const cases: { name: string; body: string | null; content: string; expected: string }[] = [
    { name: "empty body", body: "", content: "A", expected: `${S}\nA\n${E}` },
    { name: "null body", body: null, content: "A", expected: `${S}\nA\n${E}` },
    { name: "notes without trailing newline", body: "## v1\n\n- x", content: "A", expected: `## v1\n\n- x\n\n${S}\nA\n${E}` },
    { name: "notes with one trailing newline", body: "## v1\n", content: "A", expected: `## v1\n\n${S}\nA\n${E}` },
    { name: "notes with a blank line at the end", body: "## v1\n\n", content: "A", expected: `## v1\n\n${S}\nA\n${E}` },
    { name: "replace an old section", body: `intro\n\n${S}\nold\nlines\n${E}`, content: "new", expected: `intro\n\n${S}\nnew\n${E}` },
    {
      name: "curator text before and after the section survives byte for byte",
      body: `## v1 — curated!\n\nHand-written *intro*.\n\n${S}\nold\n${E}\n\n> Thanks to @someone  \ntrailing   `,
      content: "new",
      expected: `## v1 — curated!\n\nHand-written *intro*.\n\n${S}\nnew\n${E}\n\n> Thanks to @someone  \ntrailing   `,
    },
    { name: "content's trailing newlines are trimmed", body: "x", content: "A\nB\n\n", expected: `x\n\n${S}\nA\nB\n${E}` },
    { name: "CRLF body (saved on github.com) gets a CRLF section", body: "## v1\r\n\r\n- x\r\n", content: "A\nB", expected: `## v1\r\n\r\n- x\r\n\r\n${S}\r\nA\r\nB\r\n${E}` },
    { name: "orphan start marker is dropped, section appended", body: `notes\n${S}\nhalf\n`, content: "A", expected: `notes\nhalf\n\n${S}\nA\n${E}` },
    { name: "orphan end marker is dropped", body: `notes\n${E}\n`, content: "A", expected: `notes\n\n${S}\nA\n${E}` },
  ];
  for (const c of cases) assert.equal(replaceSection(c.body, c.content), c.expected, c.name);
});

test("replaceSection is idempotent: a second run with the same content changes nothing", () => {
  const bodies = ["", "## v1\n\n- x", "a\r\nb\r\n", `before\n${S}\nstale\n${E}\nafter`, `orphan ${S} inline`];
  for (const body of bodies) {
    const once = replaceSection(body, "### Artifacts\n\n| a | b |");
    assert.equal(replaceSection(once, "### Artifacts\n\n| a | b |"), once, JSON.stringify(body));
  }
});

test("a curator's edits made after the first run survive the second", () => {
  const first = replaceSection("## v2.0.0\n\n### Added\n\n- feature", "digests v1");
  const curated = first.replace("## v2.0.0", "## v2.0.0 — the big one\n\nRead the migration guide.") + "\n\nFooter by a human.";
  const second = replaceSection(curated, "digests v2");
  assert.equal(second, curated.replace("digests v1", "digests v2"));
});

test("sectionState tells a present, absent and broken section apart", () => {
  const cases: [string, string][] = [
    ["", "absent"],
    ["notes", "absent"],
    [`${S}\nx\n${E}`, "present"],
    [`${S}\nx`, "broken"],
    [`${E}\n${S}`, "broken"],
  ];
  for (const [body, state] of cases) assert.equal(sectionState(body), state, body);
});

const SHA_WHEEL = "a".repeat(64);
const SHA_SDIST = "b".repeat(64);
const DIGEST_PT = `sha256:${"1".repeat(64)}`;
const DIGEST_VLLM = `sha256:${"2".repeat(64)}`;
const RELEASES = [
  { name: "GitHub release", url: "https://github.com/o/r/releases/tag/untagged-1", id: 7 },
  {
    name: "PyPI",
    url: "https://pypi.org/project/llenergymeasure/2.1.0rc1/",
    files: [
      { filename: "llenergymeasure-2.1.0rc1-py3-none-any.whl", sha256: SHA_WHEEL, size: 12_345 },
      { filename: "llenergymeasure-2.1.0rc1.tar.gz", sha256: SHA_SDIST, size: 800 },
    ],
  },
  {
    name: "Container images",
    images: [
      { ref: "docker.io/llenergymeasure/pytorch", digest: DIGEST_PT, tags: ["2.1.0rc1-cuda12", "2.1.0rc1"], entry: { backend: "pytorch", cuda: "cuda12" } },
      { ref: "docker.io/llenergymeasure/vllm", digest: DIGEST_VLLM, tags: ["2.1.0rc1-cuda12"], entry: { backend: "vllm", cuda: "cuda12" } },
    ],
  },
];
const FACTS = { version: "2.1.0-rc.1", pep440: "2.1.0rc1", tag: "v2.1.0-rc.1", commit: "0123456789abcdef0123456789abcdef01234567" };

test("renderArtifacts lists every file with sha256 and size, every image pinned by digest, and the install commands", () => {
  assert.equal(
    renderArtifacts(RELEASES, FACTS),
    [
      "### Artifacts",
      "",
      "Built from `v2.1.0-rc.1` (commit `0123456789ab`).",
      "",
      "#### Python package",
      "",
      "Published to https://pypi.org/project/llenergymeasure/2.1.0rc1/",
      "",
      "| file | size | sha256 |",
      "|---|--:|---|",
      `| \`llenergymeasure-2.1.0rc1-py3-none-any.whl\` | 12.1 KiB | \`${SHA_WHEEL}\` |`,
      `| \`llenergymeasure-2.1.0rc1.tar.gz\` | 800 B | \`${SHA_SDIST}\` |`,
      "",
      "#### Container images",
      "",
      "| image | pin by digest | tags |",
      "|---|---|---|",
      `| backend=pytorch, cuda=cuda12 | \`docker.io/llenergymeasure/pytorch@${DIGEST_PT}\` | \`2.1.0rc1-cuda12\`, \`2.1.0rc1\` |`,
      `| backend=vllm, cuda=cuda12 | \`docker.io/llenergymeasure/vllm@${DIGEST_VLLM}\` | \`2.1.0rc1-cuda12\` |`,
      "",
      "```sh",
      "pip install llenergymeasure==2.1.0rc1",
      `docker pull docker.io/llenergymeasure/pytorch@${DIGEST_PT}`,
      `docker pull docker.io/llenergymeasure/vllm@${DIGEST_VLLM}`,
      "```",
    ].join("\n"),
  );
});

test("renderArtifacts: only what was published appears", () => {
  const onlyPypi = renderArtifacts(RELEASES.slice(0, 2), FACTS);
  assert.match(onlyPypi, /#### Python package/);
  assert.doesNotMatch(onlyPypi, /Container images|docker pull/);
  const onlyImages = renderArtifacts([RELEASES[2]], FACTS);
  assert.doesNotMatch(onlyImages, /pip install|Python package/);
  assert.match(onlyImages, /docker pull docker\.io\/llenergymeasure\/vllm@sha256:2{64}/);
  assert.match(renderArtifacts([RELEASES[0]], FACTS), /published no Python package and no container image/);
  assert.match(renderArtifacts(RELEASES, { ...FACTS, project: "LLEnergyMeasure" }), /pip install LLEnergyMeasure==2\.1\.0rc1/);
});

test("renderManifest carries version, tag, commit, hashes and pins, and nothing that changes between runs", () => {
  const manifest = renderManifest(RELEASES, FACTS);
  expect(manifest).toEqual({
    version: "2.1.0-rc.1",
    pep440: "2.1.0rc1",
    tag: "v2.1.0-rc.1",
    commit: FACTS.commit,
    project: "llenergymeasure",
    files: [
      { filename: "llenergymeasure-2.1.0rc1-py3-none-any.whl", sha256: SHA_WHEEL, size: 12_345 },
      { filename: "llenergymeasure-2.1.0rc1.tar.gz", sha256: SHA_SDIST, size: 800 },
    ],
    images: [
      { ...RELEASES[2].images![0], pin: `docker.io/llenergymeasure/pytorch@${DIGEST_PT}` },
      { ...RELEASES[2].images![1], pin: `docker.io/llenergymeasure/vllm@${DIGEST_VLLM}` },
    ],
  });
  expect(renderManifest(RELEASES, FACTS)).toEqual(manifest);
});

test("formatSize", () => {
  const cases: [number, string][] = [[0, "0 B"], [1023, "1023 B"], [1024, "1.0 KiB"], [1536, "1.5 KiB"], [5 * 1024 ** 3, "5.0 GiB"]];
  for (const [bytes, text] of cases) assert.equal(formatSize(bytes), text);
});
