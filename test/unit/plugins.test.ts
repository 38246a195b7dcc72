import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { buildTime, missingDockerfiles } from "../../src/plugins/images.js";
import { readArtifactsOptions } from "../../src/release/record.js";
import { EXAMPLE_DIR } from "../support/paths.js";

test("images are stamped with SOURCE_DATE_EPOCH when it is set (reproducible builds), else now", () => {
  assert.equal(buildTime({ SOURCE_DATE_EPOCH: "1767225600" }), "2026-01-01T00:00:00.000Z");
  for (const env of [{}, { SOURCE_DATE_EPOCH: "" }, { SOURCE_DATE_EPOCH: "yesterday" }]) {
    const stamped = Date.parse(buildTime(env));
    assert.ok(Math.abs(stamped - Date.now()) < 60_000, JSON.stringify(env));
  }
});

test("ENODOCKERFILE names every entry whose Dockerfile is missing", async () => {
  const plan = (label: string, dockerfile: string) => ({ label, dockerfile }) as Parameters<typeof missingDockerfiles>[0][number];
  const plans = [plan("pytorch-cuda12", "docker/Dockerfile.pytorch"), plan("jax-cuda12", "docker/Dockerfile.jax")];
  expect(await missingDockerfiles(plans, EXAMPLE_DIR)).toEqual([{ entry: "jax-cuda12", dockerfile: "docker/Dockerfile.jax" }]);
});

test("the artifacts options: a manifest path or false, nothing else", () => {
  const cases: [unknown, object, string[]][] = [
    [undefined, {}, []],
    [{ manifest: "out/manifest.json" }, { manifest: "out/manifest.json" }, []],
    [{ manifest: false }, { manifest: false }, []],
    [{ manifest: "" }, {}, ["artifacts.manifest"]],
    [{ manifest: true, colour: 1 }, {}, ["artifacts.manifest", "artifacts.colour"]],
    ["yes", {}, ["artifacts"]],
  ];
  for (const [artifacts, options, keys] of cases) {
    const read = readArtifactsOptions({ artifacts });
    expect(read.options).toEqual(options);
    expect(read.problems.map((p) => p.key)).toEqual(keys);
  }
});
