import assert from "node:assert/strict";
import { describe, test, expect } from "@jest/globals";
import { errorTexts } from "../../src/errors.js";
import { buildArgv, byProducts } from "../../src/pypi/build.js";
import type { DistContents } from "../../src/pypi/inspect.js";
import { jwtClaims } from "../../src/pypi/oidc.js";
import { archiveRefusals, pypiRefusals } from "../../src/pypi/refusals.js";
import { groupOffenders, isGeneratedMember, parseLsTree, scmVersionFiles, sdistOffenders, type TrackedTree } from "../../src/pypi/sdist-content.js";
import { filenameRefusal, metadataRefusals, refusedPlatformTags, sdistFilename, validPlatformTag } from "../../src/pypi/warehouse.js";

describe("Warehouse's platform tags (legacy.py _valid_platform_tag)", () => {
  const cases: [string, boolean][] = [
    ["any", true],
    ["linux_x86_64", false],
    ["linux_aarch64", false],
    ["linux_armv7l", true],
    ["linux_armv6l", true],
    ["manylinux1_x86_64", true],
    ["manylinux2014_aarch64", true],
    ["manylinux2014_riscv64", false],
    ["manylinux_2_17_x86_64", true],
    ["manylinux_2_34_x86_64", true],
    ["manylinux_2_17_ppc64", true],
    ["manylinux_2_31_riscv64", true],
    ["manylinux_2_17_sparc", false],
    ["musllinux_1_2_x86_64", true],
    ["musllinux_1_2_ppc64", false],
    ["macosx_10_9_x86_64", true],
    ["macosx_10_15_universal2", true],
    ["macosx_11_0_arm64", true],
    ["macosx_11_3_arm64", false],
    ["macosx_26_0_arm64", true],
    ["macosx_16_0_arm64", false],
    ["macosx_10_9_sparc", false],
    ["win32", true],
    ["win_amd64", true],
    ["win_arm64", true],
    ["ios_13_0_arm64_iphoneos", true],
    ["ios_13_0_riscv_iphoneos", false],
    ["android_21_arm64_v8a", true],
    ["android_21_mips", false],
    ["pyemscripten_2024_0_wasm32", true],
    ["emscripten_3_1_58_wasm32", false],
    ["cygwin_3_5_x86_64", false],
  ];
  for (const [tag, accepted] of cases) test(`${tag}: ${accepted ? "accepted" : "refused"}`, () => assert.equal(validPlatformTag(tag), accepted));

  test("every tag of a compressed tag set is checked, lower-cased as packaging does", () => {
    expect(refusedPlatformTags("m-3.1.0-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl")).toEqual([]);
    expect(refusedPlatformTags("m-3.1.0-cp311-cp311-manylinux_2_17_x86_64.linux_x86_64.whl")).toEqual(["linux_x86_64"]);
    expect(refusedPlatformTags("m-3.1.0-cp311-cp311-LINUX_X86_64.whl")).toEqual(["linux_x86_64"]);
    expect(refusedPlatformTags("m-3.1.0-1-py3-none-any.whl")).toEqual([]);
  });
});

describe("Warehouse's file names (legacy.py file_upload: PEP 625, PEP 427/503)", () => {
  const cases: [string, string, string, string | undefined][] = [
    ["markupsafe-3.1.0.tar.gz", "MarkupSafe", "3.1.0", undefined],
    ["MarkupSafe-3.1.0.tar.gz", "MarkupSafe", "3.1.0", "is invalid, should be 'markupsafe-3.1.0.tar.gz'"],
    ["markupsafe-3.1.0.zip", "MarkupSafe", "3.1.0", "is invalid, should be 'markupsafe-3.1.0.tar.gz'"],
    ["llenergymeasure-demo-2.0.0.tar.gz", "llenergymeasure-demo", "2.0.0", "is invalid, should be 'llenergymeasure_demo-2.0.0.tar.gz'"],
    ["demo-2.0.0.RC1.tar.gz", "demo", "2.0.0rc1", "is invalid, should be 'demo-2.0.0rc1.tar.gz'"],
    ["demo-2.0.0rc1.tar.gz", "demo", "2.0.0.RC1", undefined],
    ["zope_interface-7.0-py3-none-any.whl", "zope.interface", "7.0", undefined],
    ["MarkupSafe-3.1.0-cp311-cp311-manylinux_2_17_x86_64.whl", "MarkupSafe", "3.1.0", "should contain the normalized project name 'markupsafe', not 'MarkupSafe'"],
    ["zope.interface-7.0-py3-none-any.whl", "zope.interface", "7.0", "should contain the normalized project name 'zope_interface', not 'zope.interface'"],
  ];
  for (const [filename, name, version, reason] of cases) test(filename, () => assert.equal(filenameRefusal(filename, name, version), reason));
  test("the sdist name PyPI wants", () => assert.equal(sdistFilename("Foo.Bar__baz", "01.2.0-rc.1"), "foo_bar_baz-1.2.0rc1.tar.gz"));
});

