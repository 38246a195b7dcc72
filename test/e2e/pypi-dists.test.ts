import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, test, expect } from "@jest/globals";
import * as pypi from "../../src/plugins/pypi.js";
import { twineUpload } from "../../src/pypi/twine.js";
import { errorsOf, pluginContext } from "../support/plugin-context.js";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { EXAMPLE_DIR, git, NO_PROVENANCE } from "../support/repo.js";
import { CURRENT_PYTHON, needPythonTools, needTool, OLDEST_PYTHON } from "../support/tools.js";

/**
 * `pypi.dists`, and everything PyPI would refuse found in prepare, before the tag: real
 * builds (hatchling, setuptools with a C extension, Debian 12's old setuptools) checked
 * by the plugin, and the same files offered to the PyPI stand-in, which refuses them as
 * Warehouse does, so the plugin's verdict and the index's agree.
 */

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const RETRY = { attempts: 2, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 };
const NO_ISOLATION = ["--no-isolation", "--skip-dependency-check"];
const SDIST = "llenergymeasure_demo-2.0.0.tar.gz";
const WHEEL = "llenergymeasure_demo-2.0.0-py3-none-any.whl";

/** A committed project in a fresh folder: the example (or nothing) plus `files`; `null` deletes. */
function project(files: Record<string, string | null> = {}, options: { example?: boolean; root?: string } = {}) {
  const root = mkdtempSync(join(tmpdir(), options.root ?? "pyrelease-dists-"));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, "project");
  if (options.example ?? true) cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (src) => !/(^|\/)(dist|__pycache__)$/.test(src) });
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    if (content === null) rmSync(join(dir, path), { force: true });
    else {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
  }
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "feat: demo"]);
  return { root, dir, gitHead: git(dir, ["rev-parse", "HEAD"]) };
}

/** Write files after the commit: what a CI checkout picks up from a build step or a stray `npm install`. */
function leave(dir: string, files: Record<string, string | Buffer>) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

async function server(options: Parameters<typeof startPypiServer>[0] = {}): Promise<PypiServer> {
  const s = await startPypiServer(options);
  cleanups.push(() => s.close());
  return s;
}

const oidcEnv = (s: PypiServer) => ({ GITHUB_ACTIONS: "true", ACTIONS_ID_TOKEN_REQUEST_URL: s.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: s.requestToken });
const config = (s: PypiServer | undefined, pypiOptions: Record<string, unknown> = {}) => ({
  provenance: NO_PROVENANCE,
  pypi: { ...(s ? { repositoryUrl: s.uploadUrl, indexUrl: s.indexUrl } : {}), python: CURRENT_PYTHON, buildArgs: NO_ISOLATION, retry: RETRY, ...pypiOptions },
});

/** Run the plugin's steps as semantic-release does; returns what they logged and threw. */
async function release(p: { dir: string; gitHead: string }, pluginConfig: Record<string, any>, env: Record<string, string> = {}, version = "2.0.0") {
  const { context, output } = pluginContext({ cwd: p.dir, gitHead: p.gitHead, env, version });
  try {
    await pypi.verifyConditions(pluginConfig, context);
    await pypi.verifyRelease(pluginConfig, context);
    await pypi.prepare(pluginConfig, context);
    const result = await pypi.publish(pluginConfig, context);
    return { result, output: output(), errors: [] as ReturnType<typeof errorsOf> };
  } catch (error) {
    return { result: undefined, output: output(), errors: errorsOf(error) };
  }
}

const stored = (s: PypiServer) => s.files().map((f) => f.filename).sort();
const codes = (errors: { code: string }[]) => errors.map((e) => e.code).sort();
const gitStatus = (dir: string) => git(dir, ["status", "--porcelain", "--untracked-files=all"]);

/** The stand-in's own verdict on a built file, uploaded directly with twine. */
async function indexVerdict(s: PypiServer, python: string, path: string, cwd: string) {
  const mint = await fetch(`${s.url}/_/oidc/mint-token`, {
    method: "POST",
    body: JSON.stringify({ token: s.gitlabIdToken("o/r") }),
    headers: { "content-type": "application/json" },
  });
  const { token } = (await mint.json()) as { token: string };
  const upload = await twineUpload({ python, cwd, repositoryUrl: s.uploadUrl, paths: [path], token, timeoutMs: 60_000 });
  return upload.outcome;
}

