import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getError, throwAll } from "../errors.js";
import { run, tail } from "../exec.js";
import { bakeArgv, bakeFile, imagetoolsArgv, parseBakeMetadata } from "./bake.js";
import { isTransient } from "./retry.js";
import { backoffMs, sleep } from "../retry.js";
import type { ImagePlan } from "./plan.js";
import type { ImageRunner, PushedImage, RunnerContext } from "./runner.js";

/**
 * `docker buildx bake` with one target per entry, pushed by digest only; tags are made
 * registry-side with `docker buildx imagetools create` once every target has a digest.
 * A transient failure reruns bake for the targets still missing only.
 */
export function buildxRunner(context: RunnerContext, options: { builder?: string; docker?: string; attest?: readonly string[] } = {}): ImageRunner {
  const docker = options.docker ?? "docker";
  const exec = (argv: string[], input?: string, secrets?: string[]) =>
    run(docker, argv, { cwd: context.cwd, env: context.env, input, secrets });

  return {
    async check() {
      const result = await exec(["buildx", "version"]);
      if (result.exitCode === 0) return undefined;
      return getError("ENOBUILDER", { builder: "buildx", command: "docker buildx version", hint: tail(result.all, 5) || undefined });
    },

    async login(host, username, password) {
      const result = await exec(["login", "--username", username, "--password-stdin", host], password, [password]);
      if (result.exitCode !== 0) throw getError("EIMAGEPUSH", { refs: [host], attempts: 1, reason: `docker login failed: ${tail(result.all, 5)}` });
    },

    async push(plans, labels) {
      const work = await mkdtemp(join(tmpdir(), "pyrelease-bake-"));
      try {
        const file = join(work, "docker-bake.json");
        await writeFile(file, `${JSON.stringify(bakeFile(plans, labels, options.attest), null, 2)}\n`);
        const digests: Record<string, string> = {};
        let missing = plans;
        let output = "";
        for (let attempt = 1; attempt <= context.retry.attempts; attempt++) {
          const metadataFile = join(work, `metadata-${attempt}.json`);
          const targets = attempt === 1 ? undefined : missing.map((p) => p.id);
          context.logger.log(`docker buildx bake: ${missing.map((p) => p.id).join(", ")} (attempt ${attempt})`);
          const result = await exec(bakeArgv({ file, metadataFile, builder: options.builder, targets }));
          output = result.all;
          const found = parseBakeMetadata(await readFile(metadataFile, "utf8").catch(() => ""));
          for (const plan of missing) if (found[plan.id]) digests[plan.id] = found[plan.id];
          missing = plans.filter((p) => !digests[p.id]);
          if (missing.length === 0) return plans.map((plan) => ({ plan, digest: digests[plan.id] }));
          if (!isTransient(output)) {
            throw getError("EIMAGEBUILD", {
              entries: missing.map((p) => p.label),
              output: tail(output) || `bake exited with ${result.exitCode} and wrote no containerimage.digest for them`,
            });
          }
          if (attempt < context.retry.attempts) await sleep(backoffMs(attempt + 1, context.retry.delayMs));
        }
        throw getError("EIMAGEPUSH", { refs: missing.map((p) => p.repository), attempts: context.retry.attempts, reason: tail(output) });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },

    async tag(images: PushedImage[]) {
      // Every image is in the registry by now; its tags are independent registry round trips.
      const results = await Promise.allSettled(images.map(({ plan, digest }) => tagOne(plan, digest)));
      throwAll(results.flatMap((result) => (result.status === "rejected" ? [result.reason as Error] : [])));
    },
  };

  async function tagOne(plan: ImagePlan, digest: string): Promise<void> {
    const argv = imagetoolsArgv({ repository: plan.repository, digest, tags: plan.tags, builder: options.builder });
    let output = "";
    let attempts = 0;
    for (let attempt = 1; attempt <= context.retry.attempts; attempt++) {
      attempts = attempt;
      const result = await exec(argv);
      if (result.exitCode === 0) {
        context.logger.log(`Tagged ${plan.repository}@${digest} as ${plan.tags.join(", ")}`);
        return;
      }
      output = result.all;
      if (!isTransient(output)) break;
      if (attempt < context.retry.attempts) await sleep(backoffMs(attempt + 1, context.retry.delayMs));
    }
    throw getError("EIMAGEPUSH", { refs: plan.tags.map((t) => `${plan.repository}:${t}`), attempts, reason: tail(output) });
  }
}
