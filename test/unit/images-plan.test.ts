import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { entryId, entryLabel, expandMatrix, parseSelector } from "../../src/images/matrix.js";
import { readImagesOptions, type ImagesOptions } from "../../src/images/options.js";
import { planImages } from "../../src/images/plan.js";
import { checkName, checkReference, checkTag } from "../../src/images/reference.js";
import { entryTags, latestAllowed } from "../../src/images/tags.js";
import { renderTemplate } from "../../src/config/template.js";
import { versionVars } from "../../src/version/placeholders.js";
import { shipsImages } from "../../src/images/since.js";

const MATRIX = { backend: ["pytorch", "vllm", "tensorrt"], cuda: ["cuda11", "cuda12"] };

function options(images: Record<string, unknown>): ImagesOptions {
  const { options: read, problems } = readImagesOptions({ images: { repository: "docker.io/llenergymeasure", matrix: MATRIX, ...images } });
  expect(problems).toEqual([]);
  return read!;
}

test("options: absent images means no images; defaults fill the rest", () => {
  expect(readImagesOptions({})).toEqual({ problems: [] });
  const read = options({});
  assert.equal(read.name, "{backend}");
  assert.equal(read.dockerfile, "docker/Dockerfile.{backend}");
  assert.equal(read.context, ".");
  expect(read.tags).toEqual(["{pep440}-{cuda}"]);
  assert.equal(read.builder, "buildx");
  assert.equal(read.tlsVerify, true);
  expect(readImagesOptions({ images: { repository: "r.io/x", matrix: { backend: ["a"] } } }).options?.tags).toEqual(["{pep440}"]);
});

test("options: every problem is reported at once", () => {
  const { options: read, problems } = readImagesOptions({
    images: {
      matrix: { backend: [], "bad axis": ["x"], version: ["a"], cuda: ["cuda12", "cuda12", "Has Space"] },
      builder: "docker",
      tlsVerify: "no",
      tags: [],
      latest: { cuda: "cuda13", gpu: "a100" },
      since: "two",
      concurrency: 0,
      colour: "blue",
    },
  });
  assert.equal(read, undefined);
  const keys = problems.map((p) => p.key);
  for (const key of [
    "images.repository", "images.matrix.backend", "images.matrix.bad axis", "images.matrix.version", "images.matrix.cuda",
    "images.builder", "images.tlsVerify", "images.tags", "images.latest.cuda", "images.latest.gpu", "images.since",
    "images.concurrency", "images.colour",
  ]) {
    assert.ok(keys.includes(key), `${key} missing from ${keys.join(", ")}`);
  }
  expect(readImagesOptions({ images: "docker.io/x" }).problems).toEqual([{ key: "images", reason: "must be an object" }]);
});

test("matrix: every combination, first axis slowest, with stable names", () => {
  const entries = expandMatrix(MATRIX);
  assert.equal(entries.length, 6);
  expect(entries.map(entryId)).toEqual(["pytorch-cuda11", "pytorch-cuda12", "vllm-cuda11", "vllm-cuda12", "tensorrt-cuda11", "tensorrt-cuda12"]);
  assert.equal(entryLabel(entries[3]), "backend=vllm,cuda=cuda12");
  expect(expandMatrix({ backend: ["a"] })).toEqual([{ backend: "a" }]);
});

test("--only selectors", () => {
  const cases: [string, unknown][] = [
    ["backend=vllm,cuda=cuda12", { ok: true, selector: { backend: "vllm", cuda: "cuda12" } }],
    [" backend=vllm ", { ok: true, selector: { backend: "vllm" } }],
    ["backend", { ok: false, reason: '"backend" is not axis=value' }],
    ["backend=a,backend=b", { ok: false, reason: 'axis "backend" is given twice' }],
    ["", { ok: false, reason: "no axis=value given" }],
  ];
  for (const [text, expected] of cases) expect(parseSelector(text)).toEqual(expected);
});

