import { definitionLines, keyLine, tomlLines, valueLines, type TomlLine } from "./locate.js";

/** The VCS-version tools `versionMode: "scm"` knows how to pin. */
export type ScmTool = "hatch-vcs" | "setuptools-scm" | "pdm-backend" | "poetry-dynamic-versioning";

/** One line of pyproject.toml that makes the version dynamic, and what to do with it to make it static. */
export interface VersionLine {
  line: number;
  text: string;
  change: string;
}

export interface DynamicVersion {
  /** What computes the version, for messages: `hatch-vcs`, `setuptools (attr: pkg.__version__)`, … */
  source: string;
  /** Set when `versionMode: "scm"` can release it. */
  scmTool?: ScmTool;
  /** The file the tool writes the version into at build time (relative to the project folder), when configured. */
  versionFile?: string;
  /** Every line to change to make the version static, in file order. */
  lines: VersionLine[];
}

/** PEP 503: `Hatch_VCS` → `hatch-vcs`. */
export const canonicalName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");

/** The distribution name a PEP 508 requirement string starts with. */
function requirementName(requirement: string): string | undefined {
  const match = /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement);
  return match ? canonicalName(match[1]) : undefined;
}

const table = (value: unknown): Record<string, any> | undefined => (typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, any>) : undefined);
const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value : undefined);

/** True when poetry-dynamic-versioning is switched on (it does nothing without `enable = true`). */
export function poetryDynamicVersioning(data: Record<string, any>): boolean {
  return table(data.tool?.["poetry-dynamic-versioning"])?.enable === true;
}

/**
 * Pure: how a project with a dynamic version gets it, and the exact pyproject.toml lines
 * (tables, keys, build requirements) that would have to change to make it static.
 * `version` is the static version to suggest, when known.
 */
export function describeDynamicVersion(data: Record<string, any>, pyprojectText: string, version = "X.Y.Z"): DynamicVersion {
  const lines = tomlLines(pyprojectText);
  const tool = table(data.tool) ?? {};
  const backend: string = text(data["build-system"]?.["build-backend"]) ?? "";
  const requires: string[] = Array.isArray(data["build-system"]?.requires) ? data["build-system"].requires.filter((r: unknown) => typeof r === "string") : [];
  const required = (name: string) => requires.some((r) => requirementName(r) === name);
  const found: VersionLine[] = [];
  const add = (line: TomlLine | undefined, change: string) => {
    if (line && !found.some((f) => f.line === line.line)) found.push({ line: line.line, text: line.text.trim(), change });
  };
  const deleteTables = (path: string[], why = "delete") =>
    definitionLines(lines, path).forEach((l) => add(l, l.kind === "header" ? `${why} this table` : `${why} this key`));
  const dropRequirement = (name: string, instead?: string) =>
    valueLines(lines, ["build-system", "requires"], (t) => [...t.matchAll(/["']([^"']+)["']/g)].some((m) => requirementName(m[1]) === name)).forEach((l) =>
      add(l, instead ? `replace \`${name}\` by \`${instead}\`` : `drop \`${name}\` from the build requirements`),
    );

  const projectDynamic = keyLine(lines, ["project", "dynamic"]);
  const poetryVersion = keyLine(lines, ["tool", "poetry", "version"]);
  const usesProjectTable = table(data.project) !== undefined;
  if (usesProjectTable) add(projectDynamic, `remove "version" from \`dynamic\` and write \`version = "${version}"\` in [project]`);

  let result: Omit<DynamicVersion, "lines">;
  const hatchVersion = table(tool.hatch?.version);
  const pdmVersion = table(tool.pdm?.version);
  const setuptoolsDynamicVersion = table(tool.setuptools?.dynamic?.version);
  if (poetryDynamicVersioning(data)) {
    result = { source: "poetry-dynamic-versioning", scmTool: "poetry-dynamic-versioning" };
    if (!usesProjectTable) add(poetryVersion, `write the real version here: \`version = "${version}"\``);
    else if (poetryVersion) add(poetryVersion, "delete this placeholder (the version now lives in [project])");
    deleteTables(["tool", "poetry-dynamic-versioning"]);
    dropRequirement("poetry-dynamic-versioning");
    if (backend === "poetry_dynamic_versioning.backend") add(keyLine(lines, ["build-system", "build-backend"]), 'set `build-backend = "poetry.core.masonry.api"`');
  } else if (hatchVersion) {
    const source = text(hatchVersion.source) ?? "regex";
    if (source === "vcs") {
      result = { source: "hatch-vcs", scmTool: "hatch-vcs", versionFile: text(tool.hatch?.build?.hooks?.vcs?.["version-file"]) };
      deleteTables(["tool", "hatch", "version"]);
      deleteTables(["tool", "hatch", "build", "hooks", "vcs"], "delete (it writes the version file at build time)");
      deleteTables(["tool", "hatch", "metadata", "hooks", "vcs"], "delete (it needs hatch-vcs)");
      dropRequirement("hatch-vcs");
    } else {
      result = { source: source === "regex" ? `hatchling (read from ${text(hatchVersion.path) ?? "a file"})` : `hatchling (version source "${source}")` };
      deleteTables(["tool", "hatch", "version"]);
    }
  } else if (pdmVersion) {
    const source = text(pdmVersion.source) ?? "file";
    result =
      source === "scm"
        ? { source: "pdm-backend (scm)", scmTool: "pdm-backend", versionFile: text(pdmVersion.write_to) }
        : { source: source === "file" ? `pdm-backend (read from ${text(pdmVersion.path) ?? "a file"})` : `pdm-backend (version source "${source}")` };
    deleteTables(["tool", "pdm", "version"]);
  } else if (table(tool.setuptools_scm) || required("setuptools-scm")) {
    const config = table(tool.setuptools_scm) ?? {};
    result = { source: "setuptools-scm", scmTool: "setuptools-scm", versionFile: text(config.version_file) ?? text(config.write_to) };
    deleteTables(["tool", "setuptools_scm"]);
    dropRequirement("setuptools-scm");
    deleteTables(["tool", "setuptools", "dynamic", "version"]);
  } else if (setuptoolsDynamicVersion) {
    const attr = text(setuptoolsDynamicVersion.attr);
    const file = Array.isArray(setuptoolsDynamicVersion.file) ? setuptoolsDynamicVersion.file.join(", ") : text(setuptoolsDynamicVersion.file);
    result = { source: `setuptools (${attr ? `attr: ${attr}` : `file: ${file ?? "?"}`})` };
    deleteTables(["tool", "setuptools", "dynamic", "version"]);
  } else if (table(tool.versioningit) || required("versioningit")) {
    result = { source: "versioningit" };
    deleteTables(["tool", "versioningit"]);
    dropRequirement("versioningit");
  } else if (backend.startsWith("maturin")) {
    result = { source: "maturin (read from Cargo.toml's [package].version)" };
  } else if (backend.startsWith("flit_core")) {
    result = { source: "flit (read from the module's __version__)" };
  } else {
    result = { source: backend ? `the build backend ${backend}` : "the build backend" };
  }
  return { ...result, lines: found.sort((a, b) => a.line - b.line) };
}
