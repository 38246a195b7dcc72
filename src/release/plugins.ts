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
  load(): Promise<PluginModule>;
  /** Its prepare builds the files the draft release keeps: a resume that took them all back from the draft skips it. */
  buildsKeptFiles?: boolean;
}

export const RELEASE_PLUGINS: readonly ReleasePlugin[] = [
  { name: "analyze", load: () => import("../plugins/analyze.js") },
  { name: "notes", load: () => import("../plugins/notes.js") },
  { name: "pyproject", load: () => import("../plugins/pyproject.js") },
  { name: "artifacts", load: () => import("../plugins/artifacts.js") },
  { name: "pypi", load: () => import("../plugins/pypi.js"), buildsKeptFiles: true },
  { name: "images", load: () => import("../plugins/images.js") },
];

/** What `plugins` of a semantic-release config names each one. */
export const pluginPath = (plugin: Pick<ReleasePlugin, "name">) => `${PACKAGE_NAME}/${plugin.name}`;

/**
 * The steps `pyrelease resume` replays for an existing tag: the version comes from the tag
 * (no analyzeCommits), the notes from the existing release when it has them, and the
 * channel is already the tag's (no addChannel).
 */
export const RESUMED_STEPS: readonly Step[] = ["verifyConditions", "verifyRelease", "generateNotes", "prepare", "publish", "success"];
