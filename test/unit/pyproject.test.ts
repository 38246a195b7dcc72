import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { parsePyproject } from "../../src/pyproject/read.js";
import { replaceVersion } from "../../src/pyproject/write.js";
import { defaultSourceFolders, findHardcodedVersions } from "../../src/pyproject/sources.js";
import { readPyprojectOptions } from "../../src/pyproject/options.js";

const code = (fn: () => unknown) => {
  try {
    fn();
    return "no error";
  } catch (error: any) {
    return error.code;
  }
};

const PEP621 = `[project]\nname = "pkg"\nversion = "1.2.0"\n`;
const POETRY = `[tool.poetry]\nname = "pkg"\nversion = "1.2.0rc1"\n\n[build-system]\nbuild-backend = "poetry.core.masonry.api"\n`;

test("reads a PEP 621 version", () => {
  const p = parsePyproject(PEP621, "pyproject.toml");
  assert.equal(p.version, "1.2.0");
  assert.equal(p.table, "project");
  assert.equal(p.name, "pkg");
});

test("reads a Poetry version", () => {
  const p = parsePyproject(POETRY, "pyproject.toml");
  assert.equal(p.version, "1.2.0rc1");
  assert.equal(p.table, "tool.poetry");
});

test("Poetry 2: [project] with dynamic version and a static [tool.poetry].version", () => {
  const p = parsePyproject(`[project]\nname = "pkg"\ndynamic = ["version"]\n[tool.poetry]\nversion = "3.0.0"\n`, "pyproject.toml");
  assert.equal(p.version, "3.0.0");
  assert.equal(p.table, "tool.poetry");
});

const bad: [string, string, string][] = [
  ["broken TOML", `[project\nname = "x"`, "EINVALIDPYPROJECT"],
  ["no version", `[project]\nname = "pkg"\n`, "ENOPYPROJECTVERSION"],
  ["dynamic version", `[project]\nname = "pkg"\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"\n`, "EDYNAMICVERSION"],
  ["not PEP 440", `[project]\nname = "pkg"\nversion = "1.2.0-next.1"\n`, "EINVALIDPEP440"],
  ["no name", `[project]\nversion = "1.0.0"\n`, "EINVALIDPYPROJECT"],
  ["empty file", ``, "ENOPYPROJECTVERSION"],
];

for (const [name, text, expected] of bad) {
  test(`refuses ${name} with ${expected}`, () => assert.equal(code(() => parsePyproject(text, "pyproject.toml")), expected));
}

test("the TOML error names the line", () => {
  assert.throws(() => parsePyproject(`[project]\nname = "x"\nversion = 1.0.0.0\n`, "pyproject.toml"), (error: any) => /line 3/.test(error.message) && !error.message.includes("\n"));
});

test("write replaces only the version value, keeping comments and layout", () => {
  const text = `# top comment\n[build-system]\nrequires = ["hatchling"]\n\n[project]\nname = "pkg"  # name\nversion   =   '1.0.0'   # the truth\n\n[tool.other]\nversion = "9.9.9"\n`;
  const out = replaceVersion(text, "project", "1.1.0rc1");
  assert.equal(out, text.replace("'1.0.0'", "'1.1.0rc1'"));
});

test("write targets [tool.poetry], not another table's version", () => {
  const text = `[tool.black]\nversion = "x"\n[tool.poetry]\nname = "p"\nversion = "0.1.0"\n`;
  assert.equal(replaceVersion(text, "tool.poetry", "0.2.0"), text.replace('"0.1.0"', '"0.2.0"'));
});

test("write keeps CRLF line endings", () => {
  const text = `[project]\r\nname = "p"\r\nversion = "0.1.0"\r\n`;
  assert.equal(replaceVersion(text, "project", "0.2.0"), `[project]\r\nname = "p"\r\nversion = "0.2.0"\r\n`);
});

test("write gives null when the table has no version line", () => {
  assert.equal(replaceVersion(`[project]\nname = "p"\n`, "project", "1.0.0"), null);
});

/** [line, file name, the version found or null] */
const versionLines: [string, string, string | null][] = [
  [`__version__ = "1.0.0"`, "__init__.py", "1.0.0"],
  [`__version__ = '1.0.0'`, "__init__.py", "1.0.0"],
  [`__version__: str = "1.0.0"`, "__init__.py", "1.0.0"],
  [`__version__: Final[str] = "1.0.0"  # the truth`, "__init__.py", "1.0.0"],
  [`    __version__ = "1.0.0"`, "__init__.py", "1.0.0"],
  [`__version__ = version("pkg")`, "__init__.py", null],
  [`    __version__ = "0+unknown"`, "__init__.py", null],
  [`    __version__ = "unknown"`, "__init__.py", null],
  [`__version__ = "0.0.0"`, "__init__.py", "0.0.0"],
  [`__version__ = importlib.metadata.version("pkg")`, "__init__.py", null],
  [`# __version__ = "1.0.0"`, "__init__.py", null],
  [`my__version__ = "1"`, "__init__.py", null],
  // what setuptools-scm and hatch-vcs write into _version.py
  [`__version__ = version = '14.4.0'`, "_version.py", "14.4.0"],
  [`version = __version__ = "14.4.0"`, "__init__.py", "14.4.0"],
  [`__version_tuple__ = version_tuple = (14, 4, 0)`, "_version.py", "14.4.0"],
  [`version = '14.4.0'`, "_version.py", "14.4.0"],
  [`version = '14.4.0'`, "cli.py", null],
  [`version: str = '2.0.0rc1'`, "__about__.py", "2.0.0rc1"],
  [`VERSION = (1, 2, 3)`, "__init__.py", "1.2.3"],
  [`VERSION = (1, 2, 0, "rc1")`, "__init__.py", "1.2.0rc1"],
  [`VERSION: tuple[int, ...] = (1, 2, 3)`, "__init__.py", "1.2.3"],
  [`VERSION = "2.0.0"`, "__init__.py", "2.0.0"],
  [`    VERSION = (1, 2, 3)`, "__init__.py", null],
  [`PROTOCOL_VERSION = (1, 2)`, "__init__.py", null],
  [`if __version__ == "1.0.0":`, "__init__.py", null],
  [`__version__ = "1.0" + SUFFIX`, "__init__.py", null],
  [`__commit_id__ = commit_id = None`, "_version.py", null],
];

for (const [line, file, value] of versionLines) {
  test(`hard-coded version scan: ${line} in ${file} → ${value ?? "fine"}`, () => {
    expect(findHardcodedVersions(`import x\n${line}\n`, `src/pkg/${file}`).map((f) => [f.line, f.value])).toEqual(value ? [[2, value]] : []);
  });
}

test("default source folders follow the build backend's package list", () => {
  expect(defaultSourceFolders({ tool: { hatch: { build: { targets: { wheel: { packages: ["src/pkg"] } } } } } }, "pkg")).toEqual(["src/pkg"]);
  expect(defaultSourceFolders({ tool: { poetry: { packages: [{ include: "pkg", from: "src" }] } } }, "pkg")).toEqual(["src/pkg"]);
  expect(defaultSourceFolders({}, "My-Pkg")).toEqual(["src", "my_pkg"]);
});

test("pyproject options: defaults and every problem at once", () => {
  expect(readPyprojectOptions({}).options).toEqual({ path: "pyproject.toml", versionMode: "verify" });
  const { problems } = readPyprojectOptions({ pyproject: { path: "", versionMode: "auto", sources: "src", extra: 1 } });
  expect(problems.map((p) => p.key)).toEqual(["pyproject.path", "pyproject.versionMode", "pyproject.sources", "pyproject.extra"]);
});
