import { run } from "../exec.js";
import type { Builder } from "./options.js";

export interface PythonTools {
  python: string;
  buildVersion?: string;
  twineVersion?: string;
  /** uv, when found: the `uv` package in the interpreter (`python -m uv`), else `uv` on PATH. */
  uv?: { version: string; command: string[] };
}

/**
 * Python, run by the release's interpreter: the installed versions of `build`, `twine`
 * and `uv` (null when absent), in one process instead of several `--version` start-ups.
 */
const READ_TOOL_VERSIONS = `
import importlib.util, json
from importlib.metadata import PackageNotFoundError, version
found = {}
for name in ("build", "twine", "uv"):
    try:
        found[name] = version(name) if importlib.util.find_spec(name) else None
    except (PackageNotFoundError, ValueError):
        found[name] = None
print(json.dumps(found))
`;

/** One look per interpreter and folder in a process: verifyConditions asks, prepare asks again. */
const checked = new Map<string, Promise<PythonTools>>();

export function checkPythonTools(python: string, cwd: string, env: Record<string, string | undefined> = {}): Promise<PythonTools> {
  const key = JSON.stringify([python, cwd, env.PATH ?? ""]);
  if (!checked.has(key)) checked.set(key, lookForPythonTools(python, cwd, env));
  return checked.get(key)!;
}

async function lookForPythonTools(python: string, cwd: string, env: Record<string, string | undefined>): Promise<PythonTools> {
  const result = await run(python, ["-c", READ_TOOL_VERSIONS], { cwd, env, timeoutMs: 60_000 });
  let found: Record<string, string | null> = {};
  try {
    if (result.exitCode === 0) found = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}");
  } catch {
    found = {};
  }
  let uv: PythonTools["uv"];
  if (typeof found.uv === "string") uv = { version: found.uv, command: [python, "-m", "uv"] };
  else {
    const onPath = await run("uv", ["--version"], { cwd, env, timeoutMs: 30_000 });
    const version = /^uv (\S+)/.exec(onPath.stdout.trim())?.[1];
    if (onPath.exitCode === 0 && version) uv = { version, command: ["uv"] };
  }
  return { python, buildVersion: found.build ?? undefined, twineVersion: found.twine ?? undefined, uv };
}

/**
 * Pure: the builder a release uses, and what is missing for it. Unset, it is `build`
 * whenever the interpreter has it (the PyPA frontend the README asks for; nothing changes
 * because some `uv` happens to be on PATH), else `uv` when found, so a uv-only setup needs
 * no extra install. twine is always needed: it checks and uploads.
 */
export function resolveBuilder(option: Builder | undefined, tools: PythonTools): { builder: Builder; missing: string[] } {
  const builder = option ?? (tools.buildVersion ? "build" : tools.uv ? "uv" : "build");
  const missing: string[] = [];
  if (builder === "build" && !tools.buildVersion) missing.push(`${tools.python} -m build${option ? "" : " (or uv)"}`);
  if (builder === "uv" && !tools.uv) missing.push(`uv (${tools.python} -m uv, or uv on PATH)`);
  if (!tools.twineVersion) missing.push(`${tools.python} -m twine`);
  return { builder, missing };
}

/** The core-metadata versions worth naming when twine cannot read a file: every one the specification has had. */
export const KNOWN_METADATA_VERSIONS = ["1.0", "1.1", "1.2", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6"];

/**
 * Python, run by the release's interpreter: whether its twine reads each given
 * Metadata-Version, asked of twine itself: a minimal wheel declaring that version goes
 * through `twine.package.PackageFile.from_filename`, the code `twine check` and
 * `twine upload` start with (twine 4 reads metadata with pkginfo, twine 7 with packaging).
 */
const TWINE_READS = `
import json, os, sys, tempfile, warnings, zipfile
warnings.simplefilter("ignore")
from twine.package import PackageFile
reads = {}
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "metadata_probe-1.0-py3-none-any.whl")
    for metadata_version in sys.argv[1:]:
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("metadata_probe-1.0.dist-info/METADATA", "Metadata-Version: %s\\nName: metadata-probe\\nVersion: 1.0\\n" % metadata_version)
            z.writestr("metadata_probe-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: probe\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
            z.writestr("metadata_probe-1.0.dist-info/RECORD", "")
        try:
            PackageFile.from_filename(path, None)
            reads[metadata_version] = True
        except Exception:
            reads[metadata_version] = False
print(json.dumps(reads))
`;

/** Metadata-Version → whether the interpreter's twine reads it; empty when twine cannot be asked. */
export async function twineReadsMetadata(python: string, versions: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Record<string, boolean>> {
  const result = await run(python, ["-c", TWINE_READS, ...versions], { cwd, env, timeoutMs: 60_000 });
  try {
    return result.exitCode === 0 ? (JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, boolean>) : {};
  } catch {
    return {};
  }
}

/** Pure: the built files whose Metadata-Version twine said it cannot read. */
export function unreadableByTwine(reads: Readonly<Record<string, boolean>>, metadataVersions: Readonly<Record<string, string>>): string[] {
  return Object.entries(metadataVersions)
    .filter(([, version]) => reads[version] === false)
    .map(([filename]) => filename);
}
