import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { githubProxy } from "../../src/github/client.js";
import { githubClientFor } from "../../src/release/github.js";

const REPO = "https://github.com/o/r.git";

test("githubClientFor: without a token a real run is ENOGHTOKEN and a dry run has no client", () => {
  assert.throws(() => githubClientFor({}, { env: {}, options: { repositoryUrl: REPO } }), (e: any) => e.code === "ENOGHTOKEN");
  assert.throws(() => githubClientFor({}, { env: { GITHUB_TOKEN: "" }, options: { repositoryUrl: REPO, dryRun: false } }), (e: any) => e.code === "ENOGHTOKEN");
  assert.equal(githubClientFor({}, { env: {}, options: { repositoryUrl: REPO, dryRun: true } }), null);
});

test("githubClientFor: a repositoryUrl that names no GitHub repository is EINVALIDCONFIG", () => {
  for (const repositoryUrl of [undefined, "", "/srv/git/project"]) {
    assert.throws(() => githubClientFor({}, { env: { GITHUB_TOKEN: "t" }, options: { repositoryUrl } }), (e: any) => e.code === "EINVALIDCONFIG" && /repositoryUrl/.test(e.details), String(repositoryUrl));
  }
});

test("githubClientFor: owner, repository and API URL resolved as @semantic-release/github resolves them", () => {
  const client = githubClientFor({ githubUrl: "https://ghe.example.com", githubApiPathPrefix: "/api/v3" }, { env: { GH_TOKEN: "a", GITHUB_TOKEN: "b" }, options: { repositoryUrl: "git@ghe.example.com:team/tool.git" } })!;
  expect([client.owner, client.repo, client.apiUrl]).toEqual(["team", "tool", "https://ghe.example.com/api/v3"]);
  assert.equal(githubClientFor({}, { env: { GITHUB_TOKEN: "b" }, options: { repositoryUrl: REPO } })!.apiUrl, "https://api.github.com");
});

test("githubProxy: the proxy option first, then http_proxy / HTTP_PROXY, as @semantic-release/github", () => {
  const cases: [Record<string, unknown>, Record<string, string>, string | false][] = [
    [{}, {}, false],
    [{}, { HTTP_PROXY: "http://proxy:3128" }, "http://proxy:3128"],
    [{}, { http_proxy: "http://lower:1", HTTP_PROXY: "http://upper:2" }, "http://lower:1"],
    [{ proxy: "http://configured:8080" }, { HTTP_PROXY: "http://env:1" }, "http://configured:8080"],
    [{ proxy: false }, { HTTP_PROXY: "http://env:1" }, false],
    [{ proxy: { host: "proxy.local", port: 3128 } }, {}, "http://proxy.local:3128"],
  ];
  for (const [config, env, expected] of cases) assert.equal(githubProxy(config, env), expected, JSON.stringify({ config, env }));
});
