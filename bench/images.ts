import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "../src/context.js";
import { publish } from "../src/plugins/images.js";
import { EXAMPLE_DIR } from "../test/support/repo.js";

/**
 * Stand-in builders whose every image build takes exactly `buildMs`:
 * - `docker`: `buildx bake` starts every requested target's build at once, as BuildKit
 *   solves the targets of one bake concurrently, and records a digest per target;
 *   `imagetools create` and `buildx version` answer at once.
 * - `podman`: `build` takes `buildMs` and writes the image id; `push --digestfile … oci:DIR`
 *   writes a small valid OCI layout that the plugin then uploads to a real registry.
 */
const SCRIPT = String.raw`
const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const buildMs = Number(process.env.BENCH_BUILD_MS);
const argv = process.argv.slice(3);
const tool = process.argv[2];
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const sha = (data) => "sha256:" + crypto.createHash("sha256").update(data).digest("hex");
const build = () => new Promise((resolve) => setTimeout(resolve, buildMs));
const done = () => process.exit(0);

(async () => {
  if (tool === "docker") {
    if (argv[1] === "version") return process.stdout.write("github.com/docker/buildx v0.20.0 bench\n"), done();
    if (argv[1] === "imagetools") return done();
    if (argv[1] === "bake") {
      const bake = JSON.parse(fs.readFileSync(option("-f"), "utf8"));
      const valueFlags = new Set(["-f", "--file", "--metadata-file", "--progress", "--builder", "--set"]);
      const positional = argv.slice(2).filter((a, i, all) => !a.startsWith("-") && !valueFlags.has(all[i - 1]));
      const targets = positional.length ? positional : bake.group.default.targets;
      await Promise.all(targets.map(build));
      const metadata = Object.fromEntries(targets.map((t) => [t, { "containerimage.digest": sha("manifest " + t) }]));
      fs.writeFileSync(option("--metadata-file"), JSON.stringify(metadata));
      return done();
    }
  }
  if (tool === "podman") {
    if (argv[0] === "--version") return process.stdout.write("podman version 4.3.1 bench\n"), done();
    if (argv[0] === "build") {
      await build();
      fs.writeFileSync(option("--iidfile"), sha(argv.join(" ")) + "\n");
      return done();
    }
    if (argv[0] === "push") {
      const layout = argv[argv.length - 1].replace(/^oci:/, "");
      const imageId = argv[argv.length - 2];
      const blobs = path.join(layout, "blobs", "sha256");
      fs.mkdirSync(blobs, { recursive: true });
      const put = (data) => { const d = sha(data); fs.writeFileSync(path.join(blobs, d.slice(7)), data); return { digest: d, size: Buffer.byteLength(data) }; };
      const layer = put(crypto.createHash("sha512").update(imageId).digest());
      const config = put(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { id: imageId } }, rootfs: { type: "layers", diff_ids: [layer.digest] } }));
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", ...config },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", ...layer }],
      });
      const m = put(manifest);
      fs.writeFileSync(path.join(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
      fs.writeFileSync(path.join(layout, "index.json"), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", ...m }] }));
      fs.writeFileSync(option("--digestfile"), m.digest);
      return done();
    }
  }
  process.stderr.write("bench stand-in " + tool + ": unexpected " + argv.join(" ") + "\n");
  process.exit(1);
})();
`;

export interface TimedBuilders {
  bin: string;
  env: Record<string, string | undefined>;
  cleanup(): void;
}

export function timedBuilders(buildMs: number): TimedBuilders {
  const bin = mkdtempSync(join(tmpdir(), "pyrelease-bench-builders-"));
  writeFileSync(join(bin, "standin.cjs"), SCRIPT);
  for (const tool of ["docker", "podman"]) {
    writeFileSync(join(bin, tool), `#!/bin/sh\nexec "${process.execPath}" "${join(bin, "standin.cjs")}" ${tool} "$@"\n`);
    chmodSync(join(bin, tool), 0o755);
  }
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, BENCH_BUILD_MS: String(buildMs), DOCKERHUB_USERNAME: undefined, DOCKERHUB_TOKEN: undefined, BUILDX_BUILDER: undefined };
  return { bin, env, cleanup: () => rmSync(bin, { recursive: true, force: true }) };
}

const MATRIX = { backend: ["pytorch", "vllm", "tensorrt"], cuda: ["cuda11", "cuda12"] };

function context(cwd: string, env: Record<string, string | undefined>): Context {
  const quiet = () => undefined;
  return {
    cwd,
    env,
    logger: { log: quiet, warn: quiet, error: quiet, success: quiet },
    options: { dryRun: false, repositoryUrl: "https://github.com/o/r.git" },
    branch: { name: "main", type: "release", main: true },
    nextRelease: { version: "2.0.0", gitTag: "v2.0.0", gitHead: "0".repeat(40), channel: null },
  };
}

/** The images plugin's publish of the 6-entry matrix; returns the wall time and checks every entry came back with a digest. */
export async function matrixPublish(builders: TimedBuilders, images: Record<string, unknown>): Promise<number> {
  const started = performance.now();
  const result = await publish({ images: { matrix: MATRIX, buildArgs: { CUDA: "{cuda}" }, latest: { cuda: "cuda12" }, ...images } }, context(EXAMPLE_DIR, builders.env));
  const elapsed = performance.now() - started;
  if (!result || result.images.length !== 6 || result.images.some((i) => !/^sha256:[0-9a-f]{64}$/.test(i.digest))) {
    throw new Error(`the matrix publish returned ${JSON.stringify(result)}`);
  }
  return elapsed;
}

/** One image build through the same stand-in, run directly: the time the matrix would take with perfect parallelism and no overhead. */
export function singleBuild(builders: TimedBuilders): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), "pyrelease-bench-one-"));
  const argv = ["build", "--iidfile", join(work, "iid"), "--file", "docker/Dockerfile.pytorch", "."];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(join(builders.bin, "podman"), argv, { cwd: EXAMPLE_DIR, env: builders.env as NodeJS.ProcessEnv, stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => {
      rmSync(work, { recursive: true, force: true });
      return code === 0 ? resolve(performance.now() - started) : reject(new Error(`the stand-in build exited ${code}`));
    });
  });
}