test("templates: version placeholders and axes; unknown ones are errors, not blanks", () => {
  const vars = { ...versionVars("2.1.0-rc.3")!, backend: "vllm", cuda: "cuda12" };
  const cases: [string, unknown][] = [
    ["{pep440}-{cuda}", { ok: true, value: "2.1.0rc3-cuda12" }],
    ["{version}", { ok: true, value: "2.1.0-rc.3" }],
    ["{major}.{minor}.{patch}", { ok: true, value: "2.1.0" }],
    ["docker/Dockerfile.{backend}", { ok: true, value: "docker/Dockerfile.vllm" }],
    ["{gpu}-{cuda}-{gpu}", { ok: false, unknown: ["{gpu}"] }],
    ["{}", { ok: false, unknown: ["{}"] }],
    ["plain", { ok: true, value: "plain" }],
  ];
  for (const [template, expected] of cases) expect(renderTemplate(template, vars)).toEqual(expected);
  assert.equal(versionVars("2.0.0-nightly.1"), undefined);
  assert.equal(renderTemplate("{constructor}", vars).ok, false);
});

test("reference grammar (distribution/reference)", () => {
  const valid = [
    "docker.io/llenergymeasure/pytorch",
    "llenergymeasure/pytorch:2.0.0-cuda12",
    "ubuntu",
    "localhost/a",
    "localhost:5000/a/b:tag",
    "127.0.0.1:40123/ns/vllm:2.0.0rc1-cuda12",
    "ghcr.io/o/r/sub_path/a__b/c-d/e.f",
    "Registry.Example.COM/ns/x",
    "[::1]:5000/ns/x",
    "docker.io/x/y@sha256:" + "a".repeat(64),
  ];
  for (const ref of valid) assert.equal(checkReference(ref), undefined, ref);
  const invalid: [string, RegExp][] = [
    ["docker.io/LLEnergy/pytorch", /lower-case/],
    ["docker.io/ns/-x", /not a name component/],
    ["docker.io/ns/x_", /not a name component/],
    ["docker.io/ns/a___b", /not a name component/],
    ["docker.io//x", /not a name component/],
    ["docker.io/ns/x:-tag", /tag/],
    ["docker.io/ns/x:" + "t".repeat(129), /128/],
    ["docker.io/ns/x:2.0.0+local", /tag/],
    ["-bad.io:port/x", /registry host/],
    ["docker.io/x@sha256:nothex", /digest/],
    ["x/".repeat(130) + "x", /255/],
  ];
  for (const [ref, reason] of invalid) assert.match(checkReference(ref) ?? "valid", reason, ref);
  expect(checkName("llenergymeasure/pytorch")).toEqual({ ok: true, domain: "docker.io", path: "llenergymeasure/pytorch" });
  expect(checkName("localhost:5000/a")).toEqual({ ok: true, domain: "localhost:5000", path: "a" });
  assert.equal(checkTag("2.0.0rc1-cuda12"), undefined);
  assert.equal(checkTag("latest"), undefined);
});

