import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { splitCodeSpans, subjectMarkdown } from "../../src/notes/markdown.js";
import { renderNotes } from "../../src/notes/render.js";

const LINKS = { host: "https://github.com", owner: "o", repository: "r" };

test("subjects are escaped where markdown would interpret them; the author's code spans are kept", () => {
  const cases: [string, string][] = [
    ["read __version__ from metadata", "read \\_\\_version\\_\\_ from metadata"],
    ["rename model_name to model", "rename model_name to model"],
    ["drop `__version__` from `__init__.py`", "drop `__version__` from `__init__.py`"],
    ["support *.safetensors and **kwargs", "support \\*.safetensors and \\*\\*kwargs"],
    ["accept <model> as a placeholder", "accept \\<model> as a placeholder"],
    ["[WIP] sampling", "\\[WIP\\] sampling"],
    ["see [docs](https://x.example)", "see \\[docs\\](https://x.example)"],
    ["torch ~=2.1 and ~~old~~", "torch \\~=2.1 and \\~\\~old\\~\\~"],
    ["escape C:\\path", "escape C:\\\\path"],
    ["show &amp; as text, keep & alone", "show \\&amp; as text, keep & alone"],
    ["# of GPUs in the report", "\\# of GPUs in the report"],
    ["#42 crash on start", "[#42](https://github.com/o/r/issues/42) crash on start"],
    ["- leading dash", "\\- leading dash"],
    ["1. numbered", "1\\. numbered"],
    ["> quoted", "\\> quoted"],
    ["2024 results", "2024 results"],
    ["a lone ` backtick and _private", "a lone ` backtick and \\_private"],
    ["``code with ` inside`` and `x`", "``code with ` inside`` and `x`"],
    ["fix #42 in `#43` and _x_", "fix [#42](https://github.com/o/r/issues/42) in `#43` and \\_x\\_"],
    ["naïve_café and snake_case_2", "naïve_café and snake_case_2"],
  ];
  for (const [subject, expected] of cases) assert.equal(subjectMarkdown(subject, LINKS).text, expected, subject);
  expect(subjectMarkdown("fix #42 and #7", LINKS).issues).toEqual(["42", "7"]);
});

test("code spans as CommonMark pairs backtick runs", () => {
  expect(splitCodeSpans("a `b` c")).toEqual([{ text: "a ", code: false }, { text: "`b`", code: true }, { text: " c", code: false }]);
  expect(splitCodeSpans("``a`b`` `")).toEqual([{ text: "``a`b``", code: true }, { text: " `", code: false }]);
  expect(splitCodeSpans("`` a ` b")).toEqual([{ text: "`` a ` b", code: false }]);
  expect(splitCodeSpans("")).toEqual([]);
});

test("the notes escape subjects, also when a `!` subject is the breaking note; footers stay markdown", () => {
  const entry = (hash: string, subject: string, extra: object = {}) => ({ kind: "entry" as const, hash, subject, breaking: [], deprecated: [], references: [], ...extra });
  const notes = renderNotes({
    tag: "v2.1.0",
    version: "2.1.0",
    date: "2026-02-25",
    links: {},
    deprecationWindow: 1,
    commits: [
      entry("a".repeat(40), "read __version__ from metadata", { section: "fixed" }),
      entry("b".repeat(40), "drop __init__ exports", { breaking: ["drop __init__ exports"] }),
      entry("c".repeat(40), "rename", { section: "changed", deprecated: ["`model_name` → use **`model`**"] }),
    ],
  });
  assert.match(notes, /- read \\_\\_version\\_\\_ from metadata \(`aaaaaaa`\)/);
  assert.match(notes, /### ⚠ Breaking changes\n\n- drop \\_\\_init\\_\\_ exports \(`bbbbbbb`\)/);
  assert.match(notes, /- `model_name` → use \*\*`model`\*\* \(`ccccccc`\)/);
});
