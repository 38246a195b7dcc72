import { describe, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import TOML from "@iarna/toml";
import semver from "semver";
import { onCleanup } from "../support/cleanup.js";
import { CURRENT_PYTHON, CURRENT_UV } from "../support/python.js";
import { EXAMPLE_DIR, exampleVersionFiles } from "../support/repo.js";

/**
 * examples/llenergymeasure-demo is the project most tests release: its shape must stay
 * the real project's (hatchling, src layout, a committed uv.lock, a newest-first
 * CHANGELOG.md in their heading style, one Dockerfile per backend on a shared base), and
 * `exampleVersionFiles` must write what `uv lock` itself would.
 */
const UV_ENV = { ...process.env, UV_PYTHON_DOWNLOADS: "never", UV_NO_CONFIG: "1", UV_OFFLINE: "1" };

function copyOfExample(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "pyrelease-example-"));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (src) => !/(^|\/)(dist|__pycache__|\.venv)$/.test(src) });
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

function uv(dir: string, args: string[]): { code: number; output: string } {
  const result = spawnSync(CURRENT_UV, [...args, "--python", CURRENT_PYTHON], { cwd: dir, encoding: "utf8", env: UV_ENV });
  return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
}

const read = (path: string) => readFileSync(join(EXAMPLE_DIR, path), "utf8");

describe("uv.lock", () => {
  test("the committed lock agrees with pyproject.toml, and locking needs no network (the project has no dependencies)", () => {
    const dir = copyOfExample();
    const check = uv(dir, ["lock", "--check", "--offline"]);
    assert.equal(check.code, 0, check.output);
    const pyproject = TOML.parse(read("pyproject.toml")) as { project: { version: string; dependencies?: string[] } };
    expect(pyproject.project.dependencies ?? []).toEqual([]);
    const lock = TOML.parse(read("uv.lock")) as { package: { name: string; version: string; source: Record<string, string> }[] };
    expect(lock.package.map((p) => [p.name, p.version, p.source])).toEqual([["llenergymeasure-demo", pyproject.project.version, { editable: "." }]]);
  });

  test.each(["0.9.3", "0.10.0", "1.1.0rc1", "1.1.0-rc.1", "2.0.0.dev3"])("exampleVersionFiles(%s) writes what uv lock writes", (version) => {
    const dir = copyOfExample(exampleVersionFiles(version));
    const check = uv(dir, ["lock", "--check", "--offline"]);
    assert.equal(check.code, 0, `uv lock --check: ${check.output}`);
    // And byte for byte: uv rewriting the lock changes nothing.
    const before = readFileSync(join(dir, "uv.lock"), "utf8");
    assert.equal(uv(dir, ["lock", "--offline"]).code, 0);
    assert.equal(readFileSync(join(dir, "uv.lock"), "utf8"), before);
  });

  test("a pyproject.toml bumped alone leaves the lock stale, as uv sees it", () => {
    const dir = copyOfExample({ "pyproject.toml": exampleVersionFiles("2.1.0")["pyproject.toml"] });
    const check = uv(dir, ["lock", "--check", "--offline"]);
    assert.notEqual(check.code, 0, check.output);
  });
});

describe("the package", () => {
  test("hatchling builds it with uv; __version__ comes from importlib.metadata, so it is the built version", () => {
    const dir = copyOfExample(exampleVersionFiles("0.10.0"));
    const built = uv(dir, ["build", "--wheel", "--no-build-isolation", "--out-dir", "out"]);
    assert.equal(built.code, 0, built.output);
    expect(readdirSync(join(dir, "out")).filter((name) => name.endsWith(".whl"))).toEqual(["llenergymeasure_demo-0.10.0-py3-none-any.whl"]);
    const target = join(dir, "site");
    const installed = spawnSync(CURRENT_PYTHON, ["-m", "pip", "install", "-q", "--no-deps", "--no-index", "--disable-pip-version-check", "--target", target, join(dir, "out", "llenergymeasure_demo-0.10.0-py3-none-any.whl")], { encoding: "utf8" });
    assert.equal(installed.status, 0, installed.stderr);
    const version = spawnSync(CURRENT_PYTHON, ["-c", "import llenergymeasure_demo; print(llenergymeasure_demo.__version__)"], { encoding: "utf8", env: { ...process.env, PYTHONPATH: target } });
    assert.equal(version.stdout.trim(), "0.10.0", version.stderr);
  });
});

describe("CHANGELOG.md", () => {
  const headings = [...read("CHANGELOG.md").matchAll(/^## (.*)$/gm)].map((m) => m[1]);

  test("their heading style, newest first, the newest entry being pyproject's version", () => {
    assert.ok(headings.length >= 3, headings.join("\n"));
    const versions = headings.map((heading) => {
      const match = /^\[v(\d+\.\d+\.\d+)\]\(https:\/\/github\.com\/o\/r\/releases\/tag\/v\1\) \((\d{4}-\d{2}-\d{2})\)$/.exec(heading);
      assert.ok(match, `heading in their style: ${heading}`);
      return { version: match[1], date: match[2] };
    });
    const newestFirst = [...versions].sort((a, b) => semver.rcompare(a.version, b.version));
    expect(versions).toEqual(newestFirst);
    expect(versions.map((v) => v.date)).toEqual([...versions.map((v) => v.date)].sort().reverse());
    const pyproject = TOML.parse(read("pyproject.toml")) as { project: { version: string } };
    assert.equal(versions[0].version, pyproject.project.version);
  });

  test("themed bullets under Added / Changed / Fixed only", () => {
    const groups = [...read("CHANGELOG.md").matchAll(/^### (.*)$/gm)].map((m) => m[1]);
    expect([...new Set(groups)].sort()).toEqual(["Added", "Changed", "Fixed"]);
    const bullets = read("CHANGELOG.md").split("\n").filter((line) => line.startsWith("- "));
    assert.ok(bullets.length > 0);
    for (const bullet of bullets) assert.match(bullet, /^- \*\*[A-Za-z-]+\*\*: /, "each bullet names its theme");
  });
});

describe("docker/", () => {
  test("a base Dockerfile, and one per backend that starts FROM the base handed in as BASE_IMAGE", () => {
    const files = readdirSync(join(EXAMPLE_DIR, "docker")).filter((name) => name.startsWith("Dockerfile."));
    expect(files.sort()).toEqual(["Dockerfile.base", "Dockerfile.pytorch", "Dockerfile.tensorrt", "Dockerfile.vllm"]);
    for (const backend of ["pytorch", "vllm", "tensorrt"]) {
      const instructions = read(`docker/Dockerfile.${backend}`).split("\n").filter((line) => line.trim() && !line.startsWith("#"));
      assert.match(instructions[0], /^ARG BASE_IMAGE(=scratch)?$/);
      assert.equal(instructions[1], "FROM ${BASE_IMAGE}");
    }
    // Offline and without emulation: nothing is pulled or run, only FROM scratch, ARG, COPY and LABEL.
    for (const file of files) {
      for (const line of read(`docker/${file}`).split("\n").filter((l) => l.trim() && !l.startsWith("#"))) {
        assert.match(line, /^(FROM (scratch|\$\{BASE_IMAGE\})|ARG |COPY |LABEL )/, `${file}: ${line}`);
      }
    }
  });
});