test("latest moves only on a stable release of the main release branch", () => {
  const cases: [Parameters<typeof latestAllowed>[0], string, boolean][] = [
    [{ type: "release", main: true }, "2.0.0", true],
    [{ type: "release", main: true }, "2.0.0-rc.1", false],
    [{ type: "prerelease", main: false }, "2.0.0-rc.1", false],
    [{ type: "maintenance", main: false }, "1.4.3", false],
    [{ type: "release", main: false }, "3.0.0", false],
    [undefined, "2.0.0", false],
  ];
  for (const [branch, version, expected] of cases) assert.equal(latestAllowed(branch, version), expected, `${JSON.stringify(branch)} ${version}`);
  const tagCases: [string[], string[], { isLatestEntry: boolean; latest: boolean }, string[]][] = [
    [["2.0.0-cuda12"], ["2.0.0", "latest"], { isLatestEntry: true, latest: true }, ["2.0.0-cuda12", "2.0.0", "latest"]],
    // A prerelease (or maintenance release) adds nothing to a latest entry: latestTags are for stable main releases only.
    [["2.0.0rc1-cuda12"], ["2.0.0rc1", "latest"], { isLatestEntry: true, latest: false }, ["2.0.0rc1-cuda12"]],
    [["2.0.0"], ["2.0.0", "latest"], { isLatestEntry: true, latest: true }, ["2.0.0", "latest"]],
    [["2.0.0-cuda11"], ["2.0.0", "latest"], { isLatestEntry: false, latest: true }, ["2.0.0-cuda11"]],
    [["v2.0.0"], ["latest"], { isLatestEntry: true, latest: true }, ["v2.0.0", "latest"]],
    [["v2.0.0"], [], { isLatestEntry: true, latest: true }, ["v2.0.0"]],
  ];
  for (const [rendered, latestTags, flags, expected] of tagCases) expect(entryTags(rendered, latestTags, flags)).toEqual(expected);
});

test("plan: the full matrix with tags per entry; latest only where the rules allow", () => {
  const read = options({ latest: { cuda: "cuda12" }, buildArgs: { CUDA: "{cuda}", VERSION: "{pep440}" } });
  const stable = planImages(read, { vars: versionVars("2.0.0")!, latest: true });
  expect(stable.errors).toEqual([]);
  assert.equal(stable.plans.length, 6);
  const vllm12 = stable.plans.find((p) => p.id === "vllm-cuda12")!;
  assert.equal(vllm12.repository, "docker.io/llenergymeasure/vllm");
  assert.equal(vllm12.dockerfile, "docker/Dockerfile.vllm");
  expect(vllm12.buildArgs).toEqual({ CUDA: "cuda12", VERSION: "2.0.0" });
  expect(vllm12.tags).toEqual(["2.0.0-cuda12", "2.0.0", "latest"]);
  expect(stable.plans.find((p) => p.id === "vllm-cuda11")!.tags).toEqual(["2.0.0-cuda11"]);

  const rc = planImages(read, { vars: versionVars("2.0.0-rc.1")!, latest: false });
  assert.ok(rc.plans.every((p) => !p.tags.includes("latest")));
  expect(rc.plans.find((p) => p.id === "pytorch-cuda12")!.tags).toEqual(["2.0.0rc1-cuda12"]);
});

test("plan: unknown placeholders, bad references and tag collisions, all at once", () => {
  const read = options({ name: "{Backend}", tags: ["{pep440}", "{gpu}"], dockerfile: "docker/{flavour}" });
  const { errors } = planImages(read, { vars: versionVars("2.0.0")!, latest: true });
  const codes = errors.map((e) => (e as { code?: string }).code);
  expect(codes).toEqual(["EINVALIDCONFIG", "EINVALIDIMAGEREF"]);
  const config = errors[0].message + (errors[0] as { details?: string }).details;
  for (const text of ["images.name", "{Backend}", "images.tags[1]", "{gpu}", "images.dockerfile", "{flavour}"]) assert.ok(config.includes(text), text);

  const bad = planImages(options({ repository: "docker.io/LLEnergy" }), { vars: versionVars("2.0.0")!, latest: true }).errors;
  assert.equal((bad[0] as { code?: string }).code, "EINVALIDIMAGEREF");
  assert.match(bad[0].message, /6 image reference/);

  const collide = planImages(options({ name: "demo", tags: ["{pep440}"] }), { vars: versionVars("2.0.0")!, latest: true }).errors;
  assert.equal((collide[0] as { code?: string }).code, "EINVALIDCONFIG");
  assert.match((collide[0] as { details?: string }).details!, /docker\.io\/llenergymeasure\/demo:2\.0\.0 would be claimed by both backend=pytorch,cuda=cuda11 and backend=pytorch,cuda=cuda12/);
});

