import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { errorTexts, getError, isSemanticReleaseError, throwAll, type ErrorCode, type FactsOf } from "../../src/errors.js";
import { PACKAGE_ROOT } from "../support/paths.js";

/** One sample of every code's facts: the compiler asks for a new code's sample here. */
const SAMPLES: { [C in ErrorCode]: FactsOf<C> } = {
  EINVALIDPYPROJECT: { path: "pyproject.toml", reason: "line 3, column 1: expected a key" },
  ENOPYPROJECTVERSION: { path: "pyproject.toml" },
  EDYNAMICVERSION: { path: "pyproject.toml", source: "hatch-vcs", scmTool: "hatch-vcs", lines: [{ line: 4, text: 'dynamic = ["version"]', change: "remove it" }], name: "demo" },
  EINVALIDPEP440: { path: "pyproject.toml", version: "2.0.0-rc.1" },
  EHARDCODEDVERSION: { findings: [{ file: "src/demo/__init__.py", line: 1, text: '__version__ = "1.0.0"' }], name: "demo" },
  EPRERELEASEID: { identifiers: ["next"] },
  EVERSIONMISMATCH: { path: "pyproject.toml", pyprojectVersion: "1.0.0", semver: "1.1.0", pep440: "1.1.0", releaseType: "minor" },
  ETAGMISMATCH: { tag: "v2.0.0", tagVersion: "2.0.0", pyprojectVersion: "1.9.0", path: "pyproject.toml", commit: "0123456789abcdef" },
  ENOPYTHONTOOLS: { python: "python3", missing: ["build"] },
  ETWINEMETADATA: { twineVersion: "4.0.2", metadataVersion: "2.4", files: ["demo-1.0.0.tar.gz"], reads: ["2.1", "2.2"] },
  ENOPYPIAUTH: undefined,
  EOIDCEXCHANGE: { step: "mint-token", status: 422, errors: [{ code: "invalid-publisher", description: "no publisher" }] },
  EDISTVERSION: { expected: "1.0.0", name: "demo", files: [{ filename: "demo-1.0.1.tar.gz", reason: "version 1.0.1" }] },
  ETWINECHECK: { output: "README does not render", files: ["demo-1.0.0.tar.gz"] },
  EFILEEXISTS: { files: [{ filename: "demo-1.0.0.tar.gz", published: "a".repeat(64), built: "b".repeat(64) }], index: "https://pypi.org/" },
  EUPLOAD: { file: "demo-1.0.0.tar.gz", status: 503, reason: "Service Unavailable", attempts: 4 },
  ENOBUILDER: { builder: "buildx", command: "docker buildx version", hint: "docker is not installed" },
  ENODOCKERFILE: { missing: [{ entry: "pytorch-cuda12", dockerfile: "docker/Dockerfile.pytorch" }] },
  EIMAGEPUSH: { refs: ["docker.io/o/pytorch"], reason: "503", attempts: 3 },
  EINVALIDIMAGEREF: { refs: [{ ref: "docker.io/O/x:1", entry: "x", reason: "upper case" }] },
  ENODRAFTRELEASE: { tag: "v1.0.0" },
  EINVALIDCONFIG: { problems: [{ key: "pypi.retry.attempts", reason: "must be an integer >= 1" }] },
  EGITHUBAPI: { action: "update release 1", status: 500, reason: "Internal" },
  ENOGHTOKEN: undefined,
  ERELEASEDRAFT: { tag: "v1.0.0" },
  EBUILD: { command: "python -m build", output: "error", exitCode: 1, builder: "build", python: "python3", isolated: true, requires: ["hatchling"] },
  EIMAGEBUILD: { entries: ["pytorch-cuda12"], output: "failed to solve" },
  EIMAGEDIGESTS: { missing: ["backend=vllm"], dir: "digests", version: "1.0.0" },
  EMILESTONECHECK: { type: "minor", version: "1.1.0", milestone: "v1.1.0", reason: "403" },
  ENORELEASETAG: { tag: "v9.9.9", reason: "not in this repository nor on origin" },
  EGATEFAILED: { version: "1.1.0", sha: "0123456789abcdef", failed: [{ name: "gpu-tests", detail: "failure", url: "https://ci/1" }] },
  EGATETIMEOUT: { version: "1.1.0", sha: "0123456789abcdef", pending: [{ name: "gpu-tests", state: "missing" }], waited: "30m" },
  EGATECHECK: { version: "1.1.0", reason: "403" },
  EREGISTRYAUTH: { refusals: [{ repository: "docker.io/o/x", reason: "denied", source: "DOCKERHUB_TOKEN" }], beforeTag: true },
  EREGISTRYUNREACHABLE: { registries: ["registry.example"], reason: "ECONNREFUSED", attempts: 3 },
  EDISTMISSING: { dists: ["sdist", "wheel"], missing: ["wheel"], unwanted: [], built: ["dist/demo-1.0.0.tar.gz"], command: "python -m build" },
  EDISTNAME: { files: [{ filename: "Demo-1.0.0.tar.gz", reason: "is not normalized" }] },
  EWHEELPLATFORM: { files: [{ filename: "demo-1.0.0-cp312-cp312-linux_x86_64.whl", tags: ["linux_x86_64"] }], backend: "maturin" },
  EDISTSIZE: { files: [{ filename: "demo-1.0.0.tar.gz", size: 200 * 1048576 }], limitMB: 100 },
  EDISTMETADATA: { files: [{ filename: "demo-1.0.0.tar.gz", problems: ["Summary is too long"] }] },
  ESDISTCONTENT: { filename: "demo-1.0.0.tar.gz", groups: [{ path: "node_modules/", files: 3, bytes: 4096, reason: "node_modules", ignored: true }], files: 3, bytes: 4096, backend: "hatchling.build", projectPath: "/tmp/x" },
  ESTRAYVERSION: { strays: [{ file: "VERSION", line: 1, found: "0.8.0" }], expected: "2.0.0" },
  ESTALELOCK: { file: "uv.lock", name: "demo", recorded: "1.0.0", expected: "1.1.0", folder: "." },
  EDIRTYTREE: { files: [{ path: "pyproject.toml", status: " M" }], more: 0 },
  EDRAFTASSET: { tag: "v1.0.0", url: "https://github.com/o/r/releases/tag/v1.0.0", expected: "the built files", files: [{ name: "demo-1.0.0.tar.gz", draft: "a", expected: "b" }] },
  EGITHUBPERMISSION: { owner: "o", repo: "r" },
  EPROVENANCE: { problem: "fulcio", url: "https://fulcio.example", subject: "demo-1.0.0.tar.gz", reason: "503", attempts: 3 },
};

