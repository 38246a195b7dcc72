import assert from "node:assert/strict";
import { describe, test, expect } from "@jest/globals";
import { bakeArgv, bakeFile, imagetoolsArgv } from "../../src/images/bake.js";
import { podmanBuildArgv } from "../../src/images/podman.js";
import { readImagesOptions } from "../../src/images/options.js";
import { releasePlans } from "../../src/images/release.js";
import { optionsOrThrow } from "../../src/release/options.js";
import { readPypiOptions } from "../../src/pypi/options.js";
import { errorsOf } from "../support/plugin-context.js";

/**
 * No shell, no injection: option values that a shell would split or expand reach the
 * builder as exactly one argv entry each (or one JSON string in the bake file), or are
 * refused with EINVALIDCONFIG / EINVALIDIMAGEREF.
 */
export const HOSTILE = [
  "two words",
  `"double" and 'single' quotes`,
  "$(touch /tmp/pyrelease-pwned)",
  "`touch /tmp/pyrelease-pwned`",
  "line one\nline two",
  "semi; colon && and | pipe > redirect",
  "--label=evil",
];

const IMAGES = { repository: "docker.io/llenergymeasure", matrix: { backend: ["pytorch"], cuda: ["cuda12"] } };

describe("hostile values reach a builder as single argv entries", () => {
  for (const value of HOSTILE) {
    test(`images.buildArgs value ${JSON.stringify(value)}`, () => {
      const options = optionsOrThrow(readImagesOptions, { images: { ...IMAGES, buildArgs: { EXTRA: value, CUDA: "{cuda}" } } })!;
      const [plan] = releasePlans(options, "2.0.0", { type: "release", main: true });
      const argv = podmanBuildArgv(plan, { "org.opencontainers.image.revision": value }, { iidfile: "/tmp/iid", tlsVerify: true });
      assert.equal(argv.filter((a) => a === `EXTRA=${value}`).length, 1, "one --build-arg entry, unsplit");
      assert.equal(argv[argv.indexOf(`EXTRA=${value}`) - 1], "--build-arg");
      assert.equal(argv[argv.indexOf(`org.opencontainers.image.revision=${value}`) - 1], "--label");
      const bake = bakeFile([plan], {});
      const target = Object.values(bake.target)[0] as { args: Record<string, string> };
      assert.equal(target.args.EXTRA, value, "the bake file carries the value verbatim");
    });

    test(`buildx builder name ${JSON.stringify(value)}`, () => {
      const argv = bakeArgv({ file: "/tmp/bake dir/docker-bake.json", metadataFile: "/tmp/m.json", builder: value, targets: ["pytorch-cuda12"] });
      assert.equal(argv[argv.indexOf("--builder") + 1], value);
      assert.ok(argv.includes("/tmp/bake dir/docker-bake.json"));
      const tags = imagetoolsArgv({ repository: "docker.io/x/y", digest: `sha256:${"a".repeat(64)}`, tags: ["2.0.0"], builder: value });
      assert.equal(tags[tags.indexOf("--builder") + 1], value);
    });
  }
});

describe("hostile values where a name is expected are refused", () => {
  const refused: { name: string; images: Record<string, unknown>; code: string }[] = [
    { name: "repository with $()", images: { ...IMAGES, repository: "docker.io/$(id)" }, code: "EINVALIDIMAGEREF" },
    { name: "repository with a space", images: { ...IMAGES, repository: "docker.io/two words" }, code: "EINVALIDIMAGEREF" },
    { name: "tag with a backtick", images: { ...IMAGES, tags: ["{pep440}`id`"] }, code: "EINVALIDIMAGEREF" },
    { name: "tag with a newline", images: { ...IMAGES, tags: ["{pep440}\n--push"] }, code: "EINVALIDIMAGEREF" },
    { name: "matrix value with a quote", images: { ...IMAGES, matrix: { backend: [`py"torch`] } }, code: "EINVALIDCONFIG" },
    { name: "build arg name with a semicolon", images: { ...IMAGES, buildArgs: { "A;rm": "x" } }, code: "EINVALIDCONFIG" },
  ];
  for (const c of refused) {
    test(c.name, () => {
      let thrown: unknown;
      try {
        const options = optionsOrThrow(readImagesOptions, { images: c.images })!;
        releasePlans(options, "2.0.0", { type: "release", main: true });
      } catch (error) {
        thrown = error;
      }
      assert.ok(thrown, "refused");
      assert.ok(errorsOf(thrown).some((e) => e.code === c.code), errorsOf(thrown).map((e) => e.code).join(","));
    });
  }

  test("pypi URLs with a shell payload are refused", () => {
    const { problems } = readPypiOptions({ pypi: { repositoryUrl: "$(curl evil)", indexUrl: "`id`" } });
    expect(problems.map((p) => p.key).sort()).toEqual(["pypi.indexUrl", "pypi.repositoryUrl"]);
  });

  test("images options accept a hostile build arg value (it is data, not code)", () => {
    expect(readImagesOptions({ images: { ...IMAGES, buildArgs: { X: HOSTILE.join("") } } }).problems).toEqual([]);
  });
});
