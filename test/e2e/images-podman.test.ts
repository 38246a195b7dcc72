import { afterAll, beforeAll, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "../../src/context.js";
import { imagesCommand } from "../../src/commands/images.js";
import { startFaultProxy } from "../support/fault-proxy.js";
import { createRunner, releasePlans } from "../../src/images/release.js";
import { readImagesOptions } from "../../src/images/options.js";
import { optionsOrThrow } from "../../src/release/options.js";
import { publish, verifyConditions, verifyRelease } from "../../src/plugins/images.js";
import { EXAMPLE_DIR } from "../support/repo.js";
import { REGISTRY_BIN, startRegistry, type LocalRegistry } from "../support/registry.js";
import { hasTool, needTool } from "../support/tools.js";

/**
 * Real podman builds of the example's FROM-scratch Dockerfiles, pushed to a real
 * Distribution registry on a loopback port. Podman storage: the vfs driver in a temp
 * graphroot (CONTAINERS_STORAGE_CONF), so nothing of the machine's own storage is used.
 */
let registry: LocalRegistry | undefined;
let work: string;
let env: Record<string, string | undefined>;
const ready = hasTool(["podman", "--version"]) && hasTool([REGISTRY_BIN, "--version"]);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pyrelease-images-"));
  writeFileSync(join(work, "auth.json"), '{ "auths": {} }\n');
  writeFileSync(join(work, "storage.conf"), `[storage]\ndriver = "vfs"\ngraphroot = "${work}/storage"\nrunroot = "${work}/run"\n`);
  env = { ...process.env, CONTAINERS_STORAGE_CONF: join(work, "storage.conf"), REGISTRY_AUTH_FILE: join(work, "auth.json"), DOCKERHUB_USERNAME: undefined, DOCKERHUB_TOKEN: undefined };
  if (ready) registry = await startRegistry();
});
afterAll(async () => {
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function need(): boolean {
  return needTool(["podman", "--version"], "podman") && needTool([REGISTRY_BIN, "--version"], "docker-registry");
}

function project(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(work, "project-"));
  cpSync(EXAMPLE_DIR, dir, { recursive: true });
  for (const [path, content] of Object.entries(extra)) writeFileSync(join(dir, path), content);
  return dir;
}

function imagesConfig(namespace: string, extra: Record<string, unknown> = {}) {
  return {
    repository: `${registry!.host}/${namespace}`,
    matrix: { backend: ["pytorch", "vllm", "tensorrt"], cuda: ["cuda11", "cuda12"] },
    buildArgs: { CUDA: "{cuda}", VERSION: "{pep440}" },
    latest: { cuda: "cuda12" },
    builder: "podman",
    tlsVerify: false,
    concurrency: 3,
    ...extra,
  };
}

function context(cwd: string, version: string, branch: Context["branch"], logs: string[] = []): Context {
  const log = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  return {
    cwd,
    env,
    logger: { log, warn: log, error: log, success: log },
    options: { dryRun: false, repositoryUrl: "https://x-access-token:secret-token-value@github.com/o/r.git" },
    branch,
    nextRelease: { version, gitTag: `v${version}`, gitHead: "0123456789abcdef0123456789abcdef01234567", channel: null },
  };
}

const MAIN = { name: "main", type: "release", main: true } as const;
const NEXT = { name: "next", type: "prerelease", main: false, prerelease: "rc", channel: "next" } as const;

async function configOf(namespace: string, repo: string, digest: string) {
  const base = `http://${registry!.host}/v2/${namespace}/${repo}`;
  const manifest = await (await fetch(`${base}/manifests/${digest}`, { headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } })).json();
  return (await (await fetch(`${base}/blobs/${manifest.config.digest}`)).json()) as { config: { Labels: Record<string, string> } };
}

