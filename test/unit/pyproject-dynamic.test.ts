import { test, expect, describe } from "@jest/globals";
import assert from "node:assert/strict";
import TOML from "@iarna/toml";
import { definitionLines, keyLine, tomlLines, valueLines } from "../../src/pyproject/locate.js";
import { describeDynamicVersion } from "../../src/pyproject/dynamic.js";
import { scmBuildEnv, versionBuildEnv } from "../../src/pyproject/scm.js";
import { parsePyproject } from "../../src/pyproject/read.js";

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((l) => l.includes(needle)) + 1;

describe("locating keys and tables by line", () => {
  const text = [
    "[build-system]", // 1
    'requires = [', // 2
    '  "hatch-vcs",', // 3
    '  "hatchling>=1.27",  # [not.a.table]', // 4
    "]", // 5
    "", // 6
    "[project]", // 7
    'name = "demo"', // 8
    'description = """', // 9
    "[not.a.table]", // 10
    'version = "9"', // 11
    '"""', // 12
    'dynamic = [ "version" ]', // 13
    "", // 14
    "[tool.hatch]", // 15
    'version.source = "vcs"', // 16
    "", // 17
    '[ tool . "hatch" . version . raw-options ]', // 18
    'local_scheme = "no-local-version"', // 19
  ].join("\n");
  const lines = tomlLines(text);

  test("headers, keys, and values over several lines", () => {
    expect(lines.filter((l) => l.kind === "header").map((l) => l.path.join("."))).toEqual(["build-system", "project", "tool.hatch", "tool.hatch.version.raw-options"]);
    assert.equal(lines[2].kind, "value", "inside the requires array");
    expect(lines[2].path).toEqual(["build-system", "requires"]);
    assert.equal(lines[9].kind, "value", "a header-looking line inside a multi-line string is text");
    assert.equal(lines[10].kind, "value", "a key-looking line inside a multi-line string is text");
    expect(lines[15].path).toEqual(["tool", "hatch", "version", "source"]);
  });

  test("queries", () => {
    assert.equal(keyLine(lines, ["project", "dynamic"])?.line, 13);
    assert.equal(keyLine(lines, ["project", "version"]), undefined, "the version inside the description is not a key");
    expect(definitionLines(lines, ["tool", "hatch", "version"]).map((l) => l.line)).toEqual([16, 18]);
    expect(valueLines(lines, ["build-system", "requires"], (t) => t.includes("hatch-vcs")).map((l) => l.line)).toEqual([3]);
  });
});

/** Shaped like real projects measured in the corpus (termcolor: hatch-vcs with a dotted key; iniconfig: setuptools-scm). */
const HATCH_VCS = `[build-system]
build-backend = "hatchling.build"
requires = [
  "hatch-vcs",
  "hatchling>=1.27",
]

[project]
name = "Term_Color"
dynamic = [ "version" ]

[tool.hatch]
version.source = "vcs"

[tool.hatch.version.raw-options]
local_scheme = "no-local-version"

[tool.hatch.build.hooks.vcs]
version-file = "src/term_color/_version.py"

[tool.ruff]
fix = true
`;

const SETUPTOOLS_SCM = `[build-system]
build-backend = "setuptools.build_meta"
requires = ["setuptools>=77", "setuptools_scm[toml]>=8"]

[project]
name = "ini.config"
dynamic = [
  "version",
]

[tool.setuptools_scm]
write_to = "src/iniconfig/_version.py"
`;

const PDM_SCM = `[project]
name = "pdm-demo"
dynamic = ["version"]

[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"

[tool.pdm.version]
source = "scm"
write_to = "pdm_demo/_version.py"
`;

const POETRY_PDV = `[tool.poetry]
name = "Poetry.Demo"
version = "0.0.0"

[tool.poetry-dynamic-versioning]
enable = true

[tool.poetry-dynamic-versioning.substitution]
folders = [{ path = "src" }]

[build-system]
requires = ["poetry-core>=1.0.0", "poetry-dynamic-versioning>=1.0.0,<2.0.0"]
build-backend = "poetry_dynamic_versioning.backend"
`;

const describe_ = (text: string, version?: string) => describeDynamicVersion(TOML.parse(text) as Record<string, any>, text, version);

