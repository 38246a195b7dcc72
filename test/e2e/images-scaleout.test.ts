import { test } from "@jest/globals";
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

test("finalize tags every entry and writes images and PyPI hashes into the draft, keeping the curator's text", async () => {
  const { createHash } = await import("node:crypto");
  const { createDockerStandin, recordedMetadata } = await import("../support/docker-standin.js");
  const { startGitHubServer } = await import("../support/github-server.js");
  const { startPypiServer } = await import("../support/pypi-server.js");
  const { createRepo, exampleVersionFiles } = await import("../support/repo.js");
  const { imagesCommand } = await import("../../src/commands/images.js");
  const sha = (text: string) => `sha256:${createHash("sha256").update(text).digest("hex")}`;
  const docker = createDockerStandin();
  const github = await startGitHubServer();
  const pypi = await startPypiServer();
  const matrix = { backend: ["pytorch", "vllm"], cuda: ["cuda12"] };
  const repo = createRepo({
    files: exampleVersionFiles("4.0.0"),
    releaserc: { pypi: { repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl }, images: { repository: "docker.io/llenergymeasure", matrix, latest: { cuda: "cuda12" }, scaleOut: true } },
  });
  try {
    repo.commit("feat: 4.0.0");
    repo.tag("v4.0.0");
    const wheel = Buffer.from("wheel bytes");
    pypi.addFile("llenergymeasure_demo-4.0.0-py3-none-any.whl", wheel, "llenergymeasure-demo", "4.0.0");
    const draft = github.addRelease({ tag_name: "v4.0.0", draft: true, body: "## v4.0.0 — curated by hand\n\nKeep this.\n" });
    docker.setScenario({ recorded: Object.fromEntries(["pytorch-cuda12", "vllm-cuda12"].map((t) => [t, recordedMetadata(sha(`manifest ${t}`), sha(`config ${t}`))])) });
    const err: string[] = [];
    const io = {
      cwd: repo.dir,
      env: { ...process.env, PATH: `${docker.bin}:${process.env.PATH}`, GITHUB_TOKEN: github.token, GITHUB_API_URL: github.url, DOCKERHUB_USERNAME: undefined, DOCKERHUB_TOKEN: undefined },
      stdout: () => undefined,
      stderr: (text: string) => void err.push(text),
    };
    for (const only of ["backend=pytorch,cuda=cuda12", "backend=vllm,cuda=cuda12"]) {
      assert.equal(await imagesCommand(["build", "--only", only, "--version", "4.0.0"], io), 0, err.join(""));
    }
    const password = "dckr_pat_finalize_secret_0123456789";
    const finalizeIo = { ...io, env: { ...io.env, DOCKERHUB_USERNAME: "llenergymeasure", DOCKERHUB_TOKEN: password } };
    assert.equal(await imagesCommand(["finalize", "--version", "4.0.0", "--latest"], finalizeIo), 0, err.join(""));
    const logins = docker.calls().filter((call) => call.argv[0] === "login");
    assert.equal(logins.length, 1, "finalize logs in to create the tags");
    assert.equal(logins[0].stdin, password, "the password goes through standard input");
    assert.ok(!logins[0].argv.includes(password), "never through argv");
    const body = github.release(draft.id)!.body!;
    assert.match(body, /^## v4\.0\.0 — curated by hand\n\nKeep this\./, "the curator's text stays first and untouched");
    assert.ok(body.includes(createHash("sha256").update(wheel).digest("hex")), "the wheel's sha256, as the index holds it");
    assert.ok(body.includes(`docker.io/llenergymeasure/pytorch@${sha("manifest pytorch-cuda12")}`), body);
    assert.ok(body.includes(`docker.io/llenergymeasure/vllm@${sha("manifest vllm-cuda12")}`), body);
    assert.equal(github.release(draft.id)!.draft, true);
  } finally {
    repo.cleanup();
    docker.cleanup();
    await github.close();
    await pypi.close();
  }
});