test("a stable release pushes the whole matrix by digest, then tags it; digests equal the registry's", async () => {
  if (!need()) return;
  const cwd = project();
  const pluginConfig = { images: imagesConfig("stable") };
  const logs: string[] = [];
  const ctx = context(cwd, "2.0.0", MAIN, logs);
  await verifyConditions(pluginConfig, ctx);
  await verifyRelease(pluginConfig, ctx);
  assert.ok(logs.some((l) => l.includes(`${registry!.host}/stable/vllm:2.0.0-cuda12`)), logs.join("\n"));

  const result = await publish(pluginConfig, ctx);
  assert.ok(result);
  assert.equal(result.name, "Container images");
  assert.equal(result.images.length, 6);
  for (const image of result.images) {
    const repo = image.ref.split("/").slice(1).join("/");
    for (const tag of image.tags) assert.equal(await registry!.digest(repo, tag), image.digest, `${image.ref}:${tag}`);
  }
  for (const backend of ["pytorch", "vllm", "tensorrt"]) {
    expect(await registry!.tags(`stable/${backend}`)).toEqual(["2.0.0", "2.0.0-cuda11", "2.0.0-cuda12", "latest"]);
  }
  const vllm12 = result.images.find((i) => i.entry.backend === "vllm" && i.entry.cuda === "cuda12")!;
  expect(vllm12.tags).toEqual(["2.0.0-cuda12", "2.0.0", "latest"]);
  const labels = (await configOf("stable", "vllm", vllm12.digest)).config.Labels;
  assert.equal(labels["org.opencontainers.image.version"], "2.0.0");
  assert.equal(labels["org.opencontainers.image.revision"], "0123456789abcdef0123456789abcdef01234567");
  assert.equal(labels["org.opencontainers.image.source"], "https://github.com/o/r");
  // Every image is built with its own build args (podman's layer cache once mixed them up).
  for (const image of result.images) {
    const own = (await configOf("stable", image.entry.backend, image.digest)).config.Labels;
    assert.equal(own["org.llenergymeasure.cuda"], image.entry.cuda, `${image.ref} ${image.entry.cuda}`);
    assert.equal(own["org.llenergymeasure.backend"], image.entry.backend);
  }
  assert.ok(!JSON.stringify(logs).includes("secret-token-value"));

  // A prerelease afterwards: its own tags, and `latest` still points at 2.0.0.
  const latestBefore = await registry!.digest("stable/vllm", "latest");
  const rc = await publish(pluginConfig, context(cwd, "2.1.0-rc.1", NEXT));
  assert.ok(rc);
  assert.ok(rc.images.every((i) => !i.tags.includes("latest")));
  // latestTags ({pep440}, latest) are for stable main releases only: the rc gets its own tags and nothing more.
  expect(await registry!.tags("stable/vllm")).toEqual(["2.0.0", "2.0.0-cuda11", "2.0.0-cuda12", "2.1.0rc1-cuda11", "2.1.0rc1-cuda12", "latest"]);
  assert.equal(await registry!.digest("stable/vllm", "latest"), latestBefore);
  assert.notEqual(await registry!.digest("stable/vllm", "2.1.0rc1-cuda12"), latestBefore);

  // A maintenance release: tagged, but `latest` does not move backwards.
  await publish(pluginConfig, context(cwd, "1.9.1", { name: "1.x", type: "maintenance", main: false }));
  assert.equal(await registry!.digest("stable/vllm", "latest"), latestBefore);
  assert.ok((await registry!.tags("stable/vllm")).includes("1.9.1-cuda12"));
});

test("a build failing mid-matrix moves no tag at all", async () => {
  if (!need()) return;
  const cwd = project({ "docker/Dockerfile.broken": "FROM scratch\nCOPY docker/not-there.txt /x\n" });
  const pluginConfig = { images: imagesConfig("partial", { matrix: { backend: ["pytorch", "broken", "vllm"], cuda: ["cuda12"] } }) };
  await assert.rejects(publish(pluginConfig, context(cwd, "3.0.0", MAIN)), (error: any) => {
    assert.equal(error.code, "EIMAGEBUILD");
    assert.match(error.message, /backend=broken,cuda=cuda12/);
    return true;
  });
  for (const backend of ["pytorch", "broken", "vllm"]) expect(await registry!.tags(`partial/${backend}`)).toEqual([]);
});

