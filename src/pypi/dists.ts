import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { normalizeDistName } from "../pyproject/read.js";
import { normalizePep440, samePep440 } from "../version/pep440.js";
import { ALL_DISTS, type Dist } from "./options.js";
import { sdistFilename, wheelNamePart } from "./warehouse.js";

export interface DistFile {
  /** Absolute path of the built file. */
  path: string;
  filename: string;
  sha256: string;
  size: number;
}

/** twine uploads `<dist>.<anything>.attestation` beside a dist; PyPI's publish attestation (PEP 740) is this one. */
export const ATTESTATION_SUFFIX = ".publish.attestation";

export const attestationPath = (distPath: string) => `${distPath}${ATTESTATION_SUFFIX}`;

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

export interface DistSetCheck {
  /** Files of another project or version (EDISTVERSION). */
  foreign: { filename: string; reason: string }[];
  /** Kinds `pypi.dists` asks for that the build did not make. */
  missing: Dist[];
  /** Files of a kind `pypi.dists` does not ask for, or a second sdist (PyPI takes one per release). */
  unwanted: { filename: string; reason: string }[];
}

const KIND_OF: Record<DistKind, Dist> = { sdist: "sdist", bdist_wheel: "wheel" };

/** Pure: how a set of freshly built files differs from what a release of `name` `version` with `dists` must upload. */
export function checkDistSet(filenames: readonly string[], name: string, version: string, dists: readonly Dist[] = ALL_DISTS): DistSetCheck {
  const result: DistSetCheck = { foreign: [], missing: [], unwanted: [] };
  const kinds = new Map<Dist, string[]>();
  const built = new Set<Dist>();
  for (const filename of filenames) {
    const parsed = parseDistFilename(filename);
    // A file of another version is still the kind that was built: EDISTVERSION says what is wrong with it.
    if (parsed) built.add(KIND_OF[parsed.kind]);
    const reason = distMismatch(filename, name, version);
    if (reason) {
      result.foreign.push({ filename, reason });
      continue;
    }
    const kind = KIND_OF[parsed!.kind];
    kinds.set(kind, [...(kinds.get(kind) ?? []), filename]);
    if (!dists.includes(kind)) result.unwanted.push({ filename, reason: `a ${kind}, but pypi.dists is ${JSON.stringify(dists)}` });
  }
  const sdists = kinds.get("sdist") ?? [];
  if (dists.includes("sdist") && sdists.length > 1) {
    for (const filename of sdists.slice(1)) result.unwanted.push({ filename, reason: `a second sdist besides ${sdists[0]}: PyPI takes one per release` });
  }
  result.missing = dists.filter((kind) => !built.has(kind));
  return result;
}

/**
 * Pure: the file names a release of `name` `version` with `dists` produces, PyPI's way
 * (`warehouse.ts`): the sdist's exact name, and the wheels' names up to their tags (`*`),
 * which only the build knows.
 */
export function plannedDistNames(name: string, version: string, dists: readonly Dist[] = ALL_DISTS): string[] {
  const names: string[] = [];
  if (dists.includes("sdist")) names.push(sdistFilename(name, version));
  if (dists.includes("wheel")) names.push(`${wheelNamePart(name)}-${normalizePep440(version) ?? version}-*.whl`);
  return names;
}

/** Pure: whether `filename` is one of the files `plannedDistNames` describes. */
export function isPlannedDist(filename: string, name: string, version: string, dists: readonly Dist[] = ALL_DISTS): boolean {
  return plannedDistNames(name, version, dists).some((planned) =>
    planned.endsWith("*.whl") ? filename.startsWith(planned.slice(0, -"*.whl".length)) && parseDistFilename(filename)?.kind === "bdist_wheel" : filename === planned,
  );
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
