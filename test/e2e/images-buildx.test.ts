import { afterAll, beforeAll, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Context } from "../../src/context.js";
import { createRunner, releasePlans } from "../../src/images/release.js";
import { readImagesOptions } from "../../src/images/options.js";
import { optionsOrThrow } from "../../src/release/options.js";
import { publish, verifyConditions, verifyRelease } from "../../src/plugins/images.js";
import { createDockerStandin, recordedMetadata, type DockerStandin } from "../support/docker-standin.js";
import { EXAMPLE_DIR } from "../support/repo.js";

let docker: DockerStandin;
beforeAll(() => void (docker = createDockerStandin()));
afterAll(() => docker.cleanup());

const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
const TARGETS = ["pytorch-cuda11", "pytorch-cuda12", "vllm-cuda11", "vllm-cuda12", "tensorrt-cuda11", "tensorrt-cuda12"];
const RECORDED = Object.fromEntries(TARGETS.map((t) => [t, recordedMetadata(sha(`manifest ${t}`), sha(`config ${t}`))]));

const pluginConfig = {
  images: {
    repository: "docker.io/llenergymeasure",
    matrix: { backend: ["pytorch", "vllm", "tensorrt"], cuda: ["cuda11", "cuda12"] },
    buildArgs: { CUDA: "{cuda}" },
    latest: { cuda: "cuda12" },
  },
};

function context(version = "2.0.0", env: Record<string, string | undefined> = {}, logs: string[] = []): Context {
  const log = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  return {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, PATH: `${docker.bin}:${process.env.PATH}`, DOCKERHUB_USERNAME: undefined, DOCKERHUB_TOKEN: undefined, ...env },
    logger: { log, warn: log, error: log, success: log },
    options: { dryRun: false, repositoryUrl: "https://github.com/o/r.git" },
    branch: { name: "main", type: "release", main: true },
    nextRelease: { version, gitTag: `v${version}`, gitHead: "deadbeef", channel: null },
  };
}

const imagetoolsCalls = () => docker.calls().filter((c) => c.argv[1] === "imagetools");
const bakeCalls = () => docker.calls().filter((c) => c.argv[1] === "bake");

test("all targets pushed: one bake, then one imagetools create per entry with every tag", async () => {
  docker.setScenario({ recorded: RECORDED });
  const result = await publish(pluginConfig, context("2.0.0", { BUILDX_BUILDER: "remote-builder" }));
  assert.ok(result);
  const bakes = bakeCalls();
  assert.equal(bakes.length, 1);
  expect(bakes[0].argv.slice(0, 2)).toEqual(["buildx", "bake"]);
  assert.equal(bakes[0].argv[bakes[0].argv.indexOf("-f") + 1].endsWith("docker-bake.json"), true);
  assert.ok(bakes[0].argv.includes("--metadata-file"));
  assert.equal(bakes[0].env.BUILDX_BUILDER, "remote-builder");

  const tagged = imagetoolsCalls().map((c) => c.argv);
  assert.equal(tagged.length, 6);
  // Tagging runs concurrently: find the call by its image, not by its place.
  const pytorch12 = tagged.find((argv) => argv.at(-1) === `docker.io/llenergymeasure/pytorch@${sha("manifest pytorch-cuda12")}`);
  expect(pytorch12).toEqual([
    "buildx", "imagetools", "create",
    "-t", "docker.io/llenergymeasure/pytorch:2.0.0-cuda12",
    "-t", "docker.io/llenergymeasure/pytorch:2.0.0",
    "-t", "docker.io/llenergymeasure/pytorch:latest",
    `docker.io/llenergymeasure/pytorch@${sha("manifest pytorch-cuda12")}`,
  ]);
  const vllm11 = result.images.find((i) => i.entry.backend === "vllm" && i.entry.cuda === "cuda11")!;
  expect(vllm11).toEqual({ entry: { backend: "vllm", cuda: "cuda11" }, ref: "docker.io/llenergymeasure/vllm", tags: ["2.0.0-cuda11"], digest: sha("manifest vllm-cuda11") });
});

test("a failing target: no imagetools create at all, EIMAGEBUILD names the entry", async () => {
  docker.setScenario({ recorded: RECORDED, failures: { "vllm-cuda12": { message: 'failed to solve: process "/bin/sh -c pip install vllm" did not complete successfully: exit code: 1' } } });
  await assert.rejects(publish(pluginConfig, context()), (error: any) => {
    assert.equal(error.code, "EIMAGEBUILD");
    assert.match(error.message, /backend=vllm,cuda=cuda12/);
    assert.match(error.details, /pip install vllm/);
    return true;
  });
  assert.equal(bakeCalls().length, 1, "a build error is not retried");
  expect(imagetoolsCalls()).toEqual([]);
});