test("a rerun of a release takes the images an earlier run tagged: none is built again, no tag moves", async () => {
  if (!need()) return;
  const cwd = project();
  const config = (backends: string[]) => ({ images: imagesConfig("rerun", { matrix: { backend: backends, cuda: ["cuda12"] }, platforms: ["linux/amd64", "linux/arm64"] }) });
  const digests = async () => Object.fromEntries(await Promise.all(["pytorch", "vllm"].flatMap((b) => ["6.0.0", "latest"].map(async (t) => [`${b}:${t}`, await registry!.digest(`rerun/${b}`, t)]))));

  // The first run tagged pytorch, then stopped before vllm existed (as a run that failed halfway through tagging).
  const first = await publish(config(["pytorch"]), context(cwd, "6.0.0", MAIN));
  assert.ok(first);
  const pytorch = first.images[0];

  const logs: string[] = [];
  const second = await publish(config(["pytorch", "vllm"]), context(cwd, "6.0.0", MAIN, logs));
  assert.ok(second);
  expect(second.images.find((i) => i.entry.backend === "pytorch")).toEqual(pytorch);
  assert.match(logs.join("\n"), /rerun\/pytorch@sha256:\w+ is backend=pytorch,cuda=cuda12 of 6\.0\.0 \(commit 0123456789ab\), tagged by an earlier run: not built again/);
  assert.ok(!logs.some((l) => /Pushed backend=pytorch/.test(l)), logs.join("\n"));
  assert.ok(logs.some((l) => /Pushed backend=vllm/.test(l)), logs.join("\n"));
  const tagged = await digests();
  assert.equal(tagged["pytorch:6.0.0"], pytorch.digest);
  assert.equal(tagged["vllm:latest"], second.images.find((i) => i.entry.backend === "vllm")!.digest);

  // A resume of the finished release builds nothing (a rebuild would differ: its created label is the time) and moves nothing.
  logs.length = 0;
  const third = await publish(config(["pytorch", "vllm"]), context(cwd, "6.0.0", MAIN, logs));
  assert.ok(third);
  expect(third.images).toEqual(second.images);
  assert.ok(!logs.some((l) => /^Pushed /.test(l)), logs.join("\n"));
  expect(await digests()).toEqual(tagged);

  // The same version from another commit (its tag made again elsewhere) is another release: built, and its tags move.
  const other = { ...context(cwd, "6.0.0", MAIN), nextRelease: { version: "6.0.0", gitTag: "v6.0.0", gitHead: "fedcba9876543210fedcba9876543210fedcba98", channel: null } };
  const rebuilt = await publish(config(["pytorch"]), other);
  assert.ok(rebuilt);
  assert.notEqual(rebuilt.images[0].digest, pytorch.digest);
  assert.equal(await registry!.digest("rerun/pytorch", "6.0.0"), rebuilt.images[0].digest);
});

test("verifyConditions names every entry without a Dockerfile, and refuses a bad reference", async () => {
  if (!need()) return;
  const cwd = project();
  const missing = { images: imagesConfig("x", { matrix: { backend: ["pytorch", "jax", "tf"] }, latest: undefined, buildArgs: {} }) };
  await assert.rejects(verifyConditions(missing, context(cwd, "1.0.0", MAIN)), (error: any) => {
    assert.equal(error.code, "ENODOCKERFILE");
    assert.match(error.details, /backend=jax.*docker\/Dockerfile\.jax/);
    assert.match(error.details, /backend=tf.*docker\/Dockerfile\.tf/);
    return true;
  });
  const bad = { images: imagesConfig("Upper") };
  await assert.rejects(verifyConditions(bad, context(cwd, "1.0.0", MAIN)), (error: any) => error.code === "EINVALIDIMAGEREF");
  const logs: string[] = [];
  await verifyConditions({}, context(cwd, "1.0.0", MAIN, logs));
  assert.match(logs.join("\n"), /no `images` option/);
  assert.equal(await publish({ images: imagesConfig("late", { since: "5.0.0" }) }, context(cwd, "4.2.0", MAIN)), false);
});

