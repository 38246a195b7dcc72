import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import TOML from "@iarna/toml";
import { getError } from "../errors.js";
import { canonicalName, poetryDynamicVersioning } from "./dynamic.js";

/** Where the static version lives: PEP 621 `[project]` or Poetry's own table. */
export type VersionTable = "project" | "tool.poetry";

export interface Pyproject {
  /** As configured, for messages. */
  path: string;
  file: string;
  name: string;
  /** The static version as written; undefined when it is dynamic or missing (see versionProblems). */
  version?: string;
  /** Where the static version is written. */
  table?: VersionTable;
  /** `"version"` is in `[project].dynamic`, or poetry-dynamic-versioning computes it. */
  dynamic: boolean;
  buildBackend?: string;
  data: Record<string, any>;
  text: string;
}

export function pyprojectFile(cwd: string, path: string): string {
  return isAbsolute(path) ? path : join(cwd, path);
}

export async function readPyproject(cwd: string, path: string): Promise<Pyproject> {
  const file = pyprojectFile(cwd, path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw getError("EINVALIDPYPROJECT", { path, reason: (error as NodeJS.ErrnoException).code === "ENOENT" ? "the file does not exist" : String(error) });
  }
  return parsePyproject(text, path, file);
}

/**
 * Pure: the release-relevant facts of a pyproject.toml text. Throws only when the file is
 * unusable (not TOML, no name); what is wrong with the version is for versionProblems to
 * report, together with every other problem.
 */
export function parsePyproject(text: string, path: string, file = path): Pyproject {
  let data: Record<string, any>;
  try {
    data = TOML.parse(text) as Record<string, any>;
  } catch (error) {
    const { line, col, message } = error as { line?: number; col?: number; message: string };
    const where = line === undefined ? "" : ` at line ${line + 1}, column ${(col ?? 0) + 1}`;
    throw getError("EINVALIDPYPROJECT", { path, reason: `invalid TOML${where}: ${message.split("\n")[0]}` });
  }
  const project = isTable(data.project) ? data.project : undefined;
  const poetry = isTable(data.tool?.poetry) ? data.tool.poetry : undefined;
  const buildBackend = typeof data["build-system"]?.["build-backend"] === "string" ? data["build-system"]["build-backend"] : undefined;
  const listed: unknown[] = Array.isArray(project?.dynamic) ? project.dynamic : [];
  // poetry-dynamic-versioning keeps a placeholder in [tool.poetry].version and replaces it at build time.
  const dynamic = listed.includes("version") || (poetryDynamicVersioning(data) && project?.version === undefined);

  let table: VersionTable | undefined;
  if (project && typeof project.version === "string") table = "project";
  // Poetry 2 may declare [project] with dynamic = ["version"] and keep the static version in [tool.poetry].
  else if (poetry && typeof poetry.version === "string" && !poetryDynamicVersioning(data) && (!project || listed.includes("version") || project.version === undefined)) table = "tool.poetry";

  const name: unknown = project?.name ?? poetry?.name;
  if (typeof name !== "string" || !name.trim()) throw getError("EINVALIDPYPROJECT", { path, reason: "it has no `[project].name` (or `[tool.poetry].name`), which PyPI needs" });
  const version: string | undefined = table === "project" ? project!.version : table === "tool.poetry" ? poetry!.version : undefined;
  return { path, file, name, version, table, dynamic: dynamic && table === undefined, buildBackend, data, text };
}

function isTable(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** PEP 503 normalized distribution name: `LLEnergy_Measure.x` → `llenergy-measure-x`. */
export const normalizeDistName = canonicalName;
