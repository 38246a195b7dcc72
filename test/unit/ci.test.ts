import { test } from "@jest/globals";
import assert from "node:assert/strict";
import { tagOfVersion, triggeringTag, versionFromTag } from "../../src/ci.js";

test("tag-triggered runs: GitHub Actions and GitLab", () => {
  assert.equal(triggeringTag({ GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v2.0.0" }), "v2.0.0");
  assert.equal(triggeringTag({ GITHUB_REF_TYPE: "branch", GITHUB_REF_NAME: "main" }), undefined);
  assert.equal(triggeringTag({ CI_COMMIT_TAG: "v1.0.0rc1" }), "v1.0.0rc1");
  assert.equal(triggeringTag({}), undefined);
});

test("versions in tags follow tagFormat", () => {
  assert.equal(versionFromTag("v2.0.0"), "2.0.0");
  assert.equal(versionFromTag("release-2.0.0-final", "release-${version}-final"), "2.0.0");
  assert.equal(versionFromTag("2.0.0"), undefined);
  assert.equal(versionFromTag("v"), undefined);
  assert.equal(tagOfVersion("2.0.0-rc.1"), "v2.0.0-rc.1");
  assert.equal(tagOfVersion("2.0.0", "release-${version}-final"), "release-2.0.0-final");
});
