import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { commitLink, issueLink, linkIssuesInText, shortHash } from "../../src/notes/links.js";

const LINKS = { host: "https://github.com/", owner: "o", repository: "r" };
const HASH = "0123456789abcdef0123456789abcdef01234567";

test("commit links: the short hash, linked to the full one when the repository is known", () => {
  assert.equal(shortHash(HASH), "0123456");
  assert.equal(commitLink(HASH, LINKS), `[\`0123456\`](https://github.com/o/r/commit/${HASH})`);
  assert.equal(commitLink(HASH, {}), "`0123456`");
  assert.equal(commitLink("", LINKS), "");
});

test("issue links: this repository's, another repository's, or plain text", () => {
  const cases: [Parameters<typeof issueLink>[0], typeof LINKS | object, string][] = [
    [{ prefix: "#", issue: "12" }, LINKS, "[#12](https://github.com/o/r/issues/12)"],
    [{ prefix: "#", issue: "7", repository: "other" }, LINKS, "[other#7](https://github.com/o/other/issues/7)"],
    [{ prefix: "#", issue: "7", owner: "x", repository: "y" }, LINKS, "[x/y#7](https://github.com/x/y/issues/7)"],
    [{ prefix: "#", issue: "12" }, {}, "#12"],
  ];
  for (const [reference, links, expected] of cases) assert.equal(issueLink(reference, links), expected);
});

test("#N in a subject becomes a link; code and existing links are left alone", () => {
  const cases: [string, string, string[]][] = [
    ["fix crash (#42)", "fix crash ([#42](https://github.com/o/r/issues/42))", ["42"]],
    ["#7 first", "[#7](https://github.com/o/r/issues/7) first", ["7"]],
    ["keep `#3` and [#4](https://x) and a#5", "keep `#3` and [#4](https://x) and a#5", []],
    ["o/r#9 stays", "o/r#9 stays", []],
  ];
  for (const [text, linked, issues] of cases) expect(linkIssuesInText(text, LINKS)).toEqual({ text: linked, issues });
});
