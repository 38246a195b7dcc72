import { test, expect } from "@jest/globals";
import { deprecatingCommits, referencedNumbers } from "../../src/analyze/commits.js";

const commit = (n: number, message: string) => ({ hash: String(n).repeat(40), message });

test("the commits with a DEPRECATED: note, as the notes parse them", async () => {
  const commits = [
    commit(1, "feat: new api"),
    commit(2, "feat: old name\n\nDEPRECATED: `model_name` is replaced by `model`"),
    commit(3, "fix: thing\n\nBREAKING CHANGE: removed x"),
    commit(4, "refactor: quiet\n\ndeprecated: lower case counts too"),
    commit(5, ""),
  ];
  expect(await deprecatingCommits(commits)).toEqual(["2222222", "4444444"]);
  expect(await deprecatingCommits([])).toEqual([]);
});

test("issue and pull request numbers the commits reference, first seen first, this repository only", async () => {
  const commits = [
    commit(1, "feat: zeus backend (#42)"),
    commit(2, "fix: crash\n\nCloses #12, fixes #42"),
    commit(3, "fix: upstream\n\nRefs other/repo#7"),
    commit(4, "chore: nothing referenced"),
  ];
  expect(await referencedNumbers(commits)).toEqual([42, 12]);
});
