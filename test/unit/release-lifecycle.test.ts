import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import config from "../../index.js";
import { contentTypeOf, digestSha256, parseChecksums, planAssetUploads, renderChecksums, type LocalFile } from "../../src/github/assets.js";
import type { GitHubAsset } from "../../src/github/client.js";
import { parseLog } from "../../src/release/context.js";
import { isReleaseFile } from "../../src/release/dists.js";
import { joinNotes, loadPlugins, releasesOf } from "../../src/release/lifecycle.js";
import { optionsOrThrow } from "../../src/release/options.js";
import { RELEASE_PLUGINS, RESUMED_STEPS, STEPS, pluginPath } from "../../src/release/plugins.js";
import { DEFAULT_TAG_FORMAT } from "../../src/version/tag.js";
import { manifestPath } from "../../src/release/record.js";
import { triggeringTag } from "../../src/release/trigger.js";
import { resumeSummary, untaggedSummary } from "../../src/resume/fail.js";
import { resumeConfig } from "../../src/resume/resume.js";
import { readPypiOptions } from "../../src/pypi/options.js";

const A = "a".repeat(64);
const B = "b".repeat(64);
const file = (name: string, sha256: string, size = 10): LocalFile => ({ name, sha256, size, path: `/d/${name}` });
const asset = (name: string, fields: Partial<GitHubAsset> = {}): GitHubAsset => ({ id: 1, name, state: "uploaded", content_type: "application/zip", size: 10, digest: `sha256:${A}`, browser_download_url: "", ...fields });

test("the shareable config's plugins and tag format come from the lifecycle table", () => {
  expect(config.plugins).toEqual(RELEASE_PLUGINS.map(pluginPath));
  expect(config.plugins).toEqual(["analyze", "notes", "pyproject", "artifacts", "pypi", "images"].map((name) => `semantic-release-config-pyproject/${name}`));
  assert.ok(config.plugins.indexOf("semantic-release-config-pyproject/artifacts") < config.plugins.indexOf("semantic-release-config-pyproject/pypi"), "the draft keeps the dists before PyPI gets them");
  assert.equal(config.tagFormat, DEFAULT_TAG_FORMAT);
  expect(RELEASE_PLUGINS.filter((p) => p.buildsKeptFiles).map((p) => p.name)).toEqual(["pypi"]);
  expect(RESUMED_STEPS.filter((step) => !STEPS.includes(step))).toEqual([]);
  assert.ok(!RESUMED_STEPS.includes("analyzeCommits") && !RESUMED_STEPS.includes("addChannel"));
});

test("every plugin of the table loads by its export path, as semantic-release loads it: the very module of src/plugins", async () => {
  const loaded = await loadPlugins();
  expect(loaded.map((plugin) => plugin.name)).toEqual(RELEASE_PLUGINS.map((plugin) => plugin.name));
  for (const plugin of loaded) {
    const direct = await import(`../../src/plugins/${plugin.name}.js`);
    const steps = STEPS.filter((step) => typeof plugin.module[step] === "function");
    assert.ok(steps.length > 0, `${plugin.name} exports no step`);
    for (const step of steps) assert.equal(plugin.module[step], direct[step], `${plugin.name}.${step}`);
  }
});

test("planAssetUploads: upload what is missing, keep same bytes, refuse other bytes, replace a starter", () => {
  const plan = planAssetUploads(
    [file("new.whl", A), file("same.whl", A), file("other.tar.gz", B), file("starter.whl", A), file("nodigest.whl", A), file("othersize.whl", A, 11)],
    [asset("same.whl"), asset("other.tar.gz"), asset("starter.whl", { state: "starter", digest: null, size: 0 }), asset("nodigest.whl", { digest: null }), asset("othersize.whl", { digest: null })],
  );
  expect(plan.upload.map((f) => f.name)).toEqual(["new.whl", "starter.whl"]);
  expect(plan.kept.map((f) => f.name)).toEqual(["same.whl"]);
  expect(plan.clashes.map((c) => [c.file.name, c.draftSha256])).toEqual([["other.tar.gz", A], ["othersize.whl", "(10 bytes)"]]);
  expect(plan.unknown.map((u) => u.file.name)).toEqual(["nodigest.whl"]);
  expect(plan.stale.map((a) => a.name)).toEqual(["starter.whl"]);
});

test("SHA256SUMS: sorted sha256sum lines, read back in text and binary mode", () => {
  const text = renderChecksums([file("b.whl", B), file("a.tar.gz", A)]);
  assert.equal(text, `${A}  a.tar.gz\n${B}  b.whl\n`);
  expect([...parseChecksums(`${text}${A.toUpperCase()} *c.zip\r\nnot a line\n`)]).toEqual([["a.tar.gz", A], ["b.whl", B], ["c.zip", A]]);
  assert.equal(digestSha256(`sha256:${A.toUpperCase()}`), A);
  assert.equal(digestSha256(null), undefined);
  assert.equal(digestSha256("md5:abc"), undefined);
  expect(["x.whl", "x.tar.gz", "x.tar.gz.publish.attestation", "SHA256SUMS", "release-manifest.json", "x.bin"].map(contentTypeOf)).toEqual([
    "application/zip",
    "application/gzip",
    "application/json",
    "text/plain",
    "application/json",
    "application/octet-stream",
  ]);
});

