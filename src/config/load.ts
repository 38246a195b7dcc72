import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The user's release configuration as the commands outside semantic-release see it:
 * `.releaserc`, `.releaserc.json` or the `release` key of package.json (JSON forms).
 * Keys a shareable config sets are not resolved here; commands take flags for those.
 */
export async function loadReleaseConfig(cwd: string): Promise<Record<string, any>> {
  for (const name of [".releaserc", ".releaserc.json"]) {
    const text = await readFile(join(cwd, name), "utf8").catch(() => undefined);
    if (text !== undefined) {
      try {
        return JSON.parse(text);
      } catch {
        return {};
      }
    }
  }
  const pkg = await readFile(join(cwd, "package.json"), "utf8").catch(() => undefined);
  if (pkg) {
    try {
      return JSON.parse(pkg).release ?? {};
    } catch {
      return {};
    }
  }
  return {};
}
