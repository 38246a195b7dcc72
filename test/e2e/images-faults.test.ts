import { afterAll, beforeAll, describe, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorTexts } from "../../src/errors.js";
import { publish } from "../../src/plugins/images.js";
import { podmanEnv, podmanFiles } from "../support/actions-env.js";
import { startProxiedRegistry, type Fault, type FaultProxy, type Step } from "../support/fault-proxy.js";
import { errorsOf, pluginContext } from "../support/plugin-context.js";
import { REGISTRY_BIN, type LocalRegistry } from "../support/registry.js";
import { needTool } from "../support/tools.js";

/**
 * The podman path's registry steps through a faulting proxy in front of the real
 * docker-registry: cut connections, 5xx, answers slower than the client waits, and
 * answers lost after the registry acted, during upload start, blob upload, manifest PUT
 * and tag PUT. Each fault is retried to success, or ends with a documented code after
 * which a rerun (what `pyrelease resume` does) completes; no tag moves before every
 * image is in, and the finished matrix is tagged whole.
 */
let work: string;
let cwd: string;
let registry: LocalRegistry;
let proxy: FaultProxy;
let stop: (() => Promise<void>) | undefined;
const tally = { injected: 0, survived: 0, retried: 0, resumed: 0 };
const outcomes: string[] = [];
const BACKENDS = ["pytorch", "vllm"];

function need(): boolean {
  return needTool(["podman", "--version"], "podman") && needTool([REGISTRY_BIN, "--version"], "docker-registry");
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pyrelease-faults-"));
  for (const [name, text] of Object.entries(podmanFiles(work))) writeFileSync(join(work, name), text);
  cwd = join(work, "project");
  mkdirSync(join(cwd, "docker"), { recursive: true });
  for (const backend of BACKENDS) writeFileSync(join(cwd, "docker", `Dockerfile.${backend}`), `FROM scratch\nCOPY docker/Dockerfile.${backend} /Dockerfile\nLABEL backend=${backend}\n`);
  need();
  ({ registry, proxy, stop } = await startProxiedRegistry());
});
afterAll(async () => {
  await stop?.();
  rmSync(work, { recursive: true, force: true });
});

const podmanContext = () => pluginContext({ cwd, env: { ...process.env, ...podmanEnv(work), DOCKERHUB_USERNAME: undefined, DOCKERHUB_TOKEN: undefined }, version: "2.0.0" });

type Case = { step: Step; fault: Fault; times?: number; after?: number; label: string; expect: "retried" | "resumed" };
const CASES: Case[] = [
  { step: "upload-start", fault: "reset", label: "upload start: reset connection", expect: "retried" },
  { step: "upload-start", fault: { status: 503 }, label: "upload start: 503", expect: "retried" },
  { step: "blob-upload", fault: "reset", label: "blob upload: cut mid-body", expect: "retried" },
  { step: "blob-upload", fault: { status: 502 }, label: "blob upload: 502", expect: "retried" },
  { step: "blob-upload", fault: { delayMs: 2_500 }, label: "blob upload: answer after the timeout", expect: "retried" },
  { step: "blob-upload", fault: "lost-answer", label: "blob upload: stored, answer lost", expect: "retried" },
  { step: "blob-upload", fault: { status: 503 }, times: 3, label: "blob upload: down for every try", expect: "resumed" },
  { step: "manifest-put", fault: "reset", label: "manifest PUT: reset connection", expect: "retried" },
  { step: "manifest-put", fault: { status: 500 }, label: "manifest PUT: 500", expect: "retried" },
  { step: "manifest-put", fault: { delayMs: 2_500 }, label: "manifest PUT: answer after the timeout", expect: "retried" },
  { step: "manifest-put", fault: "lost-answer", label: "manifest PUT: stored, answer lost", expect: "retried" },
  { step: "tag-put", fault: "reset", label: "tag PUT: reset connection", expect: "retried" },
  { step: "tag-put", fault: { status: 503 }, after: 1, label: "tag PUT (second tag): 503", expect: "retried" },
  { step: "tag-put", fault: { delayMs: 2_500 }, label: "tag PUT: answer after the timeout", expect: "retried" },
  { step: "tag-put", fault: "lost-answer", after: 2, label: "tag PUT (latest): stored, answer lost", expect: "retried" },
  { step: "tag-put", fault: { status: 503 }, times: 3, after: 2, label: "tag PUT (latest): down for every try", expect: "resumed" },
];

/** Every entry has exactly its tags, each on the image this run released. */
async function assertTaggedWhole(namespace: string, released: { entry: Record<string, string>; digest: string; tags: string[] }[]) {
  assert.equal(released.length, BACKENDS.length);
  for (const image of released) {
    const name = `${namespace}/${image.entry.backend}`;
    expect(await registry.tags(name)).toEqual(["2.0.0", "latest"]);
    for (const tag of image.tags) assert.equal(await registry.digest(name, tag), image.digest, `${name}:${tag}`);
  }
}

describe("registry faults on the podman path", () => {
  for (const [i, c] of CASES.entries()) {
    test(c.label, async () => {
      if (!need()) return;
      const namespace = `f${i}`;
      proxy.reset();
      proxy.inject({ step: c.step, fault: c.fault, times: c.times, after: c.after });
      const config = {
        images: {
          repository: `${proxy.host}/${namespace}`,
          matrix: { backend: BACKENDS },
          latest: {},
          builder: "podman",
          tlsVerify: false,
          concurrency: 1,
          retry: { attempts: 3, delayMs: 10, requestTimeoutMs: 1_500, uploadTimeoutMs: 1_500 },
        },
      };
      tally.injected++;
      const { context, output } = podmanContext();
      let outcome: "retried" | "resumed" = "retried";
      let result: Awaited<ReturnType<typeof publish>>;
      try {
        result = await publish(config, context);
      } catch (error) {
        for (const e of errorsOf(error)) assert.ok(e.code in errorTexts, `a documented code, not: ${e.stack}`);
        assert.ok(errorsOf(error).some((e) => e.code === "EIMAGEPUSH"), errorsOf(error).map((e) => e.code).join(","));
        if (c.step !== "tag-put") {
          for (const backend of BACKENDS) expect(await registry.tags(`${namespace}/${backend}`)).toEqual([]);
        } else {
          // Tags are put by position: every entry's own tag first, `latest` last; it never moved.
          for (const backend of BACKENDS) assert.equal(await registry.digest(`${namespace}/${backend}`, "latest"), undefined);
        }
        outcome = "resumed";
        result = await publish(config, context);
      }
      assert.equal(proxy.pending(), 0, "the fault was met");
      assert.ok(result);
      await assertTaggedWhole(namespace, result.images);
      if (outcome === "retried") assert.match(output(), /trying again \(attempt 2 of 3\)/);
      assert.equal(outcome, c.expect);
      tally.survived++;
      tally[outcome]++;
      outcomes.push(`${c.label}: ${outcome}`);
    });
  }

  test("tally", () => {
    console.log([...outcomes, `registry faults survived: ${tally.survived} / injected: ${tally.injected} (retried to success: ${tally.retried}, finished by a rerun: ${tally.resumed})`].join("\n"));
    assert.equal(tally.injected, CASES.length);
    assert.equal(tally.survived, tally.injected);
  });
});
