import assert from "node:assert/strict";
import { describe, test, expect } from "@jest/globals";
import { checkDistSet, distMismatch, parseDistFilename, plannedDistNames, type DistFile } from "../../src/pypi/dists.js";
import { backoffMs } from "../../src/retry.js";
import { compareWithIndex, releaseJsonUrl } from "../../src/pypi/index-api.js";
import { tidyOutput } from "../../src/pypi/log.js";
import { credentialRoute, gitlabVariable } from "../../src/pypi/oidc.js";
import { isLoopbackHost, projectPageUrl, readPypiOptions } from "../../src/pypi/options.js";
import { newestMetadataFor, unreadableByTwine } from "../../src/pypi/tools.js";
import { readCheckOutput } from "../../src/pypi/twine.js";

describe("pypi options", () => {
  test("defaults", () => {
    const { options, problems } = readPypiOptions({});
    expect(problems).toEqual([]);
    assert.equal(options.repositoryUrl, "https://upload.pypi.org/legacy/");
    assert.equal(options.indexUrl, "https://pypi.org/");
    assert.equal(options.python, "python3");
    assert.equal(options.distDir, "dist");
    assert.equal(options.publish, true);
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ["https upload endpoint", { repositoryUrl: "https://test.pypi.org/legacy/" }, []],
    ["http on loopback", { repositoryUrl: "http://127.0.0.1:8080/legacy/", indexUrl: "http://localhost:8080" }, []],
    ["http elsewhere", { repositoryUrl: "http://pypi.example.com/legacy/" }, ["pypi.repositoryUrl"]],
    ["http index elsewhere", { indexUrl: "http://10.0.0.1/" }, ["pypi.indexUrl"]],
    ["credentials in the URL", { repositoryUrl: "https://user:pw@upload.pypi.org/legacy/" }, ["pypi.repositoryUrl"]],
    ["not a URL", { indexUrl: "pypi.org" }, ["pypi.indexUrl"]],
    ["buildArgs not strings", { buildArgs: [1] }, ["pypi.buildArgs"]],
    ["buildArgs choosing the output folder", { buildArgs: ["--outdir", "x"] }, ["pypi.buildArgs"]],
    ["buildArgs -oX", { buildArgs: ["-ox"] }, ["pypi.buildArgs"]],
    ["publish not boolean", { publish: "no" }, ["pypi.publish"]],
    ["unknown key", { repository: "x" }, ["pypi.repository"]],
    ["retry attempts 0", { retry: { attempts: 0 } }, ["pypi.retry.attempts"]],
    ["retry unknown", { retry: { tries: 3 } }, ["pypi.retry.tries"]],
    ["empty python", { python: "" }, ["pypi.python"]],
  ];
  for (const [name, pypi, keys] of cases) {
    test(name, () => expect(readPypiOptions({ pypi }).problems.map((p) => p.key)).toEqual(keys));
  }

  test("indexUrl gains a trailing slash; project page and JSON URLs hang off it", () => {
    const { options } = readPypiOptions({ pypi: { indexUrl: "https://test.pypi.org" } });
    assert.equal(options.indexUrl, "https://test.pypi.org/");
    assert.equal(projectPageUrl(options.indexUrl, "llenergymeasure-demo", "2.0.0rc1"), "https://test.pypi.org/project/llenergymeasure-demo/2.0.0rc1/");
    assert.equal(releaseJsonUrl(options.indexUrl, "llenergymeasure-demo", "2.0.0"), "https://test.pypi.org/pypi/llenergymeasure-demo/2.0.0/json");
  });

  test("loopback hosts", () => {
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "[::1]", "::1"]) assert.ok(isLoopbackHost(host), host);
    for (const host of ["10.0.0.1", "127.0.0.1.nip.io", "pypi.org"]) assert.ok(!isLoopbackHost(host), host);
  });
});

describe("distribution file names", () => {
  const cases: [string, ReturnType<typeof parseDistFilename>][] = [
    ["llenergymeasure_demo-2.0.0-py3-none-any.whl", { kind: "bdist_wheel", name: "llenergymeasure_demo", version: "2.0.0" }],
    ["llenergymeasure_demo-2.0.0rc1-1-cp311-cp311-manylinux_2_17_x86_64.whl", { kind: "bdist_wheel", name: "llenergymeasure_demo", version: "2.0.0rc1" }],
    ["llenergymeasure_demo-2.0.0.tar.gz", { kind: "sdist", name: "llenergymeasure_demo", version: "2.0.0" }],
    ["llenergymeasure-demo-2.0.0.dev3.tar.gz", { kind: "sdist", name: "llenergymeasure-demo", version: "2.0.0.dev3" }],
    ["README.md", null],
    ["broken-1.0.whl", null],
  ];
  for (const [filename, expected] of cases) test(filename, () => expect(parseDistFilename(filename)).toEqual(expected));

  test("name and version are compared normalized", () => {
    assert.equal(distMismatch("LLEnergyMeasure.Demo-2.0.0rc1.tar.gz", "llenergymeasure-demo", "2.0.0rc1"), undefined);
    assert.equal(distMismatch("llenergymeasure_demo-2.0.0.rc1-py3-none-any.whl", "llenergymeasure-demo", "2.0.0rc1"), undefined);
    assert.match(distMismatch("llenergymeasure_demo-2.0.1.dev3+g1234-py3-none-any.whl", "llenergymeasure-demo", "2.0.0")!, /version 2\.0\.1\.dev3\+g1234, expected 2\.0\.0/);
    assert.match(distMismatch("other-2.0.0.tar.gz", "llenergymeasure-demo", "2.0.0")!, /project name other/);
  });

  test("a set needs an sdist and a wheel of this release", () => {
    expect(checkDistSet(["a-1.0.tar.gz", "a-1.0-py3-none-any.whl"], "a", "1.0")).toEqual([]);
    expect(checkDistSet(["a-1.0.tar.gz"], "a", "1.0").map((p) => p.filename)).toEqual(["(wheel)"]);
    expect(checkDistSet(["a-1.0.tar.gz", "a-1.1-py3-none-any.whl"], "a", "1.0").map((p) => p.filename)).toEqual(["a-1.1-py3-none-any.whl"]);
  });

  test("planned names use the normalized project name", () => {
    expect(plannedDistNames("LLEnergyMeasure.Demo", "2.0.0b1")).toEqual(["llenergymeasure_demo-2.0.0b1.tar.gz", "llenergymeasure_demo-2.0.0b1-*.whl"]);
  });
});