test("scale-out: build entries in separate jobs, finalize tags only once every digest file exists", async () => {
  if (!need()) return;
  const cwd = project();
  writeFileSync(join(cwd, ".releaserc.json"), JSON.stringify({ images: imagesConfig("split", { matrix: { backend: ["pytorch", "vllm"], cuda: ["cuda12"] }, platforms: ["linux/amd64", "linux/arm64"] }) }));
  const out: string[] = [];
  const err: string[] = [];
  const io = { cwd, env: env as NodeJS.ProcessEnv, stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) };
  const revision = ["--revision", "0123456789abcdef0123456789abcdef01234567"];

  assert.equal(await imagesCommand(["build", "--only", "backend=pytorch", "--version", "4.0.0", ...revision], io), 0, err.join(""));
  assert.equal(await imagesCommand(["finalize", "--version", "4.0.0", "--latest"], io), 1);
  assert.match(err.join(""), /EIMAGEDIGESTS.*backend=vllm,cuda=cuda12/);
  expect(await registry!.tags("split/pytorch")).toEqual([]);

  assert.equal(await imagesCommand(["build", "--only", "backend=vllm,cuda=cuda12", "--version", "v4.0.0", ...revision], io), 0, err.join(""));
  out.length = 0;
  assert.equal(await imagesCommand(["finalize", "--version", "4.0.0", "--latest"], io), 0, err.join(""));
  const result = JSON.parse(out.join(""));
  assert.equal(result.images.length, 2);
  for (const image of result.images) {
    const repo = image.ref.split("/").slice(1).join("/");
    expect(await registry!.tags(repo)).toEqual(["4.0.0", "4.0.0-cuda12", "latest"]);
    assert.equal(await registry!.digest(repo, "latest"), image.digest);
    // Each job's digest file carried its platforms' digests to finalize.
    expect(image.platforms.map((p: { platform: string }) => p.platform)).toEqual(["linux/amd64", "linux/arm64"]);
  }
  // A job run again (GitHub's "Re-run all jobs") takes the image finalize tagged: the same digest file, nothing built.
  const before = readFileSync(join(cwd, "image-digests", "pytorch-cuda12.json"), "utf8");
  err.length = 0;
  assert.equal(await imagesCommand(["build", "--only", "backend=pytorch", "--version", "4.0.0", ...revision], io), 0, err.join(""));
  assert.equal(readFileSync(join(cwd, "image-digests", "pytorch-cuda12.json"), "utf8"), before);
  assert.match(err.join(""), /split\/pytorch@sha256:\w+ is backend=pytorch,cuda=cuda12 of 4\.0\.0 \(commit 0123456789ab\), tagged by an earlier run: not built again/);
  assert.doesNotMatch(err.join(""), /Pushed /);
  assert.equal(await imagesCommand(["build", "--only", "backend=jax", "--version", "4.0.0"], io), 1);
  assert.match(err.join(""), /EINVALIDCONFIG/);
  assert.equal(await imagesCommand(["build", "--version", "4.0.0"], io), 2);
});

test("a registry answering 503 is retried; the image still lands by digest and gets its tags", async () => {
  if (!need()) return;
  const proxy = await startFaultProxy(registry!.host);
  proxy.inject({ step: "manifest-put", fault: { status: 503 }, times: 2 });
  try {
    const cwd = project();
    const options = optionsOrThrow(readImagesOptions, { images: { ...imagesConfig("flaky", { matrix: { backend: ["pytorch"], cuda: ["cuda12"] } }), repository: `${proxy.host}/flaky` } })!;
    const logs: string[] = [];
    const ctx = context(cwd, "5.0.0", MAIN, logs);
    const runner = createRunner(options, { cwd, env: ctx.env, logger: ctx.logger }, { attempts: 3, delayMs: 10 });
    const pushed = await runner.push(releasePlans(options, "5.0.0", MAIN), {});
    await runner.tag(pushed);
    assert.equal(proxy.exchanges().filter((e) => e.step === "manifest-put").length, 3, JSON.stringify(proxy.exchanges()));
    assert.match(logs.join("\n"), /HTTP 503.*trying again/);
    assert.equal(await registry!.digest("flaky/pytorch", "latest"), pushed[0].digest);
    expect(await registry!.tags("flaky/pytorch")).toEqual(["5.0.0", "5.0.0-cuda12", "latest"]);
  } finally {
    await proxy.close();
  }
});
