import type { Context, PluginConfig, ReleaseRecord } from "../context.js";
import { isSemanticReleaseError } from "../errors.js";
import { pluginPath, RELEASE_PLUGINS, type PluginModule, type ReleasePlugin, type Step } from "./plugins.js";

/** Running the table's steps outside semantic-release, the way semantic-release runs them. */

export interface LoadedPlugin extends ReleasePlugin {
  module: PluginModule;
}

/**
 * Each plugin as semantic-release loads it: by its path under the package's exports (a
 * self-reference, so `release/` imports no plugin module and the table is only names).
 */
export async function loadPlugins(plugins: readonly ReleasePlugin[] = RELEASE_PLUGINS): Promise<LoadedPlugin[]> {
  const loaded: LoadedPlugin[] = [];
  // One at a time, in table order, as semantic-release loads them (and jest's ESM loader can link them).
  for (const plugin of plugins) loaded.push({ ...plugin, module: (await (plugin.load ? plugin.load() : import(pluginPath(plugin)))) as PluginModule });
  return loaded;
}

/** One step across the plugins, in table order; each plugin's result. `skip` leaves a plugin out. */
export async function runStep(
  plugins: readonly LoadedPlugin[],
  step: Step,
  pluginConfig: PluginConfig,
  context: Context,
  skip: (plugin: LoadedPlugin) => boolean = () => false,
): Promise<{ plugin: LoadedPlugin; result: unknown }[]> {
  const results: { plugin: LoadedPlugin; result: unknown }[] = [];
  for (const plugin of plugins) {
    const run = plugin.module[step];
    if (!run || skip(plugin)) continue;
    results.push({ plugin, result: await run(pluginConfig, context) });
  }
  return results;
}

/** Pure: publish results as semantic-release hands them to success: objects only, each with its pluginName. */
export function releasesOf(results: readonly { plugin: ReleasePlugin; result: unknown }[]): ReleaseRecord[] {
  return results.flatMap(({ plugin, result }) => (result && typeof result === "object" ? [{ ...(result as ReleaseRecord), pluginName: pluginPath(plugin) }] : []));
}

/** Pure: notes as semantic-release joins several generateNotes results. */
export function joinNotes(results: readonly { result: unknown }[]): string {
  return results.map(({ result }) => (typeof result === "string" ? result.trim() : "")).filter(Boolean).join("\n\n");
}

/** After a failure, the fail steps get the user's errors, as semantic-release's callFail gives them; a failing fail step is only logged. */
export async function runFail(plugins: readonly LoadedPlugin[], pluginConfig: PluginConfig, context: Context, error: unknown): Promise<void> {
  const errors = (error instanceof AggregateError ? error.errors : [error]).filter(isSemanticReleaseError);
  if (!errors.length) return;
  try {
    await runStep(plugins, "fail", pluginConfig, { ...context, errors });
  } catch (failure) {
    context.logger.error("A fail step failed too: %s", (failure as Error).message);
  }
}