test("since: the first version with images, its own release candidates included", () => {
  const cases: [string, string | undefined, boolean][] = [
    ["2.0.0", undefined, true],
    ["1.9.9", "2.0.0", false],
    ["2.0.0", "2.0.0", true],
    ["2.0.0-rc.1", "2.0.0", true],
    ["2.1.0", "2.0.0", true],
    ["10.0.0", "9.0.0", true],
    ["2.0.0-rc.1", "2.0.0-rc.2", false],
    ["2.0.0-rc.10", "2.0.0-rc.2", true],
  ];
  for (const [version, since, expected] of cases) assert.equal(shipsImages(version, since), expected, `${version} since ${since}`);
});

test("scale-out: the GitHub Actions matrix has one job per entry with its --only value", async () => {
  const { githubMatrix, selectPlans } = await import("../../src/images/scaleout.js");
  expect(githubMatrix({ matrix: { backend: ["pytorch", "vllm"], cuda: ["cuda12"] } })).toEqual({
    include: [
      { id: "pytorch-cuda12", only: "backend=pytorch,cuda=cuda12" },
      { id: "vllm-cuda12", only: "backend=vllm,cuda=cuda12" },
    ],
  });
  const read = options({});
  const { plans } = planImages(read, { vars: versionVars("2.0.0")!, latest: false });
  expect(selectPlans(plans, read, "backend=vllm").map((p) => p.id)).toEqual(["vllm-cuda11", "vllm-cuda12"]);
  expect(selectPlans(plans, read, "cuda=cuda12,backend=tensorrt").map((p) => p.id)).toEqual(["tensorrt-cuda12"]);
  assert.throws(() => selectPlans(plans, read, "backend=jax"), (e: any) => e.code === "EINVALIDCONFIG" && /pytorch, vllm, tensorrt/.test(e.details));
  assert.throws(() => selectPlans(plans, read, "gpu=a100"), (e: any) => e.code === "EINVALIDCONFIG" && /not a matrix axis/.test(e.details));
});

