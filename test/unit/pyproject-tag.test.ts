import { test } from "@jest/globals";
import assert from "node:assert/strict";
import { tagMismatch } from "../../src/pyproject/tag.js";

test("ETAGMISMATCH unless the tag names pyproject's version, in semver or PEP 440 form", () => {
  const cases: [string, string | undefined, string, boolean][] = [
    ["v2.0.0", undefined, "2.0.0", true],
    ["v2.0.0-rc.1", undefined, "2.0.0rc1", true],
    ["v2.0.0rc1", undefined, "2.0.0.rc1", true],
    ["release-2.0.0", "release-${version}", "2.0.0", true],
    ["v2.0.0", undefined, "2.0", false],
    ["v2.0.1", undefined, "2.0.0", false],
    ["v2.0.0-next.1", undefined, "2.0.0", false],
    ["nightly", undefined, "2.0.0", false],
  ];
  for (const [tag, format, version, matches] of cases) {
    const error = tagMismatch(tag, format, version, "pyproject.toml", matches ? undefined : "0123456789abcdef");
    assert.equal(error === undefined, matches, `${tag} vs ${version}`);
    if (error) {
      assert.equal((error as { code?: string }).code, "ETAGMISMATCH");
      assert.match(error.message, new RegExp(`^Tag ${tag} does not match the version ${version.replace(/\./g, "\\.")} in pyproject\\.toml at 0123456789ab\\.$`));
    }
  }
});
