import type { Context, PluginConfig } from "../context.js";

/**
 * The release lifecycle's one table: the preset's plugins in the order semantic-release
 * runs them (index.ts lists them; `pyrelease resume` replays their steps from here).
 * semantic-release runs each step across all plugins before the next step, so every
 * prepare runs before any publish, and within publish `./artifacts` (the draft release,
 * which keeps the dists) runs before `./pypi` uploads them.
 */

export const PACKAGE_NAME = "semantic-release-config-pyproject";

/** semantic-release's plugin steps, in lifecycle order. */
export const STEPS = ["verifyConditions", "analyzeCommits", "verifyRelease", "generateNotes", "prepare", "publish", "addChannel", "success", "fail"] as const;
export type Step = (typeof STEPS)[number];

export type StepFunction = (pluginConfig: PluginConfig, context: Context) => Promise<unknown>;
export type PluginModule = Partial<Record<Step, StepFunction>>;

export interface ReleasePlugin {
  /** The export under the package: `semantic-release-config-pyproject/<name>`. */
  name: string;
  /** How to load a plugin that is not one of the package's exports (a test's); the preset's are loaded by their export path. */
  load?(): Promise<PluginModule>;
  /** Its prepare builds the files the draft release keeps: a resume that took them all back from the draft skips it. */
  buildsKeptFiles?: boolean;
}

export const RELEASE_PLUGINS: readonly ReleasePlugin[] = [
  { name: "analyze" },
  { name: "notes" },
  { name: "pyproject" },
  { name: "artifacts" },
  { name: "pypi", buildsKeptFiles: true },
  { name: "images" },
];

/** What `plugins` of a semantic-release config names each one. */
export const pluginPath = (plugin: Pick<ReleasePlugin, "name">) => `${PACKAGE_NAME}/${plugin.name}`;

/**
 * The steps `pyrelease resume` replays for an existing tag: the version comes from the tag
 * (no analyzeCommits), the notes from the existing release when it has them, and the
 * channel is already the tag's (no addChannel).
 */
export const RESUMED_STEPS: readonly Step[] = ["verifyConditions", "verifyRelease", "generateNotes", "prepare", "publish", "success"];
