import assert from "node:assert/strict";
import { RegistryClient } from "../../src/images/registry.js";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { Context } from "../../src/context.js";
import { imagesCommand } from "../../src/commands/images.js";
import { publish } from "../../src/plugins/images.js";
import { attestImages } from "../../src/provenance/images.js";
import { onCleanup } from "../support/cleanup.js";
import { createDockerStandin, recordedMetadata } from "../support/docker-standin.js";
import { errorsOf } from "../support/plugin-context.js";
import { GITHUB_ISSUER, registryBundle, registryReferrers, startProvenanceWorld, verifyBundle, WORKFLOW_SAN, workflowEnv, type ProvenanceWorld } from "../support/provenance.js";
import { REGISTRY_BIN, startRegistry, type LocalRegistry } from "../support/registry.js";
import { EXAMPLE_DIR } from "../support/repo.js";
import { hasTool, needTool } from "../support/tools.js";

/**
 * Signed image provenance at the images plugin: real podman builds pushed to a real
 * registry, a SLSA provenance bundle attached to every digest as an OCI referrer before any
 * tag moves, never twice; and the BuildKit attestations bake is asked for.
 */
let world: ProvenanceWorld;
let registry: LocalRegistry | undefined;
let work: string;
const ready = hasTool(["podman", "--version"]) && hasTool([REGISTRY_BIN, "--version"]);

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pyrelease-provenance-images-"));
  writeFileSync(join(work, "auth.json"), '{ "auths": {} }\n');
  writeFileSync(join(work, "storage.conf"), `[storage]\ndriver = "vfs"\ngraphroot = "${work}/storage"\nrunroot = "${work}/run"\n`);
  world = await startProvenanceWorld();
  if (ready) registry = await startRegistry();
});
afterAll(async () => {
  await world?.close();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

function need() {
  needTool(["podman", "--version"], "podman");
  needTool([REGISTRY_BIN, "--version"], "docker-registry");
}

function context(env: Record<string, string | undefined>, logs: string[] = []): Context {
  const dir = mkdtempSync(join(work, "project-"));
  cpSync(EXAMPLE_DIR, dir, { recursive: true });
  const log = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  return {
    cwd: dir,
    env: { ...process.env, CONTAINERS_STORAGE_CONF: join(work, "storage.conf"), REGISTRY_AUTH_FILE: join(work, "auth.json"), DOCKERHUB_USERNAME: undefined, DOCKERHUB_TOKEN: undefined, ...env },
    logger: { log, warn: log, error: log, success: log },
    stdout: { write: (text: string) => (logs.push(text), true) } as unknown as NodeJS.WriteStream,
    options: { dryRun: false, repositoryUrl: "https://github.com/o/r.git" },
    branch: { name: "main", type: "release", main: true },
    nextRelease: { version: "2.0.0", gitTag: "v2.0.0", gitHead: "0123456789abcdef0123456789abcdef01234567", channel: null },
  };
}

const config = (namespace: string, provenance: Record<string, unknown> = {}) => ({
  images: { repository: `${registry!.host}/${namespace}`, matrix: { backend: ["pytorch", "vllm"], cuda: ["cuda12"] }, buildArgs: { CUDA: "{cuda}" }, builder: "podman", tlsVerify: false },
  provenance: world.provenance(provenance),
});

describe("podman: a signed provenance referrer per image", () => {
  test("every pushed digest gets one, verified against the trusted root, before the tags exist", async () => {
    need();
    const logs: string[] = [];
    const result = await publish(config("signed"), context(workflowEnv(world.pypi), logs));
    assert.ok(result);
    for (const image of result.images) {
      const name = image.ref.slice(registry!.host.length + 1);
      const referrers = await registryReferrers(registry!.host, name, image.digest);
      assert.equal(referrers.length, 1);
      const { manifest, bundle } = await registryBundle(registry!.host, name, referrers[0].digest);
      assert.equal(manifest.artifactType, "application/vnd.dev.sigstore.bundle.v0.3+json");
      expect(manifest.config).toEqual({ mediaType: "application/vnd.oci.empty.v1+json", digest: `sha256:${createHash("sha256").update("{}").digest("hex")}`, size: 2 });
      assert.equal(manifest.subject.digest, image.digest);
      assert.equal(verifyBundle(bundle, world.sigstore.trustedRoot(), { subjectAlternativeName: WORKFLOW_SAN, issuer: GITHUB_ISSUER }).identity?.subjectAlternativeName, WORKFLOW_SAN);
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString("utf8"));
      assert.equal(statement.predicateType, "https://slsa.dev/provenance/v1");
      expect(statement.predicate.buildDefinition.resolvedDependencies).toEqual([{ uri: "git+https://github.com/o/r@refs/heads/main", digest: { gitCommit: "0".repeat(40) } }]);
      const provenance = (image as { provenance?: any }).provenance;
      assert.equal(provenance.referrer, referrers[0].digest);
      assert.ok(world.sigstore.entries().some((e) => e.logIndex === provenance.logIndex));
    }
    // Signed and attached before any tag moved.
    const attachedAt = logs.findIndex((l) => l.startsWith("Signed the provenance of"));
    const taggedAt = logs.findIndex((l) => l.startsWith("Tagged "));
    assert.ok(attachedAt >= 0 && attachedAt < taggedAt, logs.join("\n"));
  });

  test("attaching again to the same digests signs nothing and pushes nothing", async () => {
    need();
    const result = await publish(config("twice"), context(workflowEnv(world.pypi)));
    assert.ok(result);
    const entries = world.sigstore.entries().length;
    const logs: string[] = [];
    const again = await attestImages(config("twice"), context(workflowEnv(world.pypi), logs), result.images.map((i) => ({ repository: i.ref, digest: i.digest })), new RegistryClient({ tlsVerify: false, env: {} }));
    assert.equal(world.sigstore.entries().length, entries, "no new signature");
    assert.equal(logs.filter((l) => / already carries its signed provenance /.test(l)).length, 2);
    for (const image of result.images) {
      expect(again.get(image.digest)).toEqual((image as { provenance?: unknown }).provenance);
      assert.equal((await registryReferrers(registry!.host, image.ref.slice(registry!.host.length + 1), image.digest)).length, 1);
    }
  });

  test("a digest the registry does not hold: EPROVENANCE names the image", async () => {
    need();
    const digest = `sha256:${"0".repeat(64)}`;
    const error = await attestImages(config("missing"), context(workflowEnv(world.pypi)), [{ repository: `${registry!.host}/missing/pytorch`, digest }], new RegistryClient({ tlsVerify: false, env: {} })).then(() => undefined, (e) => e);
    const [problem] = errorsOf(error);
    assert.equal(problem.code, "EPROVENANCE");
    assert.match(problem.message, new RegExp(`Attaching the signed provenance to ${registry!.host}/missing/pytorch@${digest} failed: ${registry!.host}/missing/pytorch@${digest} is not in the registry`));
  });

  test("enabled: true without an identity: EPROVENANCE after the push, and no tag moved", async () => {
    need();
    const error = await publish(config("unsigned", { enabled: true }), context({})).then(() => undefined, (e) => e);
    const [problem] = errorsOf(error);
    assert.equal(problem.code, "EPROVENANCE");
    expect(await registry!.tags("unsigned/pytorch")).toEqual([]);
  });

  test("auto without an identity: images pushed and tagged, no referrer", async () => {
    need();
    const result = await publish(config("plain"), context({}));
    assert.ok(result);
    for (const image of result.images) {
      assert.equal((image as { provenance?: unknown }).provenance, undefined);
      expect(await registryReferrers(registry!.host, image.ref.slice(registry!.host.length + 1), image.digest)).toEqual([]);
    }
  });
});

test("scale-out: each images build job signs what it pushed; finalize records it", async () => {
  need();
  const ctx = context(workflowEnv(world.pypi));
  writeFileSync(join(ctx.cwd, ".releaserc.json"), JSON.stringify(config("split")));
  const out: string[] = [];
  const err: string[] = [];
  const io = { cwd: ctx.cwd, env: ctx.env as NodeJS.ProcessEnv, stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s) };
  const revision = ["--revision", "0123456789abcdef0123456789abcdef01234567"];
  const entries = world.sigstore.entries().length;
  for (const only of ["backend=pytorch", "backend=vllm"]) assert.equal(await imagesCommand(["build", "--only", only, "--version", "3.0.0", ...revision], io), 0, err.join(""));
  assert.equal(world.sigstore.entries().length - entries, 2, "one signature per job's image");
  out.length = 0;
  assert.equal(await imagesCommand(["finalize", "--version", "3.0.0"], io), 0, err.join(""));
  assert.equal(world.sigstore.entries().length - entries, 2, "finalize signs nothing");
  const { images } = JSON.parse(out.join(""));
  for (const image of images) {
    const referrers = await registryReferrers(registry!.host, image.ref.slice(registry!.host.length + 1), image.digest);
    assert.equal(referrers.length, 1);
    assert.equal(image.provenance.referrer, referrers[0].digest);
    assert.equal(image.provenance.signer, WORKFLOW_SAN);
  }
});

describe("buildx: BuildKit attestations in the bake file", () => {
  const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
  const run = async (provenance: Record<string, unknown>) => {
    const docker = createDockerStandin();
    onCleanup(() => docker.cleanup());
    docker.setScenario({ recorded: { "pytorch-cuda12": recordedMetadata(sha("m"), sha("c")) } });
    const ctx = context({ PATH: `${docker.bin}:${process.env.PATH}` });
    await publish({ images: { repository: "docker.io/llenergymeasure", matrix: { backend: ["pytorch"], cuda: ["cuda12"] } }, provenance }, ctx);
    return docker.lastBake().target["pytorch-cuda12"].attest;
  };

  test.each([
    ["by default: SLSA provenance (max) and an SBOM", {}, ["type=provenance,mode=max", "type=sbom"]],
    ["as configured", { buildxAttest: ["type=provenance,mode=min"] }, ["type=provenance,mode=min"]],
    ["none when provenance is off", { enabled: false }, undefined],
    ["none when asked for none", { buildxAttest: [] }, undefined],
  ])("%s", async (_name, provenance, attest) => {
    expect(await run(provenance)).toEqual(attest);
  });
});