describe("pypi.dists", () => {
  test("an sdist-only release builds, checks and uploads the sdist alone", async () => {
    needPythonTools();
    const s = await server();
    const p = project();
    const run = await release(p, config(s, { dists: ["sdist"] }), oidcEnv(s));
    expect(run.errors).toEqual([]);
    expect(stored(s)).toEqual([SDIST]);
    assert.match(run.output, /will build llenergymeasure_demo-2\.0\.0\.tar\.gz into dist and upload/);
    assert.match(run.output, /-m build --outdir \S+ --sdist --no-isolation/);
    expect((run.result as any).files.map((f: any) => f.filename)).toEqual([SDIST]);
    expect(readdirSync(join(p.dir, "dist")).filter((f) => f !== ".gitignore")).toEqual([SDIST]);
  });

  test("a wheel-only release, built by uv, uploads the wheel alone", async () => {
    needPythonTools();
    const s = await server();
    const p = project();
    const run = await release(p, config(s, { dists: ["wheel"], builder: "uv", buildArgs: ["--no-build-isolation"] }), oidcEnv(s));
    expect(run.errors).toEqual([]);
    expect(stored(s)).toEqual([WHEEL]);
    assert.match(run.output, /builds with uv 0\.13\.9 and checks with twine 7\.0\.0/);
    assert.match(run.output, /-m uv build --python \S+ --out-dir \S+ --wheel --no-build-isolation \./);
  });

  test("buildArgs [\"--sdist\"] is refused before anything runs, pointing at pypi.dists (not EDISTVERSION)", async () => {
    needPythonTools();
    const p = project();
    const run = await release(p, config(undefined, { buildArgs: ["--sdist"] }), { PYPI_TOKEN: "pypi-unused" });
    expect(codes(run.errors)).toEqual(["EINVALIDCONFIG"]);
    assert.match(run.errors[0].details, /`pypi\.buildArgs`: --sdist: which distributions are built is pypi\.dists; set for example "pypi": \{ "dists": \["sdist"\] \} instead/);
    assert.ok(!existsSync(join(p.dir, "dist")), "nothing was built");
  });
});