describe("Warehouse's metadata rules (metadata.py _validate_metadata)", () => {
  const ok = { "metadata-version": ["2.4"], name: ["demo"], version: ["1.0"], summary: ["A demo"] };
  const cases: [string, Record<string, string[]>, RegExp[]][] = [
    ["valid", ok, []],
    ["2.0 is not supported", { ...ok, "metadata-version": ["2.0"] }, [/'2\.0' is not a valid metadata version/]],
    ["2.6 is not supported yet", { ...ok, "metadata-version": ["2.6"] }, [/'2\.6' is not a valid metadata version/]],
    ["no Metadata-Version", { name: ["demo"] }, [/no Metadata-Version/]],
    ["summary of 513 characters", { ...ok, summary: ["x".repeat(513)] }, [/'summary' field must be 512 characters or less/]],
    ["summary of 512 characters", { ...ok, summary: ["x".repeat(512)] }, []],
    ["a long Project-URL label", { ...ok, "project-url": ["A label that is far too long for PyPI, https://x.org"] }, [/must be 32 characters or less/]],
    ["a Project-URL without URL", { ...ok, "project-url": ["Docs,"] }, [/must have a URL/]],
    ["a direct reference", { ...ok, "requires-dist": ["torch @ https://download.pytorch.org/x.whl ; python_version > '3.9'"] }, [/Can't have direct dependency/]],
    ["an ordinary requirement with an @ in its marker", { ...ok, "requires-dist": ["rich>=13; extra == 'cli'"] }, []],
    ["Dynamic: Version", { ...ok, dynamic: ["Version"] }, [/Dynamic field 'version' is not a valid dynamic field/]],
    ["Dynamic: Requires-Dist", { ...ok, dynamic: ["Requires-Dist"] }, []],
    ["License and License-Expression", { ...ok, license: ["MIT"], "license-expression": ["MIT"] }, [/only License-Expression/]],
  ];
  for (const [name, headers, expected] of cases) {
    test(name, () => {
      const problems = metadataRefusals(headers);
      assert.equal(problems.length, expected.length, problems.join("\n"));
      expected.forEach((pattern, i) => assert.match(problems[i], pattern));
    });
  }
});

describe("archive layout (legacy.py _is_valid_dist_file, validate_record, License-File)", () => {
  const metadata = { "metadata-version": ["2.4"], name: ["demo"], version: ["1.0"] };
  const file = (name: string) => ({ name, size: 1, kind: "file" as const });
  const wheel = (members: string[], extra: Partial<DistContents> = {}): DistContents => ({
    filename: "demo-1.0-py3-none-any.whl",
    members: members.map(file),
    metadataPath: "demo-1.0.dist-info/METADATA",
    metadata,
    ...extra,
  });
  test("a complete wheel passes; a missing RECORD or WHEEL does not", () => {
    const complete = ["demo/__init__.py", "demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/WHEEL", "demo-1.0.dist-info/RECORD"];
    expect(archiveRefusals(wheel(complete))).toEqual([]);
    expect(archiveRefusals(wheel(complete.filter((m) => !m.endsWith("RECORD"))))).toEqual(["RECORD not found at demo-1.0.dist-info/RECORD"]);
    expect(archiveRefusals(wheel(complete.filter((m) => !m.endsWith("WHEEL"))))).toEqual(["WHEEL not found at demo-1.0.dist-info/WHEEL"]);
  });
  test("License-File entries must be in the archive (Metadata-Version 2.4 and later)", () => {
    const complete = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/WHEEL", "demo-1.0.dist-info/RECORD"];
    const withLicense = { ...metadata, "license-file": ["LICENSE"] };
    expect(archiveRefusals(wheel(complete, { metadata: withLicense }))).toEqual(["License-File LICENSE does not exist in distribution file demo-1.0-py3-none-any.whl at demo-1.0.dist-info/licenses/LICENSE"]);
    expect(archiveRefusals(wheel([...complete, "demo-1.0.dist-info/licenses/LICENSE"], { metadata: withLicense }))).toEqual([]);
    // Older setuptools wrote License-File with another meaning, below 2.4; twine drops it.
    expect(archiveRefusals(wheel(complete, { metadata: { ...withLicense, "metadata-version": ["2.1"] } }))).toEqual([]);
  });
  test("an sdist needs one top-level folder holding PKG-INFO, and no sparse members", () => {
    const sdist = (members: DistContents["members"], metadataPath: string, meta: DistContents["metadata"] | "none" = metadata): DistContents => ({ filename: "demo-1.0.tar.gz", members, metadataPath, metadata: meta === "none" ? undefined : meta });
    expect(archiveRefusals(sdist([file("demo-1.0/PKG-INFO"), file("demo-1.0/setup.py")], "demo-1.0/PKG-INFO"))).toEqual([]);
    expect(archiveRefusals(sdist([file("PKG-INFO"), file("setup.py")], "/PKG-INFO", "none"))).toEqual(["Incorrect number of top-level directories in sdist"]);
    expect(archiveRefusals(sdist([file("demo-1.0/setup.py"), file("demo-1.0/x.py")], "demo-1.0/PKG-INFO", "none"))).toEqual(["PKG-INFO not found at demo-1.0/PKG-INFO"]);
    expect(archiveRefusals(sdist([file("demo-1.0/PKG-INFO"), { name: "demo-1.0/big.bin", size: 9, kind: "file", sparse: true }], "demo-1.0/PKG-INFO"))).toEqual(["tar archive not accepted: Sparse members are not allowed"]);
  });
  test("classifiers the trove-classifiers list refuses", () => {
    const complete = ["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/WHEEL", "demo-1.0.dist-info/RECORD"];
    expect(archiveRefusals(wheel(complete, { classifiers: { unknown: ["Programming Language :: Pyhton"], deprecated: { "Natural Language :: Ukranian": ["Natural Language :: Ukrainian"] } } }))).toEqual([
      "'Programming Language :: Pyhton' is not a valid classifier",
      `The classifier 'Natural Language :: Ukranian' has been deprecated, use one of ["Natural Language :: Ukrainian"] instead`,
    ]);
  });
  test("an unreadable archive says why", () => expect(archiveRefusals({ filename: "x.whl", members: [], error: "BadZipFile: File is not a zip file" })).toEqual(["cannot be read: BadZipFile: File is not a zip file"]));

  test("pypiRefusals sorts every problem under its code", () => {
    const files = [
      { filename: "MarkupSafe-3.1.0.tar.gz", size: 10 },
      { filename: "markupsafe-3.1.0-cp311-cp311-linux_x86_64.whl", size: 2_000 },
    ];
    const result = pypiRefusals(files, [], "MarkupSafe", "3.1.0", 1_000);
    expect(result.names).toEqual([{ filename: "MarkupSafe-3.1.0.tar.gz", reason: "is invalid, should be 'markupsafe-3.1.0.tar.gz'" }]);
    expect(result.platforms).toEqual([{ filename: "markupsafe-3.1.0-cp311-cp311-linux_x86_64.whl", tags: ["linux_x86_64"] }]);
    expect(result.sizes).toEqual([{ filename: "markupsafe-3.1.0-cp311-cp311-linux_x86_64.whl", size: 2_000, limit: 1_000 }]);
    expect(result.metadata).toEqual([]);
  });
});

describe("what an sdist carries against git", () => {
  const tracked: TrackedTree = { files: new Set(["pyproject.toml", "README.md", "src/demo/__init__.py", ".gitignore"]), submodules: ["vendor/lib"] };
  const member = (name: string, size = 100) => ({ name: `demo-1.0/${name}`, size, kind: "file" as const });
  const members = [
    { name: "demo-1.0", size: 0, kind: "dir" as const },
    member("PKG-INFO"),
    member("pyproject.toml"),
    member("README.md"),
    member("src/demo/__init__.py"),
    member("src/demo/_version.py"),
    member("vendor/lib/lib.c"),
    member("vendor/lib/.git", 40),
    member("node_modules/leftpad/index.js", 5_000),
    member("node_modules/.bin/node", 70_000_000),
    member("build/lib/demo/__init__.py", 300),
    member("notes.txt", 20),
    member("src/demo/scratch.py", 10),
  ];
  const generated = (path: string) => isGeneratedMember(path, "hatchling.build", ["src/demo/_version.py"]);

  test("offenders: .git and node_modules always, untracked files unless the backend generates them", () => {
    expect(sdistOffenders(members, tracked, generated).map((o) => [o.path, o.reason])).toEqual([
      ["vendor/lib/.git", ".git"],
      ["node_modules/leftpad/index.js", "node_modules"],
      ["node_modules/.bin/node", "node_modules"],
      ["build/lib/demo/__init__.py", "untracked"],
      ["notes.txt", "untracked"],
      ["src/demo/scratch.py", "untracked"],
    ]);
  });

  test("groups: the outermost untracked folder, biggest first", () => {
    const groups = groupOffenders(sdistOffenders(members, tracked, generated), tracked);
    expect(groups.map((g) => [g.path, g.files, g.bytes])).toEqual([
      ["node_modules/", 2, 70_005_000],
      ["build/", 1, 300],
      ["vendor/lib/.git/", 1, 40],
      ["notes.txt", 1, 20],
      ["src/demo/scratch.py", 1, 10],
    ]);
  });

  test("a clean sdist has no offenders", () => {
    expect(sdistOffenders([member("PKG-INFO"), member("pyproject.toml"), member("src/demo/__init__.py")], tracked, generated)).toEqual([]);
  });

  test("files each backend generates", () => {
    const cases: [string, string | undefined, boolean][] = [
      ["PKG-INFO", "flit_core.buildapi", true],
      ["setup.cfg", "setuptools.build_meta", true],
      ["src/MarkupSafe.egg-info/SOURCES.txt", "setuptools.build_meta", true],
      ["src/iniconfig.egg-info/scm_file_list.json", "setuptools.build_meta", true],
      ["setup.cfg", "hatchling.build", false],
      ["setup.py", "poetry.core.masonry.api", true],
      ["setup.py", "hatchling.build", false],
      ["src/demo/PKG-INFO", "hatchling.build", false],
    ];
    for (const [path, backend, expected] of cases) assert.equal(isGeneratedMember(path, backend), expected, `${path} with ${backend}`);
  });

  test("scm version files, as pyproject.toml configures them", () => {
    expect(scmVersionFiles({ tool: { setuptools_scm: { write_to: "src/iniconfig/_version.py" } } })).toEqual(["src/iniconfig/_version.py"]);
    expect(scmVersionFiles({ tool: { setuptools_scm: { version_file: "./pkg/_v.py" } } })).toEqual(["pkg/_v.py"]);
    expect(scmVersionFiles({ tool: { hatch: { build: { hooks: { vcs: { "version-file": "src/t/_version.py" } } } } } })).toEqual(["src/t/_version.py"]);
    expect(scmVersionFiles({ tool: { hatch: { build: { targets: { wheel: { hooks: { vcs: { "version-file": "a.py" } } } } } } } })).toEqual(["a.py"]);
    expect(scmVersionFiles({ tool: { pdm: { version: { source: "scm", write_to: "demo/_version.py" } } } })).toEqual(["demo/_version.py"]);
    expect(scmVersionFiles({})).toEqual([]);
  });

  test("git ls-tree -r -z output", () => {
    const output = ["100644 blob 0123abcd\tREADME.md", "100755 blob 0123abcd\tbin/run me", "160000 commit 89abcdef\ttests/toml-test", ""].join("\0");
    const tree = parseLsTree(output);
    expect([...tree.files]).toEqual(["README.md", "bin/run me"]);
    expect(tree.submodules).toEqual(["tests/toml-test"]);
  });
});

describe("build argv", () => {
  const base = { python: "/venv/bin/python", projectDir: ".", buildArgs: ["--no-isolation"] };
  const cases: [string, Parameters<typeof buildArgv>[0], { file: string; args: string[] }][] = [
    ["build, both kinds: the wheel from the sdist", { ...base, builder: "build", dists: ["sdist", "wheel"] }, { file: "/venv/bin/python", args: ["-m", "build", "--outdir", "/out", "--no-isolation", "."] }],
    ["build, sdist only", { ...base, builder: "build", dists: ["sdist"] }, { file: "/venv/bin/python", args: ["-m", "build", "--outdir", "/out", "--sdist", "--no-isolation", "."] }],
    ["build, wheel only", { ...base, builder: "build", dists: ["wheel"] }, { file: "/venv/bin/python", args: ["-m", "build", "--outdir", "/out", "--wheel", "--no-isolation", "."] }],
    ["uv in the interpreter", { ...base, builder: "uv", uvCommand: ["/venv/bin/python", "-m", "uv"], dists: ["sdist", "wheel"] }, { file: "/venv/bin/python", args: ["-m", "uv", "build", "--python", "/venv/bin/python", "--out-dir", "/out", "--no-isolation", "."] }],
    ["uv on PATH, wheel only", { ...base, builder: "uv", uvCommand: ["uv"], dists: ["wheel"], buildArgs: [] }, { file: "uv", args: ["build", "--python", "/venv/bin/python", "--out-dir", "/out", "--wheel", "."] }],
  ];
  for (const [name, request, expected] of cases) test(name, () => expect(buildArgv(request, "/out")).toEqual(expected));

  test("by-products: only what setuptools newly left behind", () => {
    const before = ["notes.txt", "old.egg-info/"];
    const after = ["notes.txt", "old.egg-info/", "src/Demo_Pkg.egg-info/", "build/", "scratch/", "new.txt"];
    expect(byProducts(before, after)).toEqual(["src/Demo_Pkg.egg-info/", "build/"]);
  });
});

describe("texts", () => {
  test("EBUILD offers --no-isolation only to an isolated build, in the builder's spelling", () => {
    const facts = { command: "python -m build", output: "x", exitCode: 1, python: "/venv/bin/python", requires: ["hatchling>=1.26"] };
    const isolated = errorTexts.EBUILD({ ...facts, builder: "build", isolated: true }).details;
    assert.match(isolated, /"buildArgs": \["--no-isolation"\]/);
    const uv = errorTexts.EBUILD({ ...facts, builder: "uv", isolated: true }).details;
    assert.match(uv, /"buildArgs": \["--no-build-isolation"\]/);
    const already = errorTexts.EBUILD({ ...facts, builder: "build", isolated: false }).details;
    assert.doesNotMatch(already, /add|"buildArgs"/);
    assert.match(already, /runs without isolation.*\/venv\/bin\/python -m pip install "hatchling>=1\.26"/s);
  });

  test("jwtClaims reads a JWT's payload without trusting it", () => {
    const jwt = `e30.${Buffer.from(JSON.stringify({ aud: "pypi", exp: 1 })).toString("base64url")}.sig`;
    expect(jwtClaims(jwt)).toEqual({ aud: "pypi", exp: 1 });
    assert.equal(jwtClaims("not-a-jwt"), undefined);
    assert.equal(jwtClaims("a.bm90IGpzb24.c"), undefined);
  });
});