test("options: latest {} selects every entry; latestTags, target, platforms, base and retry are read with every problem", () => {
  const read = options({ latest: {}, latestTags: ["latest"], tags: ["v{version}"], target: "runtime-{backend}", platforms: ["linux/amd64", "linux/arm64"], retry: { attempts: 5 } });
  expect(read.latest).toEqual({});
  expect(read.latestTags).toEqual(["latest"]);
  assert.equal(read.target, "runtime-{backend}");
  expect(read.platforms).toEqual(["linux/amd64", "linux/arm64"]);
  expect(read.retry).toEqual({ attempts: 5, delayMs: 5000, requestTimeoutMs: 60000, uploadTimeoutMs: 1800000 });
  const defaults = options({});
  expect(defaults.latestTags).toEqual(["{pep440}", "latest"]);
  expect(defaults.platforms).toEqual(["linux/amd64"]);
  assert.equal(defaults.base, undefined);
  expect(options({ base: { dockerfile: "docker/Dockerfile.base" } }).base).toEqual({ name: "base", dockerfile: "docker/Dockerfile.base", context: ".", target: undefined, buildArgs: {}, arg: "BASE_IMAGE" });

  const { problems } = readImagesOptions({
    images: {
      repository: "r.io/x",
      matrix: MATRIX,
      latestTags: "latest",
      target: 3,
      platforms: ["linux/amd64", "linux", "linux/amd64"],
      base: { name: "base", arg: "BASE IMAGE", colour: 1 },
      retry: { attempts: 0, tries: 2 },
      retries: 3,
    },
  });
  const keys = problems.map((p) => p.key);
  for (const key of ["images.latestTags", "images.target", "images.platforms", "images.base.dockerfile", "images.base.arg", "images.base.colour", "images.retry.attempts", "images.retry.tries", "images.retries"]) {
    assert.ok(keys.includes(key), `${key} missing from ${keys.join(", ")}`);
  }
  assert.match(problems.find((p) => p.key === "images.retries")!.reason, /"retry": \{ "attempts"/);
  assert.match(problems.filter((p) => p.key === "images.platforms").map((p) => p.reason).join(" "), /"linux" is not os\/architecture.*duplicate platforms: linux\/amd64/s);
});

test("plan: llenergymeasure's GHCR layout: v{version} and latest on every image, nothing else added", () => {
  const read = options({ repository: "ghcr.io/o/r", matrix: { backend: ["pytorch", "vllm", "tensorrt"] }, tags: ["v{version}"], latest: {}, latestTags: ["latest"] });
  const stable = planImages(read, { vars: versionVars("2.1.0")!, latest: true });
  expect(stable.errors).toEqual([]);
  expect(stable.plans.map((p) => [p.repository, p.tags])).toEqual([
    ["ghcr.io/o/r/pytorch", ["v2.1.0", "latest"]],
    ["ghcr.io/o/r/vllm", ["v2.1.0", "latest"]],
    ["ghcr.io/o/r/tensorrt", ["v2.1.0", "latest"]],
  ]);
  const rc = planImages(read, { vars: versionVars("2.2.0-rc.1")!, latest: false });
  expect(rc.plans.map((p) => p.tags)).toEqual([["v2.2.0-rc.1"], ["v2.2.0-rc.1"], ["v2.2.0-rc.1"]]);

  // latest {} over two cuda values: both entries of an image would claim :latest.
  const clash = planImages(options({ latest: {} }), { vars: versionVars("2.0.0")!, latest: true }).errors;
  assert.match((clash[0] as { details?: string }).details!, /pytorch:latest would be claimed by both .*select one entry per image name with images\.latest/);
});

test("plan: build stage, platforms and the base image, handed to every entry by digest", async () => {
  const { onBase } = await import("../../src/images/plan.js");
  const read = options({
    target: "runtime",
    platforms: ["linux/amd64", "linux/arm64"],
    base: { dockerfile: "docker/Dockerfile.base", target: "cuda-{major}", buildArgs: { PY: "3.12" } },
  });
  const { plans, base, errors } = planImages(read, { vars: versionVars("2.0.0")!, latest: true });
  expect(errors).toEqual([]);
  assert.equal(plans[0].target, "runtime");
  expect(plans[0].platforms).toEqual(["linux/amd64", "linux/arm64"]);
  expect(base).toEqual({
    id: "base", label: "base", axes: {}, repository: "docker.io/llenergymeasure/base", dockerfile: "docker/Dockerfile.base", context: ".",
    target: "cuda-2", buildArgs: { PY: "3.12" }, platforms: ["linux/amd64", "linux/arm64"], tags: [],
  });
  const ref = `docker.io/llenergymeasure/base@sha256:${"f".repeat(64)}`;
  const built = onBase(plans, { name: "base", arg: "BASE_IMAGE", ref });
  assert.equal(built[0].buildArgs.BASE_IMAGE, ref);
  expect(built[0].base).toEqual({ name: "base", ref });
  assert.equal(plans[0].buildArgs.BASE_IMAGE, undefined, "the plans themselves are not changed");

  const axisInBase = planImages(options({ base: { dockerfile: "docker/Dockerfile.{backend}" } }), { vars: versionVars("2.0.0")!, latest: true }).errors;
  assert.match((axisInBase[0] as { details?: string }).details!, /images\.base\.dockerfile.*\{backend\}/);
  const sameName = planImages(options({ name: "{backend}", base: { name: "pytorch", dockerfile: "d" } }), { vars: versionVars("2.0.0")!, latest: true }).errors;
  assert.match((sameName[0] as { details?: string }).details!, /images\.base\.name/);
});
