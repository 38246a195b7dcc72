import { test, expect } from "@jest/globals";
import { deprecatingCommits } from "../../src/analyze/commits.js";

test("deprecatingCommits finds every DEPRECATED: note, in any case, and no prose that merely says deprecated", async () => {
  const commits = [
    { hash: "a".repeat(40), message: "refactor(config): rename model_name\n\nDEPRECATED: `model_name` → use `model`" },
    { hash: "b".repeat(40), message: "fix: drop the deprecated flag parsing" },
    { hash: "c".repeat(40), message: "feat: x\n\nDeprecated APIs are listed below" },
    { hash: "d".repeat(40), message: "feat: y\n\ndeprecated: the old CLI" },
    { hash: "e".repeat(40), message: "chore: nothing to see" },
    { hash: "f".repeat(40), message: "" },
  ];
  expect(await deprecatingCommits(commits)).toEqual(["aaaaaaa", "ddddddd"]);
  expect(await deprecatingCommits([commits[4]])).toEqual([]);
});