describe("what makes a version dynamic, line by line", () => {
  test("hatch-vcs: dynamic, the requirement, the version tables and the build hook", () => {
    const d = describe_(HATCH_VCS, "3.4.0");
    assert.equal(d.scmTool, "hatch-vcs");
    assert.equal(d.versionFile, "src/term_color/_version.py");
    expect(d.lines.map((l) => [l.line, l.text])).toEqual([
      [lineOf(HATCH_VCS, '"hatch-vcs"'), '"hatch-vcs",'],
      [lineOf(HATCH_VCS, "dynamic"), 'dynamic = [ "version" ]'],
      [lineOf(HATCH_VCS, "version.source"), 'version.source = "vcs"'],
      [lineOf(HATCH_VCS, "raw-options"), "[tool.hatch.version.raw-options]"],
      [lineOf(HATCH_VCS, "hooks.vcs"), "[tool.hatch.build.hooks.vcs]"],
    ]);
    assert.match(d.lines[1].change, /write `version = "3\.4\.0"` in \[project\]/);
    assert.match(d.lines[0].change, /drop `hatch-vcs`/);
  });

  test("setuptools-scm, required with extras and another spelling", () => {
    const d = describe_(SETUPTOOLS_SCM);
    assert.equal(d.scmTool, "setuptools-scm");
    assert.equal(d.versionFile, "src/iniconfig/_version.py");
    expect(d.lines.map((l) => l.line)).toEqual([3, 7, 11]);
    assert.match(d.lines[0].change, /drop `setuptools-scm`/);
    assert.match(d.lines[1].change, /X\.Y\.Z/, "a placeholder while the version is unknown");
  });

  test("pdm-backend scm", () => {
    const d = describe_(PDM_SCM);
    assert.equal(d.scmTool, "pdm-backend");
    assert.equal(d.versionFile, "pdm_demo/_version.py");
    expect(d.lines.map((l) => l.line)).toEqual([3, 9]);
  });

  test("poetry-dynamic-versioning: placeholder, tables, requirement, backend", () => {
    const d = describe_(POETRY_PDV, "1.2.0");
    assert.equal(d.scmTool, "poetry-dynamic-versioning");
    expect(d.lines.map((l) => l.line)).toEqual([3, 5, 8, 12, 13]);
    assert.match(d.lines[0].change, /version = "1\.2\.0"/);
    assert.match(d.lines[4].change, /poetry\.core\.masonry\.api/);
  });

  const others: [string, string, RegExp, number[]][] = [
    ["hatch regex source", `[project]\nname = "a"\ndynamic = ["version"]\n[tool.hatch.version]\npath = "src/a/__about__.py"\n`, /hatchling \(read from src\/a\/__about__\.py\)/, [3, 4]],
    ["setuptools attr", `[project]\nname = "a"\ndynamic = ["version"]\n[tool.setuptools.dynamic]\nversion = { attr = "a.__version__" }\n`, /setuptools \(attr: a\.__version__\)/, [3, 5]],
    ["pdm file", `[project]\nname = "a"\ndynamic = ["version"]\n[tool.pdm.version]\nsource = "file"\npath = "a/__init__.py"\n`, /pdm-backend \(read from a\/__init__\.py\)/, [3, 4]],
    ["maturin", `[project]\nname = "a"\ndynamic = ["version"]\n[build-system]\nbuild-backend = "maturin"\n`, /Cargo\.toml/, [3]],
    ["flit", `[project]\nname = "a"\ndynamic = ["version", "description"]\n[build-system]\nbuild-backend = "flit_core.buildapi"\n`, /flit/, [3]],
  ];
  for (const [name, text, source, lines] of others) {
    test(`${name}: named, and not for scm mode`, () => {
      const d = describe_(text);
      assert.match(d.source, source);
      assert.equal(d.scmTool, undefined);
      expect(d.lines.map((l) => l.line)).toEqual(lines);
    });
  }
});

describe("the environment that pins an scm build", () => {
  test("each tool gets the variable its source reads", () => {
    expect(scmBuildEnv("setuptools-scm", {}, "ini.Config_x", "2.3.1")).toEqual({ SETUPTOOLS_SCM_PRETEND_VERSION_FOR_INI_CONFIG_X: "2.3.1" });
    expect(scmBuildEnv("hatch-vcs", {}, "term-color", "3.4.0rc1")).toEqual({ SETUPTOOLS_SCM_PRETEND_VERSION: "3.4.0rc1" });
    expect(scmBuildEnv("pdm-backend", {}, "pdm-demo", "0.1.0.dev2")).toEqual({ PDM_BUILD_SCM_VERSION: "0.1.0.dev2" });
    // poetry-dynamic-versioning compares the name exactly as written in [tool.poetry].
    expect(scmBuildEnv("poetry-dynamic-versioning", { tool: { poetry: { name: "Poetry.Demo" } } }, "poetry-demo", "1.2.0")).toEqual({ POETRY_DYNAMIC_VERSIONING_OVERRIDE: "Poetry.Demo=1.2.0" });
  });

  test("only in scm mode, only for a dynamic version", () => {
    const hatch = parsePyproject(HATCH_VCS, "pyproject.toml");
    expect(versionBuildEnv(hatch, "scm", "3.4.0")).toEqual({ SETUPTOOLS_SCM_PRETEND_VERSION: "3.4.0" });
    expect(versionBuildEnv(hatch, "verify", "3.4.0")).toEqual({});
    expect(versionBuildEnv(parsePyproject(`[project]\nname = "a"\nversion = "1.0.0"\n`, "p"), "scm", "1.0.0")).toEqual({});
  });
});

test("poetry-dynamic-versioning's placeholder is not a static version", () => {
  const p = parsePyproject(POETRY_PDV, "pyproject.toml");
  assert.equal(p.dynamic, true);
  assert.equal(p.version, undefined);
  assert.equal(p.name, "Poetry.Demo");
});