test("a transient registry error: bake again for the missing targets only, then tag", async () => {
  docker.setScenario({ recorded: RECORDED, failures: { "tensorrt-cuda11": { message: "failed to push: unexpected status from PUT request: 503 Service Unavailable", times: 1 } } });
  const options = optionsOrThrow(readImagesOptions, pluginConfig)!;
  const plans = releasePlans(options, "2.0.0-rc.1", { type: "prerelease", main: false });
  const ctx = context();
  const runner = createRunner(options, { cwd: ctx.cwd, env: ctx.env, logger: ctx.logger }, { attempts: 3, delayMs: 1 });
  const pushed = await runner.push(plans, {});
  await runner.tag(pushed);
  const bakes = bakeCalls();
  assert.equal(bakes.length, 2);
  assert.equal(bakes[1].argv.at(-1), "tensorrt-cuda11");
  assert.ok(!bakes[1].argv.includes("pytorch-cuda11"));
  assert.equal(imagetoolsCalls().length, 6);
  assert.ok(imagetoolsCalls().every((c) => !c.argv.some((a) => a.endsWith(":latest"))), "a prerelease moves no latest");
});

test("a registry that keeps failing: EIMAGEPUSH after the last try, no tag moved", async () => {
  docker.setScenario({ recorded: RECORDED, failures: { "pytorch-cuda11": { message: "failed to push: toomanyrequests: rate limit" } } });
  const options = optionsOrThrow(readImagesOptions, pluginConfig)!;
  const ctx = context();
  const runner = createRunner(options, { cwd: ctx.cwd, env: ctx.env, logger: ctx.logger }, { attempts: 3, delayMs: 1 });
  await assert.rejects(runner.push(releasePlans(options, "2.0.0", ctx.branch), {}), (error: any) => {
    assert.equal(error.code, "EIMAGEPUSH");
    assert.match(error.message, /docker\.io\/llenergymeasure\/pytorch failed after 3 attempt/);
    return true;
  });
  assert.equal(bakeCalls().length, 3);
  expect(imagetoolsCalls()).toEqual([]);
});

test("Docker Hub login through stdin only, just before the push; ENOBUILDER without buildx; a dry run names what it would probe", async () => {
  docker.setScenario({ recorded: RECORDED });
  const password = "dckr_pat_not-a-real-token-123";
  const logs: string[] = [];
  await publish(pluginConfig, context("2.0.0", { DOCKERHUB_USERNAME: "releasebot", DOCKERHUB_TOKEN: password }, logs));
  const calls = docker.calls();
  const login = calls.find((c) => c.argv[0] === "login")!;
  expect(login.argv).toEqual(["login", "--username", "releasebot", "--password-stdin", "docker.io"]);
  assert.equal(login.stdin, password);
  assert.ok(calls.indexOf(login) < calls.findIndex((c) => c.argv[1] === "bake"), "logged in before bake pushes");
  assert.ok(!logs.join("\n").includes(password));

  docker.setScenario({ recorded: RECORDED, noBuildx: true });
  await assert.rejects(verifyConditions(pluginConfig, context()), (error: any) => error.code === "ENOBUILDER");
  const dryLogs: string[] = [];
  const dry = context("2.0.0", {}, dryLogs);
  dry.options.dryRun = true;
  await verifyRelease(pluginConfig, dry);
  assert.match(dryLogs.join("\n"), /a real run first checks that it may push to docker\.io\/llenergymeasure\/pytorch, docker\.io\/llenergymeasure\/vllm, docker\.io\/llenergymeasure\/tensorrt/);
});

test("the bake file bake received: every entry pushed by digest, with the release's OCI labels", async () => {
  docker.setScenario({ recorded: RECORDED });
  await publish(pluginConfig, context("2.0.0", { SOURCE_DATE_EPOCH: "1767225600" }));
  const bake = docker.lastBake();
  expect(bake.group.default.targets).toEqual(TARGETS);
  expect(bake.target["tensorrt-cuda11"]).toEqual({
    context: ".",
    dockerfile: "docker/Dockerfile.tensorrt",
    args: { CUDA: "cuda11" },
    labels: {
      "org.opencontainers.image.version": "2.0.0",
      "org.opencontainers.image.revision": "deadbeef",
      "org.opencontainers.image.created": "2026-01-01T00:00:00.000Z",
      "org.opencontainers.image.source": "https://github.com/o/r",
    },
    platforms: ["linux/amd64"],
    output: ["type=image,name=docker.io/llenergymeasure/tensorrt,push-by-digest=true,name-canonical=true,push=true"],
    // BuildKit's provenance and SBOM attestations, on by default (provenance.buildxAttest).
    attest: ["type=provenance,mode=max", "type=sbom"],
  });
  const argv = bakeCalls()[0].argv;
  assert.throws(() => readFileSync(argv[argv.indexOf("-f") + 1]), /ENOENT/, "the temp bake file is removed afterwards");
});

