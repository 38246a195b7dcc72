import { basename } from "node:path";
import { run, tail } from "../exec.js";
import type { MetadataHeaders } from "./warehouse.js";

export interface ArchiveMember {
  /** The path inside the archive, as stored. */
  name: string;
  size: number;
  kind: "file" | "dir" | "link" | "other";
  sparse?: boolean;
}

export interface DistContents {
  filename: string;
  members: ArchiveMember[];
  /** Where the core metadata was looked for (`<top>/PKG-INFO`, `<name>-<version>.dist-info/METADATA`). */
  metadataPath?: string;
  /** The core metadata's headers; undefined when the file has none there. */
  metadata?: MetadataHeaders;
  /** Classifiers PyPI refuses, when the interpreter has `trove-classifiers` (hatchling depends on it); undefined otherwise. */
  classifiers?: { unknown: string[]; deprecated: Record<string, string[]> };
  /** The archive could not be read at all. */
  error?: string;
}

/**
 * Python, run by the release's interpreter (the standard library reads tar and zip files
 * and core metadata as PyPI does): every member and the metadata headers of each dist.
 */
const INSPECT_DISTS = `
import email.parser, json, os, sys, tarfile, zipfile
try:
    import trove_classifiers as tc
except Exception:
    tc = None

def headers(raw):
    message = email.parser.HeaderParser().parsestr(raw.decode("utf-8", "replace"))
    out = {}
    for key, value in message.items():
        out.setdefault(key.lower(), []).append(str(value))
    return out

def top_level(names):
    try:
        return os.path.commonpath(names)
    except ValueError:
        return ""

result = []
for path in sys.argv[1:]:
    entry = {"filename": os.path.basename(path), "members": []}
    try:
        raw = None
        if path.endswith((".whl", ".zip")):
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    entry["members"].append({"name": info.filename, "size": info.file_size, "kind": "dir" if info.is_dir() else "file"})
                if path.endswith(".whl"):
                    name, version = (os.path.basename(path).split("-", 2) + ["", ""])[:2]
                    entry["metadataPath"] = "%s-%s.dist-info/METADATA" % (name, version)
                else:
                    entry["metadataPath"] = top_level(z.namelist()) + "/PKG-INFO"
                if entry["metadataPath"] in z.namelist():
                    raw = z.read(entry["metadataPath"])
        else:
            with tarfile.open(path, "r:gz") as t:
                members = t.getmembers()
                for m in members:
                    kind = "dir" if m.isdir() else "file" if m.isfile() else "link" if (m.issym() or m.islnk()) else "other"
                    entry["members"].append({"name": m.name, "size": m.size, "kind": kind, "sparse": m.issparse()})
                entry["metadataPath"] = top_level([m.name for m in members]) + "/PKG-INFO"
                try:
                    member = t.getmember(entry["metadataPath"])
                    if member.isfile():
                        raw = t.extractfile(member).read()
                except KeyError:
                    pass
        if raw is not None:
            entry["metadata"] = headers(raw)
            found = entry["metadata"].get("classifier", [])
            if tc is not None:
                entry["classifiers"] = {
                    "unknown": sorted(set(found) - set(tc.all_classifiers)),
                    "deprecated": {c: list(tc.deprecated_classifiers[c]) for c in sorted(set(found) & set(tc.deprecated_classifiers))},
                }
    except Exception as error:
        entry["error"] = "%s: %s" % (type(error).__name__, error)
    result.append(entry)
json.dump(result, sys.stdout)
`;

/** Read every built file's members and metadata, in one interpreter start-up. */
export async function inspectDists(python: string, paths: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<DistContents[]> {
  if (!paths.length) return [];
  const result = await run(python, ["-c", INSPECT_DISTS, ...paths], { cwd, env, timeoutMs: 300_000 });
  let parsed: DistContents[] | undefined;
  try {
    parsed = result.exitCode === 0 ? (JSON.parse(result.stdout) as DistContents[]) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed) return parsed;
  const why = `${python} -c <read the archives> exited with ${result.exitCode}: ${tail(result.all, 5)}`;
  return paths.map((path) => ({ filename: basename(path), members: [], error: why }));
}
