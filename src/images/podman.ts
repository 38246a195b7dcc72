import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getError, throwAll } from "../errors.js";
import { run, tail } from "../exec.js";
import { registryFailure } from "./access.js";
import type { ImagePlan } from "./plan.js";
import type { PlatformImage } from "./platforms.js";
import { RegistryClient } from "./registry.js";
import { GaveUp, withAttempts } from "../http.js";
import type { ImageRunner, PushedImage, RunnerContext } from "./runner.js";

/** Pure: `podman build` argv for one entry on one platform. */
export function podmanBuildArgv(plan: ImagePlan, labels: Record<string, string>, options: { iidfile: string; tlsVerify: boolean; platform?: string }): string[] {
  return [
    "build",
    "--file",
    plan.dockerfile,
    "--iidfile",
    options.iidfile,
    // podman 4.x reuses a cached LABEL/ENV step built with another --build-arg value
    // (seen here: the cuda12 image labelled cuda11); without intermediate layers, no step is reused.
    "--layers=false",
    ...(options.platform ? ["--platform", options.platform] : []),
    ...(plan.target ? ["--target", plan.target] : []),
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

/**
 * `podman build --platform` per entry and platform (at most `concurrency` entries at
 * once), `podman push --digestfile` into an OCI layout, and an upload of that layout by
 * digest through our registry client (a docker:// push always names a tag); an entry of
 * several platforms is then one OCI image index over them, pushed by digest too. Tags
 * are put only after every entry has its digest.
 */
export function podmanRunner(context: RunnerContext, options: { tlsVerify: boolean; concurrency: number; podman?: string; client?: RegistryClient }): ImageRunner {
  const podman = options.podman ?? "podman";
  const client =
    options.client ??
    new RegistryClient({
      tlsVerify: options.tlsVerify,
      env: context.env,
      retry: context.retry,
      onRetry: (what, failure, next) => context.logger.warn(`${what}: ${(failure as Error).message}; trying again (attempt ${next} of ${context.retry.attempts})`),
    });
  const exec = (argv: string[], input?: string, secrets?: string[]) => run(podman, argv, { cwd: context.cwd, env: context.env, input, secrets });

  async function build(plan: ImagePlan, labels: Record<string, string>, platform: string, work: string, n: number): Promise<PlatformImage> {
    const name = `${plan.id}-${n}`;
    const iidfile = join(work, `${name}.iid`);
    const digestFile = join(work, `${name}.digest`);
    const layout = join(work, name);
    try {
      await withAttempts(context.retry, async () => {
        const result = await exec(podmanBuildArgv(plan, labels, { iidfile, tlsVerify: options.tlsVerify, platform }));
        if (result.exitCode !== 0) throw new Error(result.all);
      });
    } catch (error) {
      throw getError("EIMAGEBUILD", { entries: [plan.platforms.length > 1 ? `${plan.label} (${platform})` : plan.label], output: tail(error instanceof GaveUp ? error.message : String(error)) });
    }
    const imageId = (await readFile(iidfile, "utf8")).trim();
    const pushed = await exec(podmanLayoutPushArgv(imageId, layout, digestFile));
    if (pushed.exitCode !== 0) throw getError("EIMAGEBUILD", { entries: [plan.label], output: tail(pushed.all) });
    const digest = (await readFile(digestFile, "utf8")).trim();
    try {
      const descriptor = await client.pushLayout(layout, plan.repository, digest);
      return { platform, digest, size: descriptor.size, mediaType: descriptor.mediaType };
    } catch (error) {
      throw await registryFailure(error, [`${plan.repository}@${digest}`], client);
    } finally {
      await rm(layout, { recursive: true, force: true });
    }
  }

  async function buildAndPush(plan: ImagePlan, labels: Record<string, string>, work: string): Promise<PushedImage> {
    const images: PlatformImage[] = [];
    for (const [n, platform] of plan.platforms.entries()) images.push(await build(plan, labels, platform, work, n));
    if (images.length === 1) {
      context.logger.log(`Pushed ${plan.label} as ${plan.repository}@${images[0].digest}`);
      return { plan, digest: images[0].digest };
    }
    let digest: string;
    try {
      digest = await client.pushIndex(plan.repository, images);
    } catch (error) {
      throw await registryFailure(error, [plan.repository], client);
    }
    context.logger.log(`Pushed ${plan.label} as ${plan.repository}@${digest} (index of ${images.map((i) => i.platform).join(", ")})`);
    return { plan, digest, platforms: images.map(({ platform, digest: d }) => ({ platform, digest: d })) };
  }

  return {
    async check() {
      const result = await exec(["--version"]);
      if (result.exitCode === 0) return undefined;
      return getError("ENOBUILDER", { builder: "podman", command: "podman --version", hint: tail(result.all, 5) || undefined });
    },

    async login(host, credentials) {
      const result = await exec(podmanLoginArgv(host, credentials.username, options.tlsVerify), credentials.password, [credentials.password]);
      if (result.exitCode !== 0) {
        throw getError("EREGISTRYAUTH", { refusals: [{ repository: host, reason: `podman login failed: ${tail(result.all, 5)}`, source: credentials.username }], beforeTag: false });
      }
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
      // Tag by position across the matrix: every entry's own tags first, the moving ones
      // (`latestTags`, last in each plan) after, so a failure halfway leaves `latest` where it was.
      const rounds = Math.max(0, ...images.map((image) => image.plan.tags.length));
      for (let round = 0; round < rounds; round++) {
        for (const { plan, digest } of images) {
          const tag = plan.tags[round];
          if (tag === undefined) continue;
          try {
            await client.tag(plan.repository, digest, tag);
          } catch (error) {
            throw await registryFailure(error, [`${plan.repository}:${tag}`], client);
          }
        }
      }
      for (const { plan, digest } of images) if (plan.tags.length) context.logger.log(`Tagged ${plan.repository}@${digest} as ${plan.tags.join(", ")}`);
    },
  };
}
