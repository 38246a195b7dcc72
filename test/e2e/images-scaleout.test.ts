import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { publish, verifyConditions } from "../../src/plugins/images.js";
import type { Context } from "../../src/context.js";

/** scaleOut: the release job builds nothing and hands the matrix to per-entry jobs through $GITHUB_OUTPUT. */
test("scaleOut writes version, tag and a strategy matrix to $GITHUB_OUTPUT and builds nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pyrelease-scaleout-"));
  try {
    const output = join(dir, "github-output");
    writeFileSync(output, "");
    for (const backend of ["pytorch", "vllm", "tensorrt"]) writeFileSync(join(dir, `Dockerfile.${backend}`), "FROM scratch\n");
    const logs: string[] = [];
    const log = (...args: unknown[]) => logs.push(args.join(" "));
    const context: Context = {
      cwd: dir,
      // No docker and no podman on PATH: a scaled-out release job needs no builder.
      env: { GITHUB_OUTPUT: output, PATH: dir },
      logger: { log, warn: log, error: log, success: log },
      options: { repositoryUrl: "https://github.com/o/r.git" },
      branch: { name: "main", type: "release", main: true },
      nextRelease: { version: "2.1.0", gitTag: "v2.1.0", gitHead: "abc" },
    };
    const config = {
      images: { repository: "docker.io/llenergymeasure", matrix: { backend: ["pytorch", "vllm", "tensorrt"], cuda: ["cuda11", "cuda12"] }, dockerfile: "Dockerfile.{backend}", scaleOut: true },
    };
    await verifyConditions(config, context);
    assert.equal(await publish(config, context), false, "nothing published by the release job itself");
    const values = Object.fromEntries(
      readFileSync(output, "utf8")
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    assert.equal(values.version, "2.1.0");
    assert.equal(values.pep440, "2.1.0");
    assert.equal(values.tag, "v2.1.0");
    assert.equal(values.latest, "true");
    const matrix = JSON.parse(values["images-matrix"]);
    assert.equal(matrix.include.length, 6);
    assert.ok(matrix.include.some((job: { only: string }) => job.only === "backend=vllm,cuda=cuda12"), JSON.stringify(matrix));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
