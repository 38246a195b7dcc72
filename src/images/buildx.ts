import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getError, isSemanticReleaseError, throwAll } from "../errors.js";
import { run, tail } from "../exec.js";
import { bakeArgv, bakeFile, imagetoolsArgv, inspectArgv, parseBakeMetadata } from "./bake.js";
import { platformDigests } from "./platforms.js";
import { GaveUp, isTransient, withAttempts } from "../http.js";
import type { ImagePlan } from "./plan.js";
import type { ImageRunner, PushedImage, RunnerContext } from "./runner.js";

/**
 * `docker buildx bake` with one target per entry, pushed by digest only; tags are made
 * registry-side with `docker buildx imagetools create` once every target has a digest.
 * A transient failure reruns bake for the targets still missing only.
 */
export function buildxRunner(context: RunnerContext, options: { builder?: string; docker?: string; attest?: readonly string[] } = {}): ImageRunner {
  const docker = options.docker ?? "docker";
  const exec = (argv: string[], input?: string, secrets?: string[]) => run(docker, argv, { cwd: context.cwd, env: context.env, input, secrets });
  const retryLog = (what: string) => (failure: unknown, next: number) =>
    context.logger.warn(`${what}: ${tail((failure as Error).message, 3)}; trying again (attempt ${next} of ${context.retry.attempts})`);

  /** Each platform's manifest digest of a multi-platform entry, read from the index bake pushed. */
  async function platformsOf(plan: ImagePlan, digest: string): Promise<PushedImage["platforms"]> {
    if (plan.platforms.length < 2) return undefined;
    const ref = `${plan.repository}@${digest}`;
    try {
      const raw = await withAttempts(context.retry, async () => {
        const result = await exec(inspectArgv({ ref, builder: options.builder }));
        if (result.exitCode !== 0) throw new Error(result.all);
        return result.stdout;
      }, retryLog(`imagetools inspect ${ref}`));
      return platformDigests(JSON.parse(raw));
    } catch (error) {
      throw getError("EIMAGEPUSH", { refs: [ref], attempts: error instanceof GaveUp ? error.attempts : 1, reason: tail((error as Error).message) });
    }
  }

  return {
    async check() {
      const result = await exec(["buildx", "version"]);
      if (result.exitCode === 0) return undefined;
      return getError("ENOBUILDER", { builder: "buildx", command: "docker buildx version", hint: tail(result.all, 5) || undefined });
    },

    async login(host, credentials) {
      const result = await exec(["login", "--username", credentials.username, "--password-stdin", host], credentials.password, [credentials.password]);
      if (result.exitCode !== 0) {
        throw getError("EREGISTRYAUTH", { refusals: [{ repository: host, reason: `docker login failed: ${tail(result.all, 5)}`, source: credentials.username }], beforeTag: false });
      }
    },

    async push(plans, labels) {
      const work = await mkdtemp(join(tmpdir(), "pyrelease-bake-"));
      try {
        const file = join(work, "docker-bake.json");
        await writeFile(file, `${JSON.stringify(bakeFile(plans, labels, options.attest), null, 2)}\n`);
        const digests: Record<string, string> = {};
        let missing = plans;
        try {
          await withAttempts(context.retry, async (attempt) => {
            const metadataFile = join(work, `metadata-${attempt}.json`);
            const targets = attempt === 1 ? undefined : missing.map((p) => p.id);
            context.logger.log(`docker buildx bake: ${missing.map((p) => p.id).join(", ")} (attempt ${attempt})`);
            const result = await exec(bakeArgv({ file, metadataFile, builder: options.builder, targets }));
            const found = parseBakeMetadata(await readFile(metadataFile, "utf8").catch(() => ""));
            for (const plan of missing) if (found[plan.id]) digests[plan.id] = found[plan.id];
            missing = plans.filter((p) => !digests[p.id]);
            if (missing.length === 0) return;
            if (!isTransient(result.all)) {
              throw getError("EIMAGEBUILD", {
                entries: missing.map((p) => p.label),
                output: tail(result.all) || `bake exited with ${result.exitCode} and wrote no containerimage.digest for them`,
              });
            }
            throw new Error(result.all);
          });
        } catch (error) {
          const last = error instanceof GaveUp ? error.last : error;
          if (isSemanticReleaseError(last)) throw last;
          throw getError("EIMAGEPUSH", { refs: missing.map((p) => p.repository), attempts: error instanceof GaveUp ? error.attempts : 1, reason: tail((last as Error).message) });
        }
        const pushed: PushedImage[] = [];
        for (const plan of plans) {
          const platforms = await platformsOf(plan, digests[plan.id]);
          pushed.push({ plan, digest: digests[plan.id], ...(platforms ? { platforms } : {}) });
        }
        return pushed;
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
    if (plan.tags.length === 0) return;
    const argv = imagetoolsArgv({ repository: plan.repository, digest, tags: plan.tags, builder: options.builder });
    try {
      await withAttempts(context.retry, async () => {
        const result = await exec(argv);
        if (result.exitCode !== 0) throw new Error(result.all);
      }, retryLog(`imagetools create ${plan.repository}`));
    } catch (error) {
      throw getError("EIMAGEPUSH", {
        refs: plan.tags.map((t) => `${plan.repository}:${t}`),
        attempts: error instanceof GaveUp ? error.attempts : 1,
        reason: tail((error as Error).message),
      });
    }
    context.logger.log(`Tagged ${plan.repository}@${digest} as ${plan.tags.join(", ")}`);
  }
}
