import { test, expect } from "@jest/globals";
import { releaseHolds } from "../../src/commands/bump.js";

test.each([
  [{}, []],
  [{ gates: { checks: [] }, cadence: { minor: "immediate" } }, []],
  [{ gates: { checks: ["gpu-ci"] } }, ["gates.checks (gpu-ci)"]],
  [{ cadence: { major: "milestone" } }, ["the milestone cadence"]],
  [{ gates: { checks: ["gpu-ci", "docs"] }, cadence: { minor: "milestone", milestoneBy: "references" } }, ["gates.checks (gpu-ci, docs)", "the milestone cadence"]],
  [{ gates: "gpu-ci" }, []],
])("releaseHolds(%j): what pyrelease bump says it does not wait for", (config, holds) => {
  expect(releaseHolds(config as never)).toEqual(holds);
});
