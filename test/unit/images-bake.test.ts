import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { bakeArgv, bakeFile, dockerfileInContext, imagetoolsArgv, parseBakeMetadata } from "../../src/images/bake.js";
import { authFileEntry } from "../../src/images/credentials.js";
import { ociLabels, publicUrl } from "../../src/images/labels.js";
import { readImagesOptions } from "../../src/images/options.js";
import { planImages } from "../../src/images/plan.js";
import { podmanBuildArgv, podmanLayoutPushArgv, podmanLoginArgv } from "../../src/images/podman.js";
import { registryEndpoint } from "../../src/images/registry.js";
import { isTransient } from "../../src/http.js";
import { versionVars } from "../../src/version/placeholders.js";

const { options } = readImagesOptions({
  images: {
    repository: "docker.io/llenergymeasure",
    matrix: { backend: ["pytorch", "vllm"], cuda: ["cuda12"] },
    buildArgs: { CUDA: "{cuda}", VERSION: "{pep440}" },
    latest: { backend: "pytorch" },
  },
});
const { plans } = planImages(options!, { vars: versionVars("2.0.0-rc.1")!, latest: false });
const labels = ociLabels({ pep440: "2.0.0rc1", revision: "abc123", source: "git@github.com:o/r.git", created: "2026-01-02T03:04:05.000Z" });

test("bake JSON: one explicit target per entry, pushed by digest only", () => {
  const file = bakeFile(plans, labels);
  expect(file.group).toEqual({ default: { targets: ["pytorch-cuda12", "vllm-cuda12"] } });
  expect(file.target["vllm-cuda12"]).toEqual({
    context: ".",
    dockerfile: "docker/Dockerfile.vllm",
    args: { CUDA: "cuda12", VERSION: "2.0.0rc1" },
    labels: {
      "org.opencontainers.image.version": "2.0.0rc1",
      "org.opencontainers.image.revision": "abc123",
      "org.opencontainers.image.created": "2026-01-02T03:04:05.000Z",
      "org.opencontainers.image.source": "https://github.com/o/r",
    },
    platforms: ["linux/amd64"],
    output: ["type=image,name=docker.io/llenergymeasure/vllm,push-by-digest=true,name-canonical=true,push=true"],
  });
  // No target carries tags: bake would push them as each target finishes (docker/buildx#1089).
  assert.ok(Object.values(file.target).every((target) => !("tags" in target)));
  assert.equal(dockerfileInContext("docker", "docker/Dockerfile.vllm"), "Dockerfile.vllm");
  assert.equal(dockerfileInContext("images/vllm", "docker/Dockerfile"), "../../docker/Dockerfile");
  assert.equal(dockerfileInContext(".", "/abs/Dockerfile"), "/abs/Dockerfile");
});

test("buildx argv: bake with a metadata file, retries name the missing targets, imagetools tags by digest", () => {
  expect(bakeArgv({ file: "/t/bake.json", metadataFile: "/t/meta.json" })).toEqual([
    "buildx", "bake", "-f", "/t/bake.json", "--metadata-file", "/t/meta.json", "--progress", "plain",
  ]);
  expect(bakeArgv({ file: "b.json", metadataFile: "m.json", builder: "remote", targets: ["vllm-cuda12"] })).toEqual([
    "buildx", "bake", "--builder", "remote", "-f", "b.json", "--metadata-file", "m.json", "--progress", "plain", "vllm-cuda12",
  ]);
  const digest = `sha256:${"a".repeat(64)}`;
  expect(imagetoolsArgv({ repository: "docker.io/llenergymeasure/pytorch", digest, tags: ["2.0.0rc1-cuda12", "2.0.0rc1"] })).toEqual([
    "buildx", "imagetools", "create",
    "-t", "docker.io/llenergymeasure/pytorch:2.0.0rc1-cuda12",
    "-t", "docker.io/llenergymeasure/pytorch:2.0.0rc1",
    `docker.io/llenergymeasure/pytorch@${digest}`,
  ]);
});

test("--metadata-file: containerimage.digest per target; targets without one are missing", () => {
  const digest = `sha256:${"b".repeat(64)}`;
  const text = JSON.stringify({
    "pytorch-cuda12": {
      "buildx.build.ref": "builder/builder0/x",
      "containerimage.config.digest": `sha256:${"c".repeat(64)}`,
      "containerimage.descriptor": { digest, mediaType: "application/vnd.oci.image.manifest.v1+json", size: 506 },
      "containerimage.digest": digest,
    },
    "vllm-cuda12": { "buildx.build.ref": "builder/builder0/y" },
    "bad-digest": { "containerimage.digest": "sha256:short" },
  });
  expect(parseBakeMetadata(text)).toEqual({ "pytorch-cuda12": digest });
  expect(parseBakeMetadata("")).toEqual({});
  expect(parseBakeMetadata("null")).toEqual({});
});