test("isReleaseFile: the release's dists and their attestations, nothing else", () => {
  const cases: [string, boolean][] = [
    ["energy_probe-1.1.0.tar.gz", true],
    ["energy_probe-1.1.0-py3-none-any.whl", true],
    ["energy_probe-1.1.0-py3-none-any.whl.publish.attestation", true],
    ["energy_probe-1.1.0.tar.gz.publish.attestation", true],
    ["energy_probe-1.0.0.tar.gz", false],
    ["other_project-1.1.0.tar.gz", false],
    ["release-manifest.json", false],
    ["SHA256SUMS", false],
    ["energy_probe-1.0.0.tar.gz.publish.attestation", false],
  ];
  for (const [name, expected] of cases) assert.equal(isReleaseFile(name, "energy-probe", "1.1.0"), expected, name);
});

test("lifecycle helpers: publish results as semantic-release hands them on, notes joined", () => {
  const plugin = RELEASE_PLUGINS.find((p) => p.name === "pypi")!;
  expect(releasesOf([{ plugin, result: { name: "PyPI", url: "u" } }, { plugin, result: false }, { plugin, result: undefined }])).toEqual([{ name: "PyPI", url: "u", pluginName: "semantic-release-config-pyproject/pypi" }]);
  assert.equal(joinNotes([{ result: "## A\n" }, { result: "" }, { result: undefined }, { result: "B" }]), "## A\n\nB");
  expect(parseLog(`abc1234567\x1ffeat: x\n\nbody\x1e\ndef7654321\x1ffix: y\x1e`).map((c) => [c.hash, c.subject, c.message])).toEqual([
    ["abc1234567", "feat: x", "feat: x\n\nbody"],
    ["def7654321", "fix: y", "fix: y"],
  ]);
});

test("optionsOrThrow: the options, or EINVALIDCONFIG with every problem", () => {
  assert.equal(optionsOrThrow(readPypiOptions, {}).distDir, "dist");
  assert.throws(() => optionsOrThrow(readPypiOptions, { pypi: { distDir: "", publish: "yes" } }), (e: any) => e.code === "EINVALIDCONFIG" && /pypi\.distDir/.test(e.message) && /pypi\.publish/.test(e.message));
});

test("the manifest goes beside the dists unless artifacts.manifest says otherwise; resume keeps both in the user's folder", () => {
  assert.equal(manifestPath({}, "/repo"), "/repo/dist/release-manifest.json");
  assert.equal(manifestPath({ pypi: { distDir: "/tmp/out" } }, "/repo"), "/tmp/out/release-manifest.json");
  assert.equal(manifestPath({ artifacts: { manifest: "records/m.json" } }, "/repo"), "/repo/records/m.json");
  assert.equal(manifestPath({ artifacts: { manifest: false } }, "/repo"), null);

  const resumed = resumeConfig({ pypi: { python: "py" }, artifacts: { manifest: "m.json" } }, "/repo");
  expect([resumed.pypi, resumed.artifacts]).toEqual([{ python: "py", distDir: "/repo/dist" }, { manifest: "/repo/m.json" }]);
  assert.equal(manifestPath(resumeConfig({}, "/repo"), "/tmp/worktree"), "/repo/dist/release-manifest.json");
  // A wrong option is left for verifyConditions to report.
  expect(resumeConfig({ pypi: { distDir: 3 } }, "/repo").pypi).toEqual({ distDir: 3 });
});

test("the triggering tag: GitHub Actions' tag refs and GitLab's CI_COMMIT_TAG", () => {
  assert.equal(triggeringTag({ GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v2.0.0" }), "v2.0.0");
  assert.equal(triggeringTag({ GITHUB_REF_TYPE: "branch", GITHUB_REF_NAME: "main" }), undefined);
  assert.equal(triggeringTag({ CI_COMMIT_TAG: "v1.0.0rc1" }), "v1.0.0rc1");
});

test("job summaries of a failed release: after the tag the resume command, before it a rerun; codes listed once", () => {
  const errors = [Object.assign(new Error("Uploading x failed after 2 attempt(s)."), { code: "EUPLOAD" }), Object.assign(new Error("Uploading x failed after 2 attempt(s)."), { code: "EUPLOAD" })];
  const after = resumeSummary("v2.0.0", errors);
  assert.match(after, /^## Release v2\.0\.0 stopped halfway\n/);
  assert.match(after, /```sh\nnpx pyrelease resume --tag v2\.0\.0\n```/);
  assert.equal(after.match(/- `EUPLOAD` Uploading x failed/g)?.length, 1);
  const before = untaggedSummary(undefined, errors);
  assert.match(before, /^## Release failed before anything was tagged\n/);
  assert.doesNotMatch(before, /resume/);
});
