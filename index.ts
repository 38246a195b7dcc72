import { RELEASE_PLUGINS, pluginPath } from "./src/release/plugins.js";
import { DEFAULT_TAG_FORMAT } from "./src/version/tag.js";

/**
 * The shareable config: `"extends": "semantic-release-config-pyproject"`.
 * Options live under the top-level keys `pyproject`, `pypi`, `images`, `notes`, `cadence`
 * and `artifacts` of the user's config; every plugin reads its own key.
 */
const config = {
  branches: [
    // maintenance: 1.x, 1.2.x, 1.x.x
    "+([0-9])?(.{+([0-9]),x}).x",
    "main",
    { name: "next", prerelease: "rc" },
    { name: "beta", prerelease: "beta" },
    { name: "alpha", prerelease: "alpha" },
  ],
  tagFormat: DEFAULT_TAG_FORMAT,
  // The order is the lifecycle table's (src/release/plugins.ts), which `pyrelease resume` replays.
  plugins: RELEASE_PLUGINS.map(pluginPath),
};

export default config;
