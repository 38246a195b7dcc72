import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getError, throwAll } from "../errors.js";
import { run, tail } from "../exec.js";
import type { ImagePlan } from "./plan.js";
import { RegistryClient, RegistryError } from "./registry.js";
import { isTransient } from "./retry.js";
import { backoffMs, sleep } from "../retry.js";
import type { ImageRunner, PushedImage, RunnerContext } from "./runner.js";

/** Pure: `podman build` argv for one entry. */
export function podmanBuildArgv(plan: ImagePlan, labels: Record<string, string>, options: { iidfile: string; tlsVerify: boolean }): string[] {
  return [
    "build",
    "--file",
    plan.dockerfile,
    "--iidfile",
    options.iidfile,
    // podman 4.x reuses a cached LABEL/ENV step built with another --build-arg value
    // (seen here: the cuda12 image labelled cuda11); without intermediate layers, no step is reused.
    "--layers=false",
    ...(options.tlsVerify ? [] : ["--tls-verify=false"]),
    ...Object.entries(plan.buildArgs).flatMap(([key, value]) => ["--build-arg", `${key}=${value}`]),
    ...Object.entries(labels).flatMap(([key, value]) => ["--label", `${key}=${value}`]),
    plan.context,
  ];
}

/** Pure: `podman push` of a built image into a local OCI layout, writing the manifest digest it will have in any registry. */
export function podmanLayoutPushArgv(imageId: string, layoutDir: string, digestFile: string): string[] {
  return ["push", "--digestfile", digestFile, imageId, `oci:${layoutDir}`];
}

/** Pure: `podman login` argv; the password goes to standard input, never here. */
export function podmanLoginArgv(host: string, username: string, tlsVerify: boolean): string[] {
  return ["login", "--username", username, "--password-stdin", ...(tlsVerify ? [] : ["--tls-verify=false"]), host];
}

export function isTransientRegistryError(error: unknown): boolean {
  if (error instanceof RegistryError && error.status !== undefined) return error.status === 429 || error.status >= 500;
  return isTransient(`error: ${(error as Error)?.message ?? error}`);
}

/**
 * `podman build` per entry (at most `concurrency` at once), then `podman push
 * --digestfile` into an OCI layout and an upload of that layout by digest: a docker://
 * push always names a tag (`latest` when none is given), so the registry upload is done
 * here, by digest only. Tags are put only after every entry has its digest.
 */
export function podmanRunner(
  context: RunnerContext,
  options: { tlsVerify: boolean; concurrency: number; podman?: string; client?: RegistryClient },
): ImageRunner {
  const podman = options.podman ?? "podman";
  const client = options.client ?? new RegistryClient({ tlsVerify: options.tlsVerify, env: context.env });
  const exec = (argv: string[], input?: string, secrets?: string[]) =>
    run(podman, argv, { cwd: context.cwd, env: context.env, input, secrets });

  async function withRetries<T>(what: string[], action: () => Promise<T>): Promise<T> {
    let last: unknown;
    let attempts = 0;
    for (let attempt = 1; attempt <= context.retry.attempts; attempt++) {
      attempts = attempt;
      try {
        return await action();
      } catch (error) {
        last = error;
        if (!isTransientRegistryError(error)) break;
        context.logger.warn(`${what.join(", ")}: ${(error as Error).message}; trying again`);
        if (attempt < context.retry.attempts) await sleep(backoffMs(attempt + 1, context.retry.delayMs));
      }
    }
    throw getError("EIMAGEPUSH", { refs: what, attempts, reason: (last as Error)?.message ?? String(last) });
  }

  async function buildAndPush(plan: ImagePlan, labels: Record<string, string>, work: string): Promise<PushedImage> {
    const dir = join(work, plan.id);
    const iidfile = join(work, `${plan.id}.iid`);
    const digestFile = join(work, `${plan.id}.digest`);
    let build = await exec(podmanBuildArgv(plan, labels, { iidfile, tlsVerify: options.tlsVerify }));
    for (let attempt = 2; build.exitCode !== 0 && isTransient(build.all) && attempt <= context.retry.attempts; attempt++) {
      await sleep(backoffMs(attempt, context.retry.delayMs));
      build = await exec(podmanBuildArgv(plan, labels, { iidfile, tlsVerify: options.tlsVerify }));
    }
    if (build.exitCode !== 0) throw getError("EIMAGEBUILD", { entries: [plan.label], output: tail(build.all) });
    const imageId = (await readFile(iidfile, "utf8")).trim();
    const layout = await exec(podmanLayoutPushArgv(imageId, dir, digestFile));
    if (layout.exitCode !== 0) throw getError("EIMAGEBUILD", { entries: [plan.label], output: tail(layout.all) });
    const digest = (await readFile(digestFile, "utf8")).trim();
    await withRetries([`${plan.repository}@${digest}`], () => client.pushLayout(dir, plan.repository, digest));
    await rm(dir, { recursive: true, force: true });
    context.logger.log(`Pushed ${plan.label} as ${plan.repository}@${digest}`);
    return { plan, digest };
  }

  return {
    async check() {
      const result = await exec(["--version"]);
      if (result.exitCode === 0) return undefined;
      return getError("ENOBUILDER", { builder: "podman", command: "podman --version", hint: tail(result.all, 5) || undefined });
    },

    async login(host, username, password) {
      const result = await exec(podmanLoginArgv(host, username, options.tlsVerify), password, [password]);
      if (result.exitCode !== 0) throw getError("EIMAGEPUSH", { refs: [host], attempts: 1, reason: `podman login failed: ${tail(result.all, 5)}` });
    },

    async push(plans, labels) {
      const work = await mkdtemp(join(tmpdir(), "pyrelease-podman-"));
      try {
        const pushed: PushedImage[] = [];
        const errors: Error[] = [];
        let next = 0;
        const worker = async () => {
          while (next < plans.length) {
            const plan = plans[next++];
            try {
              pushed.push(await buildAndPush(plan, labels, work));
            } catch (error) {
              errors.push(error as Error);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(options.concurrency, plans.length) }, worker));
        throwAll(errors);
        return plans.map((plan) => pushed.find((p) => p.plan === plan)!);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },

    async tag(images) {
      for (const { plan, digest } of images) {
        for (const tag of plan.tags) {
          await withRetries([`${plan.repository}:${tag}`], () => client.tag(plan.repository, digest, tag));
        }
        context.logger.log(`Tagged ${plan.repository}@${digest} as ${plan.tags.join(", ")}`);
      }
    },
  };
}