test("dry run: every reference that would be pushed and tagged is printed, nothing runs", async () => {
  docker.setScenario({ recorded: RECORDED });
  const logs: string[] = [];
  const dry = context("2.0.0", {}, logs);
  dry.options.dryRun = true;
  await verifyRelease(pluginConfig, dry);
  const text = logs.join("\n");
  assert.match(text, /would push 6 image\(s\)/);
  for (const target of TARGETS) {
    const [backend, cuda] = target.split("-");
    assert.ok(text.includes(`docker.io/llenergymeasure/${backend}:2.0.0-${cuda}`), target);
  }
  assert.ok(text.includes("docker.io/llenergymeasure/vllm:latest"));
  expect(bakeCalls()).toEqual([]);
});

test("base image, build stage and two platforms: bake pushes the base first, hands it on by digest, and the index's platform digests are read back", async () => {
  const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const cwd = mkdtempSync(join(tmpdir(), "pyrelease-buildx-base-"));
  try {
    mkdirSync(join(cwd, "docker"));
    for (const name of ["base", "pytorch", "vllm"]) writeFileSync(join(cwd, "docker", `Dockerfile.${name}`), "FROM scratch\n");
    const platformDigest = (target: string, arch: string) => sha(`manifest ${target} ${arch}`);
    const index = (target: string) => ({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: platformDigest(target, "amd64"), size: 500, platform: { os: "linux", architecture: "amd64" } },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: platformDigest(target, "arm64"), size: 500, platform: { os: "linux", architecture: "arm64" } },
        // buildx's provenance attestation: not a platform
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha(`attestation ${target}`), size: 800, platform: { os: "unknown", architecture: "unknown" } },
      ],
    });
    const targets = ["base", "pytorch", "vllm"];
    docker.setScenario({
      recorded: Object.fromEntries(targets.map((t) => [t, recordedMetadata(sha(`index ${t}`), sha(`config ${t}`))])),
      indexes: Object.fromEntries(targets.map((t) => [sha(`index ${t}`), index(t)])),
    });
    const images = {
      repository: "ghcr.io/o/r",
      matrix: { backend: ["pytorch", "vllm"] },
      tags: ["v{version}"],
      latest: {},
      latestTags: ["latest"],
      target: "runtime",
      platforms: ["linux/amd64", "linux/arm64"],
      base: { dockerfile: "docker/Dockerfile.base" },
    };
    const ctx = context("2.0.0", { GITHUB_TOKEN: "ghs_not-a-real-token-0123456789", GITHUB_ACTOR: "octocat" });
    ctx.cwd = cwd;
    const result = await publish({ images }, ctx);
    assert.ok(result);

    const [baseBake, entriesBake] = docker.bakes();
    expect(baseBake.group.default.targets).toEqual(["base"]);
    expect(baseBake.target.base.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    assert.equal(baseBake.target.base.contexts, undefined);
    expect(entriesBake.group.default.targets).toEqual(["pytorch", "vllm"]);
    const baseRef = `ghcr.io/o/r/base@${sha("index base")}`;
    for (const target of ["pytorch", "vllm"]) {
      expect(entriesBake.target[target].contexts).toEqual({ base: `docker-image://${baseRef}` });
      assert.equal(entriesBake.target[target].args.BASE_IMAGE, baseRef);
      assert.equal(entriesBake.target[target].target, "runtime");
    }

    // ghcr.io: logged in with the job's token as GITHUB_ACTOR, on stdin, before anything is pushed.
    const calls = docker.calls();
    const login = calls.find((c) => c.argv[0] === "login")!;
    expect(login.argv).toEqual(["login", "--username", "octocat", "--password-stdin", "ghcr.io"]);
    assert.equal(login.stdin, "ghs_not-a-real-token-0123456789");
    assert.ok(calls.indexOf(login) < calls.findIndex((c) => c.argv[1] === "bake"));

    expect(result.images.map((i) => [i.ref, i.digest, i.tags, i.platforms])).toEqual(
      ["pytorch", "vllm"].map((t) => [
        `ghcr.io/o/r/${t}`,
        sha(`index ${t}`),
        ["v2.0.0", "latest"],
        [
          { platform: "linux/amd64", digest: platformDigest(t, "amd64") },
          { platform: "linux/arm64", digest: platformDigest(t, "arm64") },
        ],
      ]),
    );
    // The base is pushed by digest, never tagged.
    const tagged = imagetoolsCalls().filter((c) => c.argv[2] === "create").map((c) => c.argv.at(-1));
    expect(tagged.sort()).toEqual([`ghcr.io/o/r/pytorch@${sha("index pytorch")}`, `ghcr.io/o/r/vllm@${sha("index vllm")}`]);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
