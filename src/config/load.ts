import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cosmiconfig } from "cosmiconfig";
import { getError } from "../errors.js";

/**
 * The user's release configuration as semantic-release finds it (`release` key of
 * package.json, `.releaserc`, `.releaserc.{json,yaml,yml,js,cjs,mjs}`, `release.config.*`),
 * with every shareable config named in `extends` merged under it, as semantic-release
 * merges them: later ones win, the user's own keys win over all.
 * The commands outside a semantic-release run (`pyrelease …`) read their options here.
 * Shareable configs are resolved from `modulesDir` (a worktree of an old commit has no node_modules).
 */
export async function loadReleaseConfig(cwd: string, modulesDir = cwd): Promise<Record<string, any>> {
  let found: { config?: unknown; filepath?: string } | null;
  try {
    found = await cosmiconfig("release").search(cwd);
  } catch (error) {
    throw getError("EINVALIDCONFIG", { problems: [{ key: "release configuration", reason: (error as Error).message.split("\n")[0] }] });
  }
  const own = (found?.config ?? {}) as Record<string, any>;
  const { extends: extendsOption, ...options } = own;
  const names: string[] = extendsOption === undefined ? [] : Array.isArray(extendsOption) ? extendsOption : [extendsOption];
  const require = createRequire(join(modulesDir, "package.json"));
  let merged: Record<string, any> = {};
  for (const name of names) {
    let shared: Record<string, any>;
    try {
      const module = await import(pathToFileURL(require.resolve(name)).href);
      shared = module.default ?? module;
    } catch (error) {
      throw getError("EINVALIDCONFIG", { problems: [{ key: "extends", reason: `${name} cannot be loaded from ${modulesDir}: ${(error as Error).message.split("\n")[0]}` }] });
    }
    merged = { ...merged, ...shared };
  }
  return { ...merged, ...options };
}
