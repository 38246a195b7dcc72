import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { normalizeDistName } from "../pyproject/read.js";
import { samePep440 } from "../version/pep440.js";

export interface DistFile {
  /** Absolute path of the built file. */
  path: string;
  filename: string;
  sha256: string;
  size: number;
}

export type DistKind = "sdist" | "bdist_wheel";

export interface ParsedDistName {
  kind: DistKind;
  name: string;
  version: string;
}

/** Pure: the project name and version a distribution file name carries, or null for a file that is no sdist or wheel. */
export function parseDistFilename(filename: string): ParsedDistName | null {
  if (filename.endsWith(".whl")) {
    // {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl; name and version hold no "-".
    const parts = filename.slice(0, -4).split("-");
    if (parts.length !== 5 && parts.length !== 6) return null;
    return { kind: "bdist_wheel", name: parts[0], version: parts[1] };
  }
  const sdist = /^(.+)-([^-]+)\.(tar\.gz|zip)$/.exec(filename);
  if (sdist) return { kind: "sdist", name: sdist[1], version: sdist[2] };
  return null;
}

/** Pure: why a built file does not belong to `name` `version`, or undefined when it does. */
export function distMismatch(filename: string, name: string, version: string): string | undefined {
  const parsed = parseDistFilename(filename);
  if (!parsed) return "is neither an sdist (.tar.gz) nor a wheel (.whl)";
  const problems: string[] = [];
  if (normalizeDistName(parsed.name) !== normalizeDistName(name)) problems.push(`project name ${parsed.name}, expected ${name}`);
  if (!samePep440(parsed.version, version)) problems.push(`version ${parsed.version}, expected ${version}`);
  return problems.length ? problems.join("; ") : undefined;
}

/** Pure: every problem with a set of freshly built files: foreign names or versions, a missing sdist or wheel. */
export function checkDistSet(filenames: readonly string[], name: string, version: string): { filename: string; reason: string }[] {
  const problems = filenames.flatMap((filename) => {
    const reason = distMismatch(filename, name, version);
    return reason ? [{ filename, reason }] : [];
  });
  const kinds = new Set(filenames.map((f) => parseDistFilename(f)?.kind));
  if (!kinds.has("sdist")) problems.push({ filename: "(sdist)", reason: "no source distribution was built" });
  if (!kinds.has("bdist_wheel")) problems.push({ filename: "(wheel)", reason: "no wheel was built" });
  return problems;
}

/** Pure: the names a build is expected to produce (the wheel's tags are only known after building). */
export function plannedDistNames(name: string, version: string): string[] {
  const stem = `${normalizeDistName(name).replace(/-/g, "_")}-${version}`;
  return [`${stem}.tar.gz`, `${stem}-*.whl`];
}

export async function describeDist(path: string): Promise<DistFile> {
  const bytes = await readFile(path);
  return { path, filename: basename(path), sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
}

/** The files of `name` `version` in `dir` (prepare's, or those resume restored from the draft), hashed; none when `dir` does not exist. */
export async function releaseDistsIn(dir: string, name: string, version: string): Promise<DistFile[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [] as string[];
    throw error;
  });
  const mine = names.filter((filename) => parseDistFilename(filename) && !distMismatch(filename, name, version)).sort();
  return Promise.all(mine.map((filename) => describeDist(join(dir, filename))));
}
