import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { githubApiUrl, githubToken, parseGitHubRepo } from "../../src/github/client.js";

test("parseGitHubRepo reads owner and repository from every URL form git accepts", () => {
  const cases: [string, { owner: string; repo: string } | null][] = [
    ["https://github.com/llenergymeasure/llenergymeasure.git", { owner: "llenergymeasure", repo: "llenergymeasure" }],
    ["https://github.com/o/r", { owner: "o", repo: "r" }],
    ["https://github.com/o/r/", { owner: "o", repo: "r" }],
    ["git+https://github.com/o/r.git", { owner: "o", repo: "r" }],
    ["https://x-access-token:secret@github.com/o/r.git", { owner: "o", repo: "r" }],
    ["git@github.com:o/r.git", { owner: "o", repo: "r" }],
    ["ssh://git@github.com/o/r.git", { owner: "o", repo: "r" }],
    ["git@github.example.com:team/my.repo.git", { owner: "team", repo: "my.repo" }],
    ["https://github.example.com:8443/team/repo.git", { owner: "team", repo: "repo" }],
    ["https://github.com/o", null],
    ["https://gitlab.com/group/sub/repo.git", null],
    ["not a url", null],
    ["", null],
  ];
  for (const [url, expected] of cases) expect(parseGitHubRepo(url)).toEqual(expected);
});

test("githubToken uses GH_TOKEN first, like @semantic-release/github, so both act as the same identity", () => {
  assert.equal(githubToken({ GITHUB_TOKEN: "a", GH_TOKEN: "b" }), "b");
  assert.equal(githubToken({ GITHUB_TOKEN: "a" }), "a");
  assert.equal(githubToken({ GH_TOKEN: "", GITHUB_TOKEN: "" }), undefined);
});

test("githubApiUrl resolves like @semantic-release/github", () => {
  const cases: [Record<string, string>, Record<string, string>, string][] = [
    [{}, {}, "https://api.github.com"],
    [{}, { GITHUB_API_URL: "https://ghe.example.com/api/v3" }, "https://ghe.example.com/api/v3"],
    [{ githubApiUrl: "http://127.0.0.1:9" }, { GITHUB_API_URL: "https://x" }, "http://127.0.0.1:9"],
    [{}, { GITHUB_URL: "https://ghe.example.com/", GITHUB_PREFIX: "/api/v3" }, "https://ghe.example.com/api/v3"],
  ];
  for (const [config, env, expected] of cases) assert.equal(githubApiUrl(config, env), expected, JSON.stringify({ config, env }));
});
