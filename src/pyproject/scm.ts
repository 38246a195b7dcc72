import { canonicalName, describeDynamicVersion, type ScmTool } from "./dynamic.js";
import type { VersionMode } from "./options.js";
import type { Pyproject } from "./read.js";

/**
 * Pure: the environment that makes a VCS-version tool build exactly `pep440`, whatever the
 * git history says (the release tag does not exist yet when prepare builds).
 * Each variable is the one the tool's own source reads:
 * - setuptools-scm: `SETUPTOOLS_SCM_PRETEND_VERSION_FOR_<NAME>`, NAME being the PEP 503
 *   name with `-` → `_`, upper-cased (setuptools_scm/_overrides.py `read_named_env`;
 *   vcs-versioning 2.x `_overrides.py` `env_var_name` reads the same name). The
 *   per-project form leaves other setuptools-scm builds in the process tree alone.
 * - hatch-vcs: it calls `setuptools_scm.get_version()` without a distribution name
 *   (hatch_vcs/version_source.py `get_version_data`), so only the generic
 *   `SETUPTOOLS_SCM_PRETEND_VERSION` reaches it; it is set for the build process only.
 * - pdm-backend: `PDM_BUILD_SCM_VERSION`, read when `[tool.pdm.version] source = "scm"`
 *   (pdm/backend/hooks/version/__init__.py `resolve_version_from_scm`).
 * - poetry-dynamic-versioning: `POETRY_DYNAMIC_VERSIONING_OVERRIDE="<name>=<version>"`,
 *   the name compared exactly as written in `[tool.poetry].name`, else `[project].name`
 *   (poetry_dynamic_versioning/__init__.py `_get_override_version`, `_get_and_apply_version`).
 */
export function scmBuildEnv(tool: ScmTool, data: Record<string, any>, name: string, pep440: string): Record<string, string> {
  switch (tool) {
    case "setuptools-scm":
      return { [`SETUPTOOLS_SCM_PRETEND_VERSION_FOR_${canonicalName(name).replace(/-/g, "_").toUpperCase()}`]: pep440 };
    case "hatch-vcs":
      return { SETUPTOOLS_SCM_PRETEND_VERSION: pep440 };
    case "pdm-backend":
      return { PDM_BUILD_SCM_VERSION: pep440 };
    case "poetry-dynamic-versioning": {
      const poetryName = typeof data.tool?.poetry?.name === "string" ? data.tool.poetry.name : name;
      return { POETRY_DYNAMIC_VERSIONING_OVERRIDE: `${poetryName}=${pep440}` };
    }
  }
}

/** What the build needs to produce the release version: the scm tool's variable in `scm` mode, nothing otherwise. */
export function versionBuildEnv(pyproject: Pick<Pyproject, "dynamic" | "data" | "text" | "name">, versionMode: VersionMode, pep440: string): Record<string, string> {
  if (versionMode !== "scm" || !pyproject.dynamic) return {};
  const tool = describeDynamicVersion(pyproject.data, pyproject.text).scmTool;
  return tool ? scmBuildEnv(tool, pyproject.data, pyproject.name, pep440) : {};
}
