import { afterAll, beforeAll, describe, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderArtifacts } from "../../src/github/section.js";
import { publish } from "../../src/plugins/images.js";
import { podmanEnv, podmanFiles } from "../support/actions-env.js";
import { startProxiedRegistry, type FaultProxy } from "../support/fault-proxy.js";
import { REGISTRY_BIN, type LocalRegistry } from "../support/registry.js";
import { pluginContext } from "../support/plugin-context.js";
import { needTool } from "../support/tools.js";

/**
 * The matrix at research scale, with real podman builds and a real registry: every entry
 * one multi-platform image index, a base image built and pushed first and handed to the
 * entries by digest, a chosen build stage, and shared base layers mounted across
 * repositories instead of uploaded again (bytes counted by a proxy in front of the registry).
 */
let work: string;
let registry: LocalRegistry;
let proxy: FaultProxy;
let stop: (() => Promise<void>) | undefined;
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const ACCEPT = [OCI_INDEX, "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json"].join(", ");
/** The shared base layer: random, so it does not compress. */
const BASE_BYTES = 2 * 1024 * 1024;

function need(): boolean {
  return needTool(["podman", "--version"], "podman") && needTool([REGISTRY_BIN, "--version"], "docker-registry");
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pyrelease-matrix-"));
  for (const [name, text] of Object.entries(podmanFiles(work))) writeFileSync(join(work, name), text);
  need();
  ({ registry, proxy, stop } = await startProxiedRegistry());
});
afterAll(async () => {
  await stop?.();
  rmSync(work, { recursive: true, force: true });
});

const podmanContext = (cwd: string) => pluginContext({ cwd, env: { ...process.env, ...podmanEnv(work), DOCKERHUB_USERNAME: undefined, DOCKERHUB_TOKEN: undefined }, version: "2.0.0" });

async function get(name: string, reference: string): Promise<{ mediaType: string; json: any }> {
  const response = await fetch(`http://${registry.host}/v2/${name}/manifests/${reference}`, { headers: { Accept: ACCEPT } });
  assert.equal(response.status, 200, `${name}:${reference}`);
  return { mediaType: response.headers.get("content-type") ?? "", json: await response.json() };
}
const blob = async (name: string, digest: string) => (await fetch(`http://${registry.host}/v2/${name}/blobs/${digest}`)).json();

