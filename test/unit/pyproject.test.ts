import { test, expect, describe } from "@jest/globals";
import assert from "node:assert/strict";
import { parsePyproject } from "../../src/pyproject/read.js";
import { replaceVersion } from "../../src/pyproject/write.js";
import { defaultSourceFolders, findHardcodedVersions } from "../../src/pyproject/sources.js";
import { readPyprojectOptions } from "../../src/pyproject/options.js";
import { versionProblems } from "../../src/pyproject/truth.js";
import { throwAll } from "../../src/errors.js";
import { compareVersionFile, defaultVersionFiles, type StrayVersion } from "../../src/pyproject/stray.js";
import type { VersionFile } from "../../src/pyproject/options.js";
import { replaceUvLockVersion, uvLockedVersion } from "../../src/pyproject/lock.js";
import { parsePorcelain } from "../../src/pyproject/git.js";

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
  ["empty file", ``, "EINVALIDPYPROJECT"],
];

for (const [name, text, expected] of bad) {
  test(`refuses ${name} with ${expected}`, () =>
    assert.equal(
      code(() => {
        const pyproject = parsePyproject(text, "pyproject.toml");
        throwAll(versionProblems(pyproject, "pyproject.toml", "verify"));
      }),
      expected,
    ));
}

const RELEASE = { semver: "1.3.0", pep440: "1.3.0", type: "minor" };
const problemCodes = (text: string, mode: "verify" | "write" | "scm", release?: typeof RELEASE) =>
  versionProblems(parsePyproject(text, "pyproject.toml"), "pyproject.toml", mode, release).map((e: any) => e.code);

test("version problems per mode, the release known or not", () => {
  const fixed = `[project]\nname = "pkg"\nversion = "1.2.0"\n`;
  const hatchVcs = `[project]\nname = "pkg"\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"\n`;
  const regex = `[project]\nname = "pkg"\ndynamic = ["version"]\n[tool.hatch.version]\npath = "pkg/__about__.py"\n`;
  expect(problemCodes(fixed, "verify")).toEqual([]);
  expect(problemCodes(fixed, "verify", RELEASE)).toEqual(["EVERSIONMISMATCH"]);
  expect(problemCodes(fixed, "write", RELEASE)).toEqual([]);
  expect(problemCodes(fixed, "scm", RELEASE)).toEqual(["EINVALIDCONFIG"]);
  expect(problemCodes(hatchVcs, "verify", RELEASE)).toEqual(["EDYNAMICVERSION"]);
  expect(problemCodes(hatchVcs, "scm", RELEASE)).toEqual([]);
  expect(problemCodes(regex, "scm", RELEASE)).toEqual(["EDYNAMICVERSION"]);
});

test("EDYNAMICVERSION names the lines, the release version to write, scm mode and the distribution", () => {
  const text = `[build-system]\nrequires = ["hatchling", "hatch-vcs"]\n[project]\nname = "My-Pkg"\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"\n`;
  const [error] = versionProblems(parsePyproject(text, "pyproject.toml"), "pyproject.toml", "verify", RELEASE) as any[];
  assert.match(error.message, /dynamic \(hatch-vcs\); versionMode "verify" needs a static one/);
  assert.match(error.details, /"versionMode": "scm"/);
  assert.match(error.details, /line 2 `requires = \["hatchling", "hatch-vcs"\]`: drop `hatch-vcs`/);
  assert.match(error.details, /line 5 `dynamic = \["version"\]`: remove "version" from `dynamic` and write `version = "1\.3\.0"`/);
  assert.match(error.details, /line 6 `\[tool\.hatch\.version\]`: delete this table/);
  assert.match(error.details, /importlib\.metadata\.version\("My-Pkg"\)/);
});

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
  expect(readPyprojectOptions({ pyproject: { versionMode: "scm" } }).options.versionMode).toEqual("scm");
  const { problems } = readPyprojectOptions({ pyproject: { path: "", versionMode: "auto", sources: "src", extra: 1 } });
  expect(problems.map((p) => p.key)).toEqual(["pyproject.path", "pyproject.versionMode", "pyproject.sources", "pyproject.extra"]);
});

test("pyproject.versionFiles: paths, or a path and a pattern with a capture group", () => {
  const files = ["VERSION", { path: "docs/conf.py", pattern: 'release = "(.+)"' }];
  expect(readPyprojectOptions({ pyproject: { versionFiles: files } }).options.versionFiles).toEqual([{ path: "VERSION" }, { path: "docs/conf.py", pattern: 'release = "(.+)"' }]);
  expect(readPyprojectOptions({ pyproject: { versionFiles: [] } }).options.versionFiles).toEqual([]);
  const { problems } = readPyprojectOptions({ pyproject: { versionFiles: ["", { path: "a", pattern: "release = .+" }, { path: "b", pattern: "(" }, { path: "c", glob: 1 }] } });
  expect(problems.map((p) => p.key)).toEqual(["pyproject.versionFiles[0]", "pyproject.versionFiles[1].pattern", "pyproject.versionFiles[2].pattern", "pyproject.versionFiles[3]"]);
  expect(readPyprojectOptions({ pyproject: { versionFiles: "VERSION" } }).problems.map((p) => p.key)).toEqual(["pyproject.versionFiles"]);
});