describe("index comparison", () => {
  const file = (filename: string, sha256: string): DistFile => ({ path: `/d/${filename}`, filename, sha256, size: 1 });
  test("identical files are skipped, missing ones uploaded, same name with other bytes clashes", () => {
    const published = new Map([
      ["a-1.0.tar.gz", { filename: "a-1.0.tar.gz", sha256: "aaa" }],
      ["a-1.0-py3-none-any.whl", { filename: "a-1.0-py3-none-any.whl", sha256: "old" }],
    ]);
    const result = compareWithIndex([file("a-1.0.tar.gz", "aaa"), file("a-1.0-py3-none-any.whl", "new"), file("a-1.0-cp311-cp311-linux_x86_64.whl", "c")], published);
    expect(result.identical.map((f) => f.filename)).toEqual(["a-1.0.tar.gz"]);
    expect(result.missing.map((f) => f.filename)).toEqual(["a-1.0-cp311-cp311-linux_x86_64.whl"]);
    expect(result.clashes).toEqual([{ filename: "a-1.0-py3-none-any.whl", built: "new", published: "old" }]);
  });
});

describe("credential routes", () => {
  const cases: [string, Record<string, string>, string | undefined][] = [
    ["GitHub needs both variables", { ACTIONS_ID_TOKEN_REQUEST_URL: "u", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t" }, "github-oidc"],
    ["half of GitHub's pair is nothing", { ACTIONS_ID_TOKEN_REQUEST_URL: "u" }, undefined],
    ["GitLab", { PYPI_ID_TOKEN: "j" }, "gitlab-oidc"],
    ["GitLab TestPyPI", { TESTPYPI_ID_TOKEN: "j" }, "gitlab-oidc"],
    ["API token fallback", { PYPI_TOKEN: "pypi-x" }, "api-token"],
    ["OIDC beats a stored token", { PYPI_TOKEN: "pypi-x", PYPI_ID_TOKEN: "j" }, "gitlab-oidc"],
    ["nothing", {}, undefined],
  ];
  for (const [name, env, kind] of cases) test(name, () => assert.equal(credentialRoute(env)?.kind, kind));
  test("GitLab variable per audience", () => {
    assert.equal(gitlabVariable("testpypi", ["PYPI_ID_TOKEN", "TESTPYPI_ID_TOKEN"]), "TESTPYPI_ID_TOKEN");
    assert.equal(gitlabVariable("pypi", ["PYPI_ID_TOKEN", "TESTPYPI_ID_TOKEN"]), "PYPI_ID_TOKEN");
    assert.equal(gitlabVariable("pypi", ["TESTPYPI_ID_TOKEN"]), "TESTPYPI_ID_TOKEN");
  });
});

describe("tools", () => {
  test("Metadata-Version twine can read", () => {
    assert.equal(newestMetadataFor("4.0.2"), "2.2");
    assert.equal(newestMetadataFor("6.0.1"), "2.2");
    assert.equal(newestMetadataFor("6.1.0"), "2.4");
    expect(unreadableByTwine("4.0.2", { "a.whl": "2.1", "a.tar.gz": "2.2" })).toEqual([]);
    expect(unreadableByTwine("5.1.1", { "a.whl": "2.4", "a.tar.gz": "2.2" })).toEqual(["a.whl"]);
    expect(unreadableByTwine("6.2.0", { "a.whl": "2.4" })).toEqual([]);
  });
  test("twine check output: every file must have PASSED", () => {
    const ok = "Checking dist/a-1.0-py3-none-any.whl: PASSED\nChecking dist/a-1.0.tar.gz: PASSED";
    assert.equal(readCheckOutput(ok, 0, ["a-1.0-py3-none-any.whl", "a-1.0.tar.gz"]).ok, true);
    expect(readCheckOutput("Checking dist/a-1.0.tar.gz: FAILED\n  `long_description` has syntax errors", 1, ["a-1.0.tar.gz"]).failed).toEqual(["a-1.0.tar.gz"]);
    assert.equal(readCheckOutput("Checking dist/a-1.0.tar.gz: PASSED with warnings", 0, ["a-1.0.tar.gz"]).ok, false);
    assert.equal(readCheckOutput("No files to check", 0, []).ok, false, "twine exits 0 when it checked nothing");
  });
});

describe("output", () => {
  test("tracebacks shrink to the exception that ended them; rich's padding goes", () => {
    const text = [
      "Uploading x.whl   ",
      "Traceback (most recent call last):",
      '  File "a.py", line 1, in <module>',
      "http.client.RemoteDisconnected: Remote end closed connection without response",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "b.py", line 2, in send',
      "requests.exceptions.ConnectionError: ('Connection aborted.')",
    ].join("\n");
    assert.equal(tidyOutput(text), "Uploading x.whl\n(traceback) requests.exceptions.ConnectionError: ('Connection aborted.')");
  });
  test("backoff doubles", () => expect([2, 3, 4].map((n) => backoffMs(n, 100))).toEqual([100, 200, 400]));
});