test("2 platforms × 2 entries: each entry is one image index of both platforms, pinned in the notes with each platform's digest", async () => {
  if (!need()) return;
  const cwd = mkdtempSync(join(work, "project-"));
  mkdirSync(join(cwd, "docker"));
  for (const backend of ["pytorch", "vllm"]) writeFileSync(join(cwd, "docker", `Dockerfile.${backend}`), `FROM scratch\nCOPY docker/Dockerfile.${backend} /Dockerfile\nLABEL backend=${backend}\n`);
  const images = { repository: `${registry.host}/multi`, matrix: { backend: ["pytorch", "vllm"] }, platforms: ["linux/amd64", "linux/arm64"], latest: {}, builder: "podman", tlsVerify: false, concurrency: 2 };
  const result = await publish({ images }, podmanContext(cwd).context);
  assert.ok(result);
  assert.equal(result.images.length, 2);
  for (const image of result.images) {
    const name = `multi/${image.entry.backend}`;
    const index = await get(name, "2.0.0");
    assert.equal(index.mediaType, OCI_INDEX, `${name}:2.0.0 is an image index`);
    assert.equal(await registry.digest(name, "2.0.0"), image.digest, "the released digest is the index's");
    expect(index.json.manifests.map((m: any) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(["linux/amd64", "linux/arm64"]);
    expect(image.platforms!.map((p) => p.platform)).toEqual(["linux/amd64", "linux/arm64"]);
    for (const [i, platform] of image.platforms!.entries()) {
      assert.equal(index.json.manifests[i].digest, platform.digest);
      const manifest = await get(name, platform.digest);
      const config = await blob(name, manifest.json.config.digest);
      assert.equal(`${config.os}/${config.architecture}`, platform.platform, "each platform's image is built for it");
      assert.equal(config.config.Labels.backend, image.entry.backend);
    }
  }
  // latest moved onto the index too
  assert.equal(await registry.digest("multi/vllm", "latest"), result.images[1].digest);

  const notes = renderArtifacts([result], { version: "2.0.0", pep440: "2.0.0", tag: "v2.0.0" });
  for (const image of result.images) {
    assert.ok(notes.includes(`${image.ref}@${image.digest}\` (index)`), notes);
    for (const platform of image.platforms!) assert.ok(notes.includes(`| ↳ ${platform.platform} | \`${image.ref}@${platform.digest}\` |`), notes);
  }
});

describe("a base image shared by three images", () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(join(work, "shared-"));
    mkdirSync(join(cwd, "docker"));
    writeFileSync(join(cwd, "docker", "base.bin"), randomBytes(BASE_BYTES));
    writeFileSync(join(cwd, "docker", "Dockerfile.base"), "FROM scratch\nCOPY docker/base.bin /opt/base.bin\nLABEL role=base\n");
    for (const backend of ["pytorch", "vllm", "tensorrt"]) {
      writeFileSync(join(cwd, "docker", `top-${backend}.txt`), `${backend}\n`);
      // Two stages; the release builds `runtime` (images.target), never `debug`.
      writeFileSync(
        join(cwd, "docker", `Dockerfile.${backend}`),
        `ARG BASE_IMAGE\nFROM \${BASE_IMAGE} AS runtime\nCOPY docker/top-${backend}.txt /opt/top.txt\nLABEL backend=${backend} stage=runtime\n\nFROM runtime AS debug\nLABEL stage=debug\n`,
      );
    }
  });

  const images = (namespace: string) => ({
    repository: `${proxy.host}/${namespace}`,
    matrix: { backend: ["pytorch", "vllm", "tensorrt"] },
    base: { dockerfile: "docker/Dockerfile.base" },
    target: "runtime",
    builder: "podman",
    tlsVerify: false,
    concurrency: 1,
  });

  test("the base is pushed first, each image is built on it by digest at the chosen stage, and its layer is mounted, not uploaded again", async () => {
    if (!need()) return;
    proxy.reset();
    const { context, output } = podmanContext(cwd);
    const result = await publish({ images: images("shared") }, context);
    assert.ok(result);
    const baseDigest = /base image \S+\/shared\/base@(sha256:[a-f0-9]{64})/.exec(output())?.[1];
    assert.ok(baseDigest, output());
    const baseManifest = await get("shared/base", baseDigest);
    const baseLayer = baseManifest.json.layers[0];
    assert.ok(baseLayer.size >= BASE_BYTES, `the base layer holds the random file (${baseLayer.size} bytes)`);
    expect(await registry.tags("shared/base")).toEqual([]);
    for (const image of result.images) {
      const name = `shared/${image.entry.backend}`;
      const manifest = await get(name, image.digest);
      assert.equal(manifest.json.layers[0].digest, baseLayer.digest, `${name} is built on the pushed base`);
      assert.equal(manifest.json.layers.length, 2);
      const config = await blob(name, manifest.json.config.digest);
      assert.equal(config.config.Labels.stage, "runtime", "the target stage, not the last one");
      assert.equal(config.config.Labels.role, "base", "the base's labels are inherited");
    }
    const mounts = proxy.exchanges().filter((e) => e.step === "mount");
    expect(mounts.map((e) => e.outcome)).toEqual([201, 201, 201]);
    const uploaded = proxy.uploadedBytes();
    const tops = uploaded - baseLayer.size;
    console.log(`cross-repository mount: ${uploaded} bytes uploaded for 3 images on a ${baseLayer.size}-byte base layer (base once + ${tops} bytes of tops and configs; without mounts ${4 * baseLayer.size + tops})`);
    assert.ok(uploaded < baseLayer.size * 1.1, `one base and three small tops: ${uploaded} bytes`);
    assert.match(output(), /3 mounted from a sibling repository/);
  });

  test("a registry that answers a mount with 202 gets the layer uploaded instead", async () => {
    if (!need()) return;
    proxy.reset();
    proxy.inject({ step: "mount", fault: "no-mount", times: 99 });
    const result = await publish({ images: images("nomount") }, podmanContext(cwd).context);
    assert.ok(result);
    const mounts = proxy.exchanges().filter((e) => e.step === "mount");
    expect(mounts.map((e) => e.outcome)).toEqual([202, 202, 202]);
    for (const image of result.images) assert.equal(await registry.digest(`nomount/${image.entry.backend}`, "2.0.0"), image.digest);
    assert.ok(proxy.uploadedBytes() > 4 * BASE_BYTES, `the base layer went up four times: ${proxy.uploadedBytes()} bytes`);
  });
});