describe("stray version files", () => {
  /** [case, file, its content, the version released, what is reported] */
  const cases: [string, VersionFile, string, string, Partial<StrayVersion> | undefined][] = [
    ["agrees", { path: "VERSION" }, "2.0.0\n", "2.0.0", undefined],
    ["agrees, v-prefixed and PEP 440 spelled differently", { path: "VERSION" }, "\nv2.0.0.rc1\n\n", "2.0.0rc1", undefined],
    ["a leftover", { path: "VERSION" }, "2.0.0\n", "0.9.1", { line: 1, found: "2.0.0", reason: "differs" }],
    ["not a version", { path: "version.txt" }, "release: soon\n", "0.9.1", { found: "release: soon", reason: "differs" }],
    ["more than a version", { path: "VERSION" }, "1.0.0\n2.0.0\n", "1.0.0", { reason: "no-version" }],
    ["a pattern's line", { path: "docs/conf.py", pattern: 'release = "(.+)"' }, 'project = "x"\n\nrelease = "0.9.0"\n', "0.9.1", { line: 3, found: "0.9.0", reason: "differs" }],
    ["a pattern that matches nothing", { path: "docs/conf.py", pattern: 'release = "(.+)"' }, "x = 1\n", "0.9.1", { reason: "no-version" }],
  ];
  for (const [name, file, content, released, expected] of cases) {
    test(name, () => {
      const stray = compareVersionFile(file, content, released);
      if (!expected) assert.equal(stray, undefined);
      else expect(stray).toMatchObject(expected);
    });
  }

  test("the defaults sit beside pyproject.toml", () => {
    expect(defaultVersionFiles("pyproject.toml")).toEqual([{ path: "VERSION" }, { path: "version.txt" }]);
    expect(defaultVersionFiles("packages/core/pyproject.toml")).toEqual([{ path: "packages/core/VERSION" }, { path: "packages/core/version.txt" }]);
  });
});

describe("uv.lock's record of the project", () => {
  const LOCK = `version = 1
revision = 5
requires-python = ">=3.9"

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "my-demo-pkg"
version = "2.0.0rc1"
source = { editable = "." }
dependencies = [
    { name = "idna" },
]

[package.metadata]
requires-dist = [{ name = "idna" }]
`;

  test("found by the project's normalized name and its local source", () => {
    expect(uvLockedVersion(LOCK, "My_Demo.Pkg")).toEqual({ version: "2.0.0rc1", line: 12 });
    assert.equal(uvLockedVersion(LOCK, "idna"), undefined, "a registry package is not the project");
    assert.equal(uvLockedVersion(`version = 1\n\n[[package]]\nname = "dyn"\nsource = { editable = "." }\n`, "dyn"), undefined, "a dynamic version is not recorded");
    expect(uvLockedVersion(`version = 1\n[[package]]\nname = "virt"\nversion = "0.3.0"\nsource = { virtual = "." }\n`, "virt")).toEqual({ version: "0.3.0", line: 4 });
  });

  test("rewritten surgically: only the project's version line changes", () => {
    const updated = replaceUvLockVersion(LOCK, "my-demo-pkg", "2.1.0");
    assert.equal(updated, LOCK.replace('version = "2.0.0rc1"', 'version = "2.1.0"'));
    assert.equal(replaceUvLockVersion(LOCK, "absent", "2.1.0"), null);
  });

  test("an unreadable lock says so", () => {
    assert.throws(() => uvLockedVersion("[[package]\n", "x"), /not valid TOML/);
  });
});

test("git status --porcelain -z: tracked changes only, renames once", () => {
  const output = [" M pyproject.toml", "M  src/pkg/__init__.py", "R  new.py", "old.py", "?? notes.txt", "D  gone.py", "MM both.py", ""].join("\0");
  expect(parsePorcelain(output)).toEqual([
    { status: " M", path: "pyproject.toml" },
    { status: "M ", path: "src/pkg/__init__.py" },
    { status: "R ", path: "new.py" },
    { status: "D ", path: "gone.py" },
    { status: "MM", path: "both.py" },
  ]);
  expect(parsePorcelain("")).toEqual([]);
});
