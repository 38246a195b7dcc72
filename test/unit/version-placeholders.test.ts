import { test, expect } from "@jest/globals";
import { versionVars } from "../../src/version/placeholders.js";

test("the version placeholders of a release, or none for a version PyPI cannot take", () => {
  const cases: [string, ReturnType<typeof versionVars>][] = [
    ["2.1.0", { version: "2.1.0", pep440: "2.1.0", major: "2", minor: "1", patch: "0" }],
    ["2.1.0-rc.3", { version: "2.1.0-rc.3", pep440: "2.1.0rc3", major: "2", minor: "1", patch: "0" }],
    ["10.0.7-dev.0", { version: "10.0.7-dev.0", pep440: "10.0.7.dev0", major: "10", minor: "0", patch: "7" }],
    ["2.0.0-nightly.1", undefined],
    ["2.0.0+build", undefined],
    ["v2.0.0", undefined],
  ];
  for (const [version, expected] of cases) expect(versionVars(version)).toEqual(expected);
});
