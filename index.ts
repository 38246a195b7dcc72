/**
 * The shareable config: `"extends": "semantic-release-config-pyproject"`.
 * Options live under the top-level keys `pyproject`, `pypi`, `images`, `notes`, `cadence`
 * and `artifacts` of the user's config; every plugin reads its own key.
 */
const PLUGIN = (name: string) => `semantic-release-config-pyproject/${name}`;

const config = {
  branches: [
    // maintenance: 1.x, 1.2.x, 1.x.x
    "+([0-9])?(.{+([0-9]),x}).x",
    "main",
    { name: "next", prerelease: "rc" },
    { name: "beta", prerelease: "beta" },
    { name: "alpha", prerelease: "alpha" },
  ],
  tagFormat: "v${version}",
  // Order matters: publish runs the draft release first, so an interrupted upload
  // leaves a draft to finish; success then records every artifact in it.
  plugins: [PLUGIN("analyze"), PLUGIN("notes"), PLUGIN("pyproject"), PLUGIN("artifacts"), PLUGIN("pypi"), PLUGIN("images")],
};

export default config;