function make<C extends ErrorCode>(code: C): ReturnType<typeof getError> {
  return (getError as (code: C, facts?: FactsOf<C>) => ReturnType<typeof getError>)(code, SAMPLES[code]);
}

test("every code: a one-line message from its facts, details that end with the README link, listed in the README", () => {
  const readme = readFileSync(join(PACKAGE_ROOT, "README.md"), "utf8");
  const listed = new Set([...readme.slice(readme.indexOf("## Error codes")).matchAll(/^\| `(E[A-Z0-9]+)` \|/gm)].map((m) => m[1]));
  for (const code of Object.keys(errorTexts) as ErrorCode[]) {
    const error = make(code);
    assert.ok(isSemanticReleaseError(error), code);
    assert.equal(error.code, code);
    assert.doesNotMatch(error.message, /\n/, `${code}: one line`);
    assert.doesNotMatch(`${error.message}\n${error.details}`, /undefined|\[object Object\]/, `${code}: every fact it names was given`);
    assert.match(error.details ?? "", new RegExp(`\\[${code} in the README\\]\\(https://`), code);
    assert.equal(error.stack, `SemanticReleaseError: ${error.message}`, `${code}: no call stack for a user's mistake`);
    assert.ok(listed.has(code), `${code} is missing from README.md's error-code list`);
  }
});

test("throwAll: nothing, one error as itself, several as one AggregateError", () => {
  throwAll([]);
  const one = getError("ENOGHTOKEN");
  assert.throws(() => throwAll([one]), (error: unknown) => error === one);
  const two = [one, getError("ENODRAFTRELEASE", { tag: "v1.0.0" })];
  assert.throws(() => throwAll(two), (error: unknown) => error instanceof AggregateError && error.errors.length === 2);
  expect([isSemanticReleaseError(new Error("x")), isSemanticReleaseError(null), isSemanticReleaseError(one)]).toEqual([false, false, true]);
});

test("getError's facts are checked by the compiler (each line below must fail to compile)", () => {
  const refused = [
    // @ts-expect-error a fact is missing
    () => getError("ETAGMISMATCH", { tag: "v1.0.0", tagVersion: "1.0.0", path: "pyproject.toml" }),
    // @ts-expect-error a fact of the wrong type
    () => getError("EUPLOAD", { file: "x", attempts: "3" }),
    // @ts-expect-error a fact the text does not use
    () => getError("ENODRAFTRELEASE", { tag: "v1.0.0", version: "1.0.0" }),
    // @ts-expect-error facts for a code whose text needs none
    () => getError("ENOGHTOKEN", { tag: "v1.0.0" }),
    // @ts-expect-error no facts for a code that needs them
    () => getError("EINVALIDCONFIG"),
    // @ts-expect-error not a code
    () => getError("ENOSUCHCODE", {}),
  ];
  assert.equal(refused.length, 6);
});
