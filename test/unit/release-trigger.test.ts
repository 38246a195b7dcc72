import { test } from "@jest/globals";
import assert from "node:assert/strict";
import { triggeringTag } from "../../src/release/trigger.js";

test("tag-triggered runs: GitHub Actions and GitLab", () => {
  assert.equal(triggeringTag({ GITHUB_REF_TYPE: "tag", GITHUB_REF_NAME: "v2.0.0" }), "v2.0.0");
  assert.equal(triggeringTag({ GITHUB_REF_TYPE: "branch", GITHUB_REF_NAME: "main" }), undefined);
  assert.equal(triggeringTag({ CI_COMMIT_TAG: "v1.0.0rc1" }), "v1.0.0rc1");
  assert.equal(triggeringTag({}), undefined);
});