test("podman argv: build args and labels as flags, layout push by digest file, password never in argv", () => {
  const argv = podmanBuildArgv(plans[0], { "org.opencontainers.image.version": "2.0.0rc1" }, { iidfile: "/t/id", tlsVerify: false });
  expect(argv).toEqual([
    "build", "--file", "docker/Dockerfile.pytorch", "--iidfile", "/t/id", "--layers=false", "--tls-verify=false",
    "--build-arg", "CUDA=cuda12", "--build-arg", "VERSION=2.0.0rc1",
    "--label", "org.opencontainers.image.version=2.0.0rc1", ".",
  ]);
  assert.ok(!podmanBuildArgv(plans[0], {}, { iidfile: "i", tlsVerify: true }).includes("--tls-verify=false"));
  expect(podmanLayoutPushArgv("abc", "/t/layout", "/t/digest")).toEqual(["push", "--digestfile", "/t/digest", "abc", "oci:/t/layout"]);
  expect(podmanLoginArgv("docker.io", "me", true)).toEqual(["login", "--username", "me", "--password-stdin", "docker.io"]);
});

test("transient registry errors are retried; build errors are not", () => {
  const transient = [
    "ERROR: failed to push docker.io/x: toomanyrequests: You have reached your pull rate limit",
    "error: failed to copy: unexpected status from PUT request: 503 Service Unavailable",
    "ERROR: failed to solve: failed to do request: Head \"https://registry-1.docker.io/v2/\": EOF",
    "error: dial tcp 1.2.3.4:443: i/o timeout",
    "ERROR: failed commit on ref: unexpected status: 502 Bad Gateway",
    "error: read: connection reset by peer",
  ];
  for (const text of transient) assert.equal(isTransient(text), true, text);
  const permanent = [
    'ERROR: failed to solve: failed to compute cache key: "/not-there.txt": not found',
    "#5 0.523 EOF reached in heredoc test\n#6 DONE 503.2s\nERROR: failed to solve: process \"/bin/sh -c make\" did not complete successfully: exit code: 2",
    "error: denied: requested access to the resource is denied",
  ];
  for (const text of permanent) assert.equal(isTransient(text), false, text);
});

test("registry endpoints and stored credentials", () => {
  expect(registryEndpoint("docker.io/llenergymeasure/pytorch", true)).toEqual({ base: "https://registry-1.docker.io", path: "llenergymeasure/pytorch", host: "docker.io" });
  expect(registryEndpoint("ubuntu", true)).toEqual({ base: "https://registry-1.docker.io", path: "library/ubuntu", host: "docker.io" });
  expect(registryEndpoint("127.0.0.1:5000/ns/x", false)).toEqual({ base: "http://127.0.0.1:5000", path: "ns/x", host: "127.0.0.1:5000" });
  const file = JSON.stringify({ auths: { "https://index.docker.io/v1/": { auth: Buffer.from("me:pa:ss").toString("base64") }, "ghcr.io": { auth: Buffer.from("u:p").toString("base64") } } });
  expect(authFileEntry(file, "docker.io")).toEqual({ credentials: { username: "me", password: "pa:ss" }, key: "https://index.docker.io/v1/" });
  expect(authFileEntry(file, "ghcr.io")).toEqual({ credentials: { username: "u", password: "p" }, key: "ghcr.io" });
  assert.equal(authFileEntry(file, "quay.io"), undefined);
  assert.equal(authFileEntry("not json", "ghcr.io"), undefined);
});

test("OCI source label never carries credentials", () => {
  assert.equal(publicUrl("https://x-access-token:ghs_secret@github.com/o/r.git"), "https://github.com/o/r");
  assert.equal(publicUrl("git+https://github.com/o/r.git"), "https://github.com/o/r");
  assert.equal(publicUrl("git@gitlab.com:group/sub/r.git"), "https://gitlab.com/group/sub/r");
  assert.equal(ociLabels({ pep440: "1.0.0", revision: "a", created: "t" })["org.opencontainers.image.source"], undefined);
});

test("bake and podman: build stage, platforms and the base image's named context", async () => {
  const { onBase } = await import("../../src/images/plan.js");
  const { readImagesOptions: read } = await import("../../src/images/options.js");
  const { options: withAll } = read({
    images: { repository: "ghcr.io/o/r", matrix: { backend: ["vllm"] }, target: "runtime", platforms: ["linux/amd64", "linux/arm64"], base: { dockerfile: "docker/Dockerfile.base" } },
  });
  const { plans: [plan] } = planImages(withAll!, { vars: versionVars("2.0.0")!, latest: true });
  const ref = `ghcr.io/o/r/base@sha256:${"f".repeat(64)}`;
  const [built] = onBase([plan], { name: "base", arg: "BASE_IMAGE", ref });
  const target = bakeFile([built], {}).target["vllm"];
  expect(target.platforms).toEqual(["linux/amd64", "linux/arm64"]);
  assert.equal(target.target, "runtime");
  expect(target.contexts).toEqual({ base: `docker-image://${ref}` });
  assert.equal(target.args.BASE_IMAGE, ref);
  const argv = podmanBuildArgv(built, {}, { iidfile: "i", tlsVerify: true, platform: "linux/arm64" });
  expect(argv.slice(argv.indexOf("--platform"), argv.indexOf("--platform") + 4)).toEqual(["--platform", "linux/arm64", "--target", "runtime"]);
  assert.equal(argv[argv.indexOf(`BASE_IMAGE=${ref}`) - 1], "--build-arg");
  const { inspectArgv } = await import("../../src/images/bake.js");
  expect(inspectArgv({ ref })).toEqual(["buildx", "imagetools", "inspect", "--raw", ref]);
});
