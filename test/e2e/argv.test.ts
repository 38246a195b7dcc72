import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, test } from "@jest/globals";
import * as images from "../../src/plugins/images.js";
import * as pypi from "../../src/plugins/pypi.js";
import { createDockerStandin, recordedMetadata } from "../support/docker-standin.js";
import { fakePython, makeProject, pluginContext } from "../support/plugin-context.js";
import { needPythonTools } from "../support/tools.js";

/**
 * Real subprocesses: a recording `python` (in a folder whose name a shell would expand)
 * and the recording `docker` stand-in receive hostile option values as single argv
 * entries, and no shell ever runs the payloads.
 */
const cleanups: (() => unknown)[] = [];
afterAll(() => cleanups.reverse().forEach((c) => c()));

const CANARY = `pyrelease-pwned-${process.pid}`;
const HOSTILE = [
  "two words",
  `"double" and 'single' quotes`,
  `$(touch /tmp/${CANARY})`,
  `\`touch /tmp/${CANARY}\``,
  "line one\nline two",
  `semi; colon && touch /tmp/${CANARY} | cat`,
];

const canaryFired = () => existsSync(join("/tmp", CANARY)) || readdirSync(tmpdir()).includes(CANARY);

test("pypi.python, pypi.buildArgs and pypi.distDir reach python as single argv entries", async () => {
  if (!needPythonTools()) return;
  const python = fakePython({ dirName: `py $(touch /tmp/${CANARY}) \`id\` bin`, dist: { name: "llenergymeasure-demo", version: "2.0.0", metadataVersion: "2.1" } });
  const project = makeProject();
  cleanups.push(() => python.cleanup(), () => project.cleanup());
  const distDir = `out dir/$(touch /tmp/${CANARY})`;
  const config = { pypi: { python: python.path, buildArgs: HOSTILE, distDir, publish: false } };
  const { context, output } = pluginContext({ cwd: project.dir, gitHead: project.gitHead });
  await pypi.verifyConditions(config, context);
  await pypi.prepare(config, context);

  const build = python.calls().find((argv) => argv[0] === "-m" && argv[1] === "build" && argv.includes("--outdir"));
  assert.ok(build, `python -m build ran through the recording interpreter:\n${output()}`);
  for (const value of HOSTILE) assert.equal(build!.filter((a) => a === value).length, 1, `${JSON.stringify(value)} arrived as one entry`);
  assert.equal(build!.at(-1), ".", "the project folder is the last entry, not split from a hostile one");
  assert.ok(existsSync(join(project.dir, distDir, "llenergymeasure_demo-2.0.0.tar.gz")), "distDir is a literal folder name");
  assert.ok(!canaryFired(), "no shell ran a payload");
});

test("images.buildArgs values reach docker buildx bake verbatim; the builder name stays one argv entry", async () => {
  const docker = createDockerStandin();
  cleanups.push(() => docker.cleanup());
  docker.setScenario({ recorded: { "pytorch-cuda12": recordedMetadata(`sha256:${"c".repeat(64)}`, `sha256:${"d".repeat(64)}`) } });
  const project = makeProject();
  cleanups.push(() => project.cleanup());
  const buildArgs = Object.fromEntries(HOSTILE.map((v, i) => [`ARG_${i}`, v]));
  const builder = `my builder $(touch /tmp/${CANARY})`;
  const config = { images: { repository: "docker.io/llenergymeasure", matrix: { backend: ["pytorch"], cuda: ["cuda12"] }, buildArgs, buildxBuilder: builder } };
  const { context } = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: { PATH: `${docker.bin}:${process.env.PATH}`, HOME: process.env.HOME } });
  const result = await images.publish(config, context);
  assert.ok(result);
  const target = docker.lastBake().target["pytorch-cuda12"];
  for (const [key, value] of Object.entries(buildArgs)) assert.equal(target.args[key], value);
  for (const call of docker.calls().filter((c) => c.argv[0] === "buildx" && c.argv[1] !== "version")) {
    assert.equal(call.argv[call.argv.indexOf("--builder") + 1], builder, call.argv.join(" "));
  }
  assert.ok(!canaryFired(), "no shell ran a payload");
});
