import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maskInActions, writeGitHubOutput } from "../../src/ci.js";
import { onCleanup } from "../support/cleanup.js";

test("::add-mask:: only in GitHub Actions, and only for a value", () => {
  const cases: [Record<string, string>, string, string[]][] = [
    [{ GITHUB_ACTIONS: "true" }, "s3cret-token", ["::add-mask::s3cret-token\n"]],
    [{ GITHUB_ACTIONS: "true" }, "", []],
    [{}, "s3cret-token", []],
    [{ GITLAB_CI: "true" }, "s3cret-token", []],
  ];
  for (const [env, value, expected] of cases) {
    const written: string[] = [];
    maskInActions(value, env, (line) => written.push(line));
    expect(written).toEqual(expected);
  }
});

test("$GITHUB_OUTPUT gets name=value lines, one line each; nothing without the variable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ci-output-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "output");
  await writeGitHubOutput({ GITHUB_OUTPUT: file }, { version: "2.0.0", "images-matrix": '{"include":[]}', notes: "two\nlines" });
  await writeGitHubOutput({ GITHUB_OUTPUT: file }, { tag: "v2.0.0" });
  assert.equal(readFileSync(file, "utf8"), 'version=2.0.0\nimages-matrix={"include":[]}\nnotes=two lines\ntag=v2.0.0\n');
  await writeGitHubOutput({}, { tag: "v2.0.0" });
});
