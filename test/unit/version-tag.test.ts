import { test } from "@jest/globals";
import assert from "node:assert/strict";
import { DEFAULT_TAG_FORMAT, tagOfVersion, tagPep440, versionFromTag } from "../../src/version/tag.js";

test("versions in tags follow tagFormat", () => {
  assert.equal(DEFAULT_TAG_FORMAT, "v${version}");
  assert.equal(versionFromTag("v2.0.0"), "2.0.0");
  assert.equal(versionFromTag("release-2.0.0-final", "release-${version}-final"), "2.0.0");
  assert.equal(versionFromTag("2.0.0"), undefined);
  assert.equal(versionFromTag("v"), undefined);
  assert.equal(tagOfVersion("2.0.0-rc.1"), "v2.0.0-rc.1");
  assert.equal(tagOfVersion("2.0.0", "release-${version}-final"), "release-2.0.0-final");
});

test("the PEP 440 version a tag names, in either form", () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ["v2.0.0", undefined, "2.0.0"],
    ["v2.0.0-rc.1", undefined, "2.0.0rc1"],
    ["v2.0.0rc1", undefined, "2.0.0rc1"],
    ["v2.0.0.rc1", undefined, "2.0.0rc1"],
    ["2.0.0-beta.2", "${version}", "2.0.0b2"],
    ["pkg-1.4.0", "pkg-${version}", "1.4.0"],
    // A tag outside the format is read whole: PEP 440 allows a leading v.
    ["v1.0.0", "${version}", "1.0.0"],
    ["v2.0.0-next.1", undefined, undefined],
    ["latest", undefined, undefined],
  ];
  for (const [tag, format, expected] of cases) assert.equal(tagPep440(tag, format), expected, `${tag} (${format ?? "default"})`);
});
