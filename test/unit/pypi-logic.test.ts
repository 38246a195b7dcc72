import assert from "node:assert/strict";
import { describe, test, expect } from "@jest/globals";
import { checkDistSet, distMismatch, isPlannedDist, parseDistFilename, plannedDistNames, type DistFile } from "../../src/pypi/dists.js";
import { backoffMs } from "../../src/http.js";
import { isLoopbackHost } from "../../src/config/fields.js";
import { compareWithIndex, releaseJsonUrl } from "../../src/pypi/index-api.js";
import { tidyOutput } from "../../src/pypi/log.js";
import { credentialRoute, gitlabVariable } from "../../src/pypi/oidc.js";
import { projectPageUrl, readPypiOptions } from "../../src/pypi/options.js";
import { resolveBuilder, unreadableByTwine, type PythonTools } from "../../src/pypi/tools.js";
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
    expect(options.dists).toEqual(["sdist", "wheel"]);
    assert.equal(options.builder, undefined, "unset: chosen from what the interpreter has");
    assert.equal(options.uploadLimitMB, 100);
  });

  test("dists are kept in canonical order", () => {
    expect(readPypiOptions({ pypi: { dists: ["wheel", "sdist"] } }).options.dists).toEqual(["sdist", "wheel"]);
    expect(readPypiOptions({ pypi: { dists: ["sdist"] } }).options.dists).toEqual(["sdist"]);
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
    ["buildArgs uv's --out-dir", { buildArgs: ["--out-dir=x"] }, ["pypi.buildArgs"]],
    ["buildArgs --sdist (that is pypi.dists)", { buildArgs: ["--sdist"] }, ["pypi.buildArgs"]],
    ["buildArgs -w", { buildArgs: ["-w"] }, ["pypi.buildArgs"]],
    ["buildArgs clustered -nw", { buildArgs: ["-nw"] }, ["pypi.buildArgs"]],
    ["buildArgs uv's --python", { buildArgs: ["--python", "3.12"] }, ["pypi.buildArgs"]],
    ["buildArgs two owned flags", { buildArgs: ["--sdist", "--outdir=x"] }, ["pypi.buildArgs", "pypi.buildArgs"]],
    ["buildArgs that are fine", { buildArgs: ["-n", "-x", "-nx", "--no-isolation", "--no-build-isolation", "-Csetup-args=-Dfoo=bar", "--config-setting=--build-option=--swig"] }, []],
    ["builder uv", { builder: "uv" }, []],
    ["builder unknown", { builder: "pip" }, ["pypi.builder"]],
    ["dists sdist only", { dists: ["sdist"] }, []],
    ["dists wheel only", { dists: ["wheel"] }, []],
    ["dists empty", { dists: [] }, ["pypi.dists"]],
    ["dists unknown kind", { dists: ["egg"] }, ["pypi.dists"]],
    ["dists twice the same", { dists: ["sdist", "sdist"] }, ["pypi.dists"]],
    ["dists a string", { dists: "sdist" }, ["pypi.dists"]],
    ["uploadLimitMB raised", { uploadLimitMB: 250 }, []],
    ["uploadLimitMB zero", { uploadLimitMB: 0 }, ["pypi.uploadLimitMB"]],
    ["uploadLimitMB a string", { uploadLimitMB: "100" }, ["pypi.uploadLimitMB"]],
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

  test("a set holds exactly the kinds pypi.dists asks for, of this release", () => {
    expect(checkDistSet(["a-1.0.tar.gz", "a-1.0-py3-none-any.whl"], "a", "1.0")).toEqual({ foreign: [], missing: [], unwanted: [] });
    expect(checkDistSet(["a-1.0.tar.gz"], "a", "1.0").missing).toEqual(["wheel"]);
    expect(checkDistSet(["a-1.0.tar.gz"], "a", "1.0", ["sdist"])).toEqual({ foreign: [], missing: [], unwanted: [] });
    expect(checkDistSet(["a-1.0-py3-none-any.whl"], "a", "1.0", ["wheel"])).toEqual({ foreign: [], missing: [], unwanted: [] });
    expect(checkDistSet([], "a", "1.0").missing).toEqual(["sdist", "wheel"]);
    const wrongVersion = checkDistSet(["a-1.0.tar.gz", "a-1.1-py3-none-any.whl"], "a", "1.0");
    expect(wrongVersion.foreign.map((p) => p.filename)).toEqual(["a-1.1-py3-none-any.whl"]);
    expect(wrongVersion.missing).toEqual([]); // the wheel was built, with the wrong version: EDISTVERSION alone
    expect(checkDistSet(["a-1.0.tar.gz", "a-1.0-py3-none-any.whl"], "a", "1.0", ["sdist"]).unwanted.map((p) => p.filename)).toEqual(["a-1.0-py3-none-any.whl"]);
    expect(checkDistSet(["a-1.0.tar.gz", "a-1.0.zip"], "a", "1.0", ["sdist"]).unwanted.map((p) => p.reason)).toEqual(["a second sdist besides a-1.0.tar.gz: PyPI takes one per release"]);
    expect(checkDistSet(["a-1.0-cp311-cp311-linux_x86_64.whl", "a-1.0-cp312-cp312-linux_x86_64.whl"], "a", "1.0", ["wheel"])).toEqual({ foreign: [], missing: [], unwanted: [] });
  });

  test("planned names are PyPI's exact names, per pypi.dists", () => {
    expect(plannedDistNames("LLEnergyMeasure.Demo", "2.0.0b1")).toEqual(["llenergymeasure_demo-2.0.0b1.tar.gz", "llenergymeasure_demo-2.0.0b1-*.whl"]);
    expect(plannedDistNames("MarkupSafe", "3.1.0", ["sdist"])).toEqual(["markupsafe-3.1.0.tar.gz"]);
    expect(plannedDistNames("MarkupSafe", "3.1.0", ["wheel"])).toEqual(["markupsafe-3.1.0-*.whl"]);
    expect(plannedDistNames("demo", "2.0.0.RC1", ["sdist"])).toEqual(["demo-2.0.0rc1.tar.gz"]);
  });

  test("isPlannedDist matches what plannedDistNames describes", () => {
    const cases: [string, boolean][] = [
      ["markupsafe-3.1.0.tar.gz", true],
      ["MarkupSafe-3.1.0.tar.gz", false],
      ["markupsafe-3.1.0-cp311-cp311-manylinux_2_17_x86_64.whl", true],
      ["markupsafe-3.1.0-1-cp311-cp311-manylinux_2_17_x86_64.whl", true],
      ["markupsafe-3.1.01-py3-none-any.whl", false],
      ["markupsafe-3.1.0.tar.gz.publish.attestation", false],
    ];
    for (const [filename, planned] of cases) assert.equal(isPlannedDist(filename, "MarkupSafe", "3.1.0"), planned, filename);
    assert.equal(isPlannedDist("markupsafe-3.1.0-py3-none-any.whl", "MarkupSafe", "3.1.0", ["sdist"]), false);
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
  test("files whose Metadata-Version twine said it cannot read", () => {
    const twine4 = { "2.1": true, "2.2": true, "2.4": false, "2.5": false };
    expect(unreadableByTwine(twine4, { "a.whl": "2.1", "a.tar.gz": "2.2" })).toEqual([]);
    expect(unreadableByTwine(twine4, { "a.whl": "2.4", "a.tar.gz": "2.2" })).toEqual(["a.whl"]);
    expect(unreadableByTwine({ "2.4": true }, { "a.whl": "2.4" })).toEqual([]);
    expect(unreadableByTwine({}, { "a.whl": "2.4" })).toEqual([]); // twine could not be asked: no verdict
  });
  test("the builder: build when the interpreter has it, else uv when found; twine always", () => {
    const tools = (t: Partial<PythonTools>): PythonTools => ({ python: "py", ...t });
    const uv = { version: "0.13.9", command: ["uv"] };
    const cases: [string, Parameters<typeof resolveBuilder>[0], PythonTools, ReturnType<typeof resolveBuilder>][] = [
      ["unset, both there", undefined, tools({ buildVersion: "1.6.1", twineVersion: "7.0.0", uv }), { builder: "build", missing: [] }],
      ["unset, only uv", undefined, tools({ twineVersion: "7.0.0", uv }), { builder: "uv", missing: [] }],
      ["unset, neither", undefined, tools({ twineVersion: "7.0.0" }), { builder: "build", missing: ["py -m build (or uv)"] }],
      ["uv asked, absent", "uv", tools({ buildVersion: "1.6.1", twineVersion: "7.0.0" }), { builder: "uv", missing: ["uv (py -m uv, or uv on PATH)"] }],
      ["build asked, absent", "build", tools({ twineVersion: "7.0.0", uv }), { builder: "build", missing: ["py -m build"] }],
      ["no twine", undefined, tools({ buildVersion: "1.6.1" }), { builder: "build", missing: ["py -m twine"] }],
    ];
    for (const [name, option, found, expected] of cases) expect([name, resolveBuilder(option, found)]).toEqual([name, expected]);
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