describe("PyPI's refusals, found in prepare", () => {
  const C_EXTENSION = {
    "pyproject.toml": `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "cdemo"\nversion = "2.0.0"\ndescription = "A C extension"\nreadme = "README.md"\n`,
    "setup.py": `from setuptools import Extension, setup\nsetup(packages=["cdemo"], package_dir={"": "src"}, ext_modules=[Extension("cdemo._speedups", ["src/cdemo/_speedups.c"])])\n`,
    "README.md": "# cdemo\n\nA C extension.\n",
    "src/cdemo/__init__.py": "",
    "src/cdemo/_speedups.c": `#include <Python.h>\nstatic struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, NULL};\nPyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }\n`,
  };

  test("a C extension's linux_x86_64 wheel is EWHEELPLATFORM before any upload; pypi.dists [\"sdist\"] releases it", async () => {
    needPythonTools();
    needTool(["gcc", "--version"], "gcc");
    const s = await server({ project: "cdemo" });
    const p = project(C_EXTENSION, { example: false });
    const refused = await release(p, config(s), oidcEnv(s));
    expect(codes(refused.errors)).toEqual(["EWHEELPLATFORM"]);
    const [error] = refused.errors;
    assert.match(error.message, /^PyPI refuses the platform tag linux_x86_64 of cdemo-2\.0\.0-cp\d+-cp\d+-linux_x86_64\.whl\.$/);
    assert.match(error.details, /"pypi": \{ "dists": \["sdist"\] \}/);
    assert.match(error.details, /cibuildwheel/);
    assert.match(error.details, /auditwheel repair/);
    expect(s.uploads()).toEqual([]);

    // The index agrees: offered directly, the wheel is refused for the same tag.
    const wheel = readdirSync(join(p.dir, "dist")).find((f) => f.endsWith(".whl"))!;
    const verdict = await indexVerdict(s, CURRENT_PYTHON, join(p.dir, "dist", wheel), p.dir);
    assert.equal(verdict.kind, "fatal");
    assert.match((verdict as { reason: string }).reason, /has an unsupported platform tag 'linux_x86_64'/);
    expect(s.files()).toEqual([]);

    const sdistOnly = await release(p, config(s, { dists: ["sdist"] }), oidcEnv(s));
    expect(sdistOnly.errors).toEqual([]);
    expect(stored(s)).toEqual(["cdemo-2.0.0.tar.gz"]);
    assert.equal(gitStatus(p.dir), "", "setuptools' egg-info and build/ were cleared away, dist/ ignores itself");
  });

  test("old setuptools' file names are EDISTNAME, in the words PyPI uses (oldest toolchain)", async () => {
    needPythonTools();
    const s = await server({ project: "demo-pkg" });
    const p = project(
      {
        "pyproject.toml": `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "Demo-Pkg"\nversion = "1.0.0"\ndescription = "Old names"\nreadme = "README.md"\n`,
        "README.md": "# Demo-Pkg\n",
        "demo_pkg/__init__.py": "",
      },
      { example: false },
    );
    const run = await release(p, config(s, { python: OLDEST_PYTHON }), oidcEnv(s), "1.0.0");
    expect(codes(run.errors)).toEqual(["EDISTNAME"]);
    assert.match(run.errors[0].message, /PyPI would refuse 2 file names: Demo-Pkg-1\.0\.0\.tar\.gz, Demo_Pkg-1\.0\.0-py3-none-any\.whl\./);
    assert.match(run.errors[0].details, /`Demo-Pkg-1\.0\.0\.tar\.gz` is invalid, should be 'demo_pkg-1\.0\.0\.tar\.gz'/);
    assert.match(run.errors[0].details, /`Demo_Pkg-1\.0\.0-py3-none-any\.whl` should contain the normalized project name 'demo_pkg', not 'Demo_Pkg'/);
    expect(s.uploads()).toEqual([]);
    const verdict = await indexVerdict(s, OLDEST_PYTHON, join(p.dir, "dist", "Demo-Pkg-1.0.0.tar.gz"), p.dir);
    assert.match((verdict as { reason: string }).reason, /Filename 'Demo-Pkg-1\.0\.0\.tar\.gz' is invalid, should be 'demo_pkg-1\.0\.0\.tar\.gz'/);
    assert.match(run.output, /Removed what the build backend left in the project folder: Demo_Pkg\.egg-info\//);
  });

  test("node_modules and local files in a hatchling sdist are ESDISTCONTENT, biggest first", async () => {
    needPythonTools();
    const s = await server();
    const p = project();
    leave(p.dir, { "node_modules/leftpad/index.js": "x".repeat(50_000), "node_modules/.bin/tool": "y".repeat(200_000), "notes.txt": "mine\n" });
    const run = await release(p, config(s), oidcEnv(s));
    expect(codes(run.errors)).toEqual(["ESDISTCONTENT"]);
    const [error] = run.errors;
    assert.match(error.message, /^llenergymeasure_demo-2\.0\.0\.tar\.gz carries 3 file\(s\) \(244\.1 kB\) the release commit does not track: node_modules\/, notes\.txt\.$/);
    assert.match(error.details, /\| `node_modules\/` \| 2 \| 244\.1 kB \| a JavaScript install \|\n\| `notes\.txt` \| 1 \| 0\.0 kB \| not tracked by git at the release commit \|/);
    assert.match(error.details, /\[tool\.hatch\.build\.targets\.sdist\] exclude = \["node_modules", "notes\.txt"\]/);
    assert.doesNotMatch(error.details, /drops \*\*every\*\*/);
    expect(s.uploads()).toEqual([]);
  });

  test("hatchling's trap: a .gitignore pattern that matches the project's path drops every rule; ESDISTCONTENT says so", async () => {
    needPythonTools();
    const s = await server();
    // The temp folder is /tmp/pyrelease-trap-XXXXXX: `pyrelease-trap-*` matches the project's own path.
    const p = project({ ".gitignore": "node_modules/\npyrelease-trap-*\n" }, { root: "pyrelease-trap-" });
    leave(p.dir, { "node_modules/leftpad/index.js": "module.exports = 1;\n" });
    assert.equal(gitStatus(p.dir), "", "git itself ignores node_modules");
    const run = await release(p, config(s), oidcEnv(s));
    expect(codes(run.errors)).toEqual(["ESDISTCONTENT"]);
    assert.match(run.errors[0].details, /\(\.gitignore lists it\)/);
    assert.match(run.errors[0].details, /hatchling drops \*\*every\*\* `\.gitignore` rule when the project's own path \(`\/tmp\/pyrelease-trap-\w+\/project`\) matches one of them/);

    // Control: the same ignore rules without the trap keep node_modules out.
    const clean = project({ ".gitignore": "node_modules/\n" });
    leave(clean.dir, { "node_modules/leftpad/index.js": "module.exports = 1;\n" });
    expect((await release(clean, config(s), oidcEnv(s))).errors).toEqual([]);
    expect(stored(s)).toEqual([WHEEL, SDIST]);
  });

  test("a file over the upload limit is EDISTSIZE; metadata PyPI rejects is EDISTMETADATA; both at once, and the index agrees", async () => {
    needPythonTools();
    const s = await server({ uploadLimitBytes: 1024 });
    const pyproject = readFileSync(join(EXAMPLE_DIR, "pyproject.toml"), "utf8")
      .replace(/^description = .*$/m, `description = "${"A summary far too long for PyPI. ".repeat(20)}"`)
      .replace("[project.scripts]", `[project.urls]\n"A label that is longer than PyPI allows" = "https://example.org"\n\n[project.scripts]`);
    const p = project({ "pyproject.toml": pyproject });
    const run = await release(p, config(s, { uploadLimitMB: 0.001 }), oidcEnv(s));
    expect(codes(run.errors)).toEqual(["EDISTMETADATA", "EDISTSIZE"]);
    const size = run.errors.find((e) => e.code === "EDISTSIZE")!;
    assert.equal(size.message, "llenergymeasure_demo-2.0.0-py3-none-any.whl, llenergymeasure_demo-2.0.0.tar.gz are over PyPI's upload limit of 0.001 MB.");
    assert.match(size.details, /"pypi": \{ "uploadLimitMB": <the new limit> \}/);
    const metadata = run.errors.find((e) => e.code === "EDISTMETADATA")!;
    assert.match(metadata.details, /'summary' field must be 512 characters or less \(it has 6\d\d\)/);
    assert.match(metadata.details, /Project-URL 'A label that is longer than PyPI allows' must be 32 characters or less/);
    expect(s.uploads()).toEqual([]);

    const verdict = await indexVerdict(s, CURRENT_PYTHON, join(p.dir, "dist", WHEEL), p.dir);
    assert.match((verdict as { reason: string }).reason, /'summary' field must be 512 characters or less/);
  });

  test("Metadata-Version 2.6, which twine 7 reads and PyPI does not yet take, is EDISTMETADATA", async () => {
    needPythonTools();
    const { fakePython } = await import("../support/plugin-context.js");
    const python = fakePython({ dist: { name: "llenergymeasure-demo", version: "2.0.0", metadataVersion: "2.6" } });
    cleanups.push(() => python.cleanup());
    const p = project();
    const run = await release(p, config(undefined, { python: python.path, publish: false }));
    expect(codes(run.errors)).toEqual(["EDISTMETADATA"]);
    assert.match(run.errors[0].details, /'2\.6' is not a valid metadata version \(PyPI accepts 1\.0, 1\.1, 1\.2, 2\.1, 2\.2, 2\.3, 2\.4, 2\.5\)/);
  });

  test("EBUILD does not offer --no-isolation to a build that already has it", async () => {
    needPythonTools();
    const p = project({ "pyproject.toml": readFileSync(join(EXAMPLE_DIR, "pyproject.toml"), "utf8").replace('requires = ["hatchling"]', 'requires = ["no_such_backend>=1"]').replace('build-backend = "hatchling.build"', 'build-backend = "no_such_backend.build"') });
    const run = await release(p, config(undefined, { publish: false }));
    expect(codes(run.errors)).toEqual(["EBUILD"]);
    assert.doesNotMatch(run.errors[0].details, /add `"pypi"|"buildArgs": \["--no-isolation"\]/);
    assert.match(run.errors[0].details, /runs without isolation, so the build backend and every build requirement must already be installed in `\S+`: `\S+ -m pip install "no_such_backend>=1"`/);
  });
});

describe("outputs", () => {
  test("dist/ in a repository that does not ignore it ignores itself: nothing is left untracked", async () => {
    needPythonTools();
    const p = project();
    assert.ok(!existsSync(join(p.dir, ".gitignore")));
    const run = await release(p, config(undefined, { publish: false }));
    expect(run.errors).toEqual([]);
    assert.equal(gitStatus(p.dir), "");
    assert.equal(readFileSync(join(p.dir, "dist", ".gitignore"), "utf8").split("\n").filter((l) => l && !l.startsWith("#")).join(), "*");
    expect(readdirSync(join(p.dir, "dist")).sort()).toEqual([".gitignore", WHEEL, SDIST]);
  });

  test("a repository that ignores dist/ already gets no extra file", async () => {
    needPythonTools();
    const p = project({ ".gitignore": "dist/\n" });
    expect((await release(p, config(undefined, { publish: false }))).errors).toEqual([]);
    assert.ok(!existsSync(join(p.dir, "dist", ".gitignore")));
    assert.equal(gitStatus(p.dir), "");
  });
});
