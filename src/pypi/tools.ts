import { compare, valid } from "@renovatebot/pep440";
import { run } from "../exec.js";

export interface PythonTools {
  python: string;
  buildVersion?: string;
  twineVersion?: string;
  /** `build`, `twine`: modules the interpreter cannot run. */
  missing: string[];
}

/**
 * Python, run by the release's interpreter: the installed versions of `build` and `twine`
 * (null when absent), in one process instead of two `-m … --version` start-ups.
 */
const READ_TOOL_VERSIONS = `
import json
from importlib.metadata import PackageNotFoundError, version
found = {}
for name in ("build", "twine"):
    try:
        found[name] = version(name)
    except PackageNotFoundError:
        found[name] = None
print(json.dumps(found))
`;

/** One look per interpreter and folder in a process: verifyConditions asks, prepare asks again. */
const checked = new Map<string, Promise<PythonTools>>();

export function checkPythonTools(python: string, cwd: string, env: Record<string, string | undefined> = {}): Promise<PythonTools> {
  const key = JSON.stringify([python, cwd]);
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
  const missing = ["build", "twine"].filter((name) => typeof found[name] !== "string");
  return {
    python,
    buildVersion: found.build ?? undefined,
    twineVersion: found.twine ?? undefined,
    missing: missing.map((m) => `${python} -m ${m}`),
  };
}

/** PEP 440 order; an unreadable version (empty, garbled) counts as older, so it never triggers a verdict. */
function compareVersions(a: string, b: string): number {
  return valid(a) && valid(b) ? compare(a, b) : -1;
}

/**
 * Pure: the newest core-metadata version a twine release reads. twine 4 and 5 stop at 2.2
 * (they say so: "using a supported Metadata-Version: 1.0, …, 2.2"); 6.1 added 2.3 and 2.4.
 */
export function newestMetadataFor(twineVersion: string): string {
  return compareVersions(twineVersion, "6.1") >= 0 ? "2.4" : "2.2";
}

/** Pure: the files whose Metadata-Version this twine cannot read. */
export function unreadableByTwine(twineVersion: string | undefined, metadataVersions: Record<string, string>): string[] {
  if (!twineVersion) return [];
  const newest = newestMetadataFor(twineVersion);
  return Object.entries(metadataVersions)
    .filter(([, version]) => compareVersions(version, newest) > 0)
    .map(([filename]) => filename);
}

/** Python, run by the release's interpreter: each file's Metadata-Version, as JSON. */
const READ_METADATA_VERSION = `
import json, sys, tarfile, zipfile, email.parser
out = {}
for path in sys.argv[1:]:
    text = ""
    if path.endswith(".whl"):
        with zipfile.ZipFile(path) as z:
            name = next(n for n in z.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
            text = z.read(name).decode("utf-8")
    else:
        with tarfile.open(path) as t:
            member = next(m for m in t.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
            text = t.extractfile(member).read().decode("utf-8")
    out[path.replace("\\\\", "/").rsplit("/", 1)[-1]] = email.parser.HeaderParser().parsestr(text).get("Metadata-Version", "")
print(json.dumps(out))
`;

/** filename → Metadata-Version of every built file (empty when it cannot be read: twine check reports that). */
export async function readMetadataVersions(python: string, paths: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<Record<string, string>> {
  const result = await run(python, ["-c", READ_METADATA_VERSION, ...paths], { cwd, env, timeoutMs: 60_000 });
  if (result.exitCode !== 0) return {};
  try {
    return JSON.parse(result.stdout) as Record<string, string>;
  } catch {
    return {};
  }
}
