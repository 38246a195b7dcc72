import { normalizeDistName } from "../pyproject/read.js";
import { normalizePep440 } from "../version/pep440.js";

/**
 * Pure: what PyPI refuses in an upload, so that prepare finds it before the tag. Each rule
 * is read from Warehouse, https://github.com/pypi/warehouse (commit 6b62157, 2026-08-21):
 * `warehouse/forklift/legacy.py` (`file_upload` and its helpers) and
 * `warehouse/forklift/metadata.py` (`_validate_metadata`); the function named beside each
 * rule is where it lives there.
 */

const ONE_MIB = 1024 * 1024;
/** `warehouse/constants.py` `MAX_FILESIZE = 100 * ONE_MIB`: the default per-file upload limit (a project may be granted more). */
export const DEFAULT_UPLOAD_LIMIT_MB = 100;
export const bytesOfMB = (mb: number) => Math.round(mb * ONE_MIB);

/** `metadata.py` `SUPPORTED_METADATA_VERSIONS`: no 2.0, nothing above 2.5. */
export const SUPPORTED_METADATA_VERSIONS = ["1.0", "1.1", "1.2", "2.1", "2.2", "2.3", "2.4", "2.5"];

/** `legacy.py` `_allowed_platforms`: platforms a simple list covers. `linux_x86_64` is not one of them. */
const ALLOWED_PLATFORMS = new Set([
  "any",
  "win32",
  "win_arm64",
  "win_amd64",
  "win_ia64",
  "manylinux1_x86_64",
  "manylinux1_i686",
  "manylinux2010_x86_64",
  "manylinux2010_i686",
  "manylinux2014_x86_64",
  "manylinux2014_i686",
  "manylinux2014_aarch64",
  "manylinux2014_armv7l",
  "manylinux2014_ppc64",
  "manylinux2014_ppc64le",
  "manylinux2014_s390x",
  "linux_armv6l",
  "linux_armv7l",
]);
/** `legacy.py` `_macosx_platform_re`, `_macosx_arches`, `_macosx_major_versions`. */
const MACOSX = /^macosx_(\d+)_(\d+)_(.*)$/;
const MACOSX_ARCHES = new Set(["ppc", "ppc64", "i386", "x86_64", "arm64", "intel", "fat", "fat3", "fat64", "universal", "universal2"]);
const MACOSX_MAJORS = new Set(["11", "12", "13", "14", "15", "26"]);
/** `legacy.py` `_linux_platform_re`, `_jointlinux_arches`, `_manylinux_arches`, `_musllinux_arches` (PEP 600, PEP 656). */
const LINUX = /^(many|musl)linux_(\d+)_(\d+)_(.*)$/;
const JOINT_LINUX_ARCHES = new Set(["x86_64", "i686", "aarch64", "armv7l", "ppc64le", "s390x", "riscv64"]);
/** `legacy.py` `_ios_platform_re`/`_ios_arches`, `_android_platform_re`/`_android_arches`, `_pyemscripten_platform_re`. */
const IOS = /^ios_(\d+)_(\d+)_(.*)_(iphoneos|iphonesimulator)/;
const IOS_ARCHES = new Set(["arm64", "x86_64"]);
const ANDROID = /^android_(\d+)_(.*)/;
const ANDROID_ARCHES = new Set(["armeabi_v7a", "arm64_v8a", "x86", "x86_64"]);
const PYEMSCRIPTEN = /^pyemscripten_(\d+)_(\d+)_wasm32/;

/** `legacy.py` `_valid_platform_tag`: whether PyPI accepts a wheel platform tag. */
export function validPlatformTag(tag: string): boolean {
  if (ALLOWED_PLATFORMS.has(tag)) return true;
  const mac = MACOSX.exec(tag);
  // 10.x wheels name any minor; from 11 on only `_0` (https://github.com/pypa/packaging.python.org/issues/1933).
  if (mac && mac[1] === "10" && MACOSX_ARCHES.has(mac[3])) return true;
  if (mac && MACOSX_MAJORS.has(mac[1]) && mac[2] === "0" && MACOSX_ARCHES.has(mac[3])) return true;
  const linux = LINUX.exec(tag);
  if (linux) return JOINT_LINUX_ARCHES.has(linux[4]) || (linux[1] === "many" && linux[4] === "ppc64");
  const ios = IOS.exec(tag);
  if (ios && IOS_ARCHES.has(ios[3])) return true;
  const android = ANDROID.exec(tag);
  if (android && ANDROID_ARCHES.has(android[2])) return true;
  return PYEMSCRIPTEN.test(tag);
}

/** The platform tags of a wheel file name (a compressed tag set such as `manylinux2014_x86_64.manylinux_2_17_x86_64` holds several). */
export function wheelPlatformTags(filename: string): string[] {
  const parts = filename.replace(/\.whl$/, "").split("-");
  // packaging's `Tag` lower-cases every part, so Warehouse compares lower-case tags.
  return parts.length >= 5 ? parts[parts.length - 1].toLowerCase().split(".") : [];
}

/** The platform tags of a wheel PyPI refuses (`legacy.py` `file_upload`: "Binary wheel … has an unsupported platform tag"). */
export function refusedPlatformTags(filename: string): string[] {
  return wheelPlatformTags(filename).filter((tag) => !validPlatformTag(tag));
}

/**
 * The one sdist name PyPI accepts (`legacy.py` `file_upload`, "PEP 625: Enforcement of source
 * distribution filename normalization"): `{normalized name with _}-{normalized version}.tar.gz`.
 */
export function sdistFilename(name: string, version: string): string {
  return `${wheelNamePart(name)}-${normalizePep440(version) ?? version}.tar.gz`;
}

/** The name part a wheel file must start with (`legacy.py` `file_upload`, "PEP 427 / PEP 503: Enforcement of project name normalization"). */
export function wheelNamePart(name: string): string {
  return normalizeDistName(name).replace(/-/g, "_");
}

/** Why PyPI refuses this file name for project `name` at `version`, or undefined when it accepts it. */
export function filenameRefusal(filename: string, name: string, version: string): string | undefined {
  if (filename.endsWith(".whl")) {
    const namePart = filename.split("-", 1)[0];
    const expected = wheelNamePart(name);
    return namePart === expected ? undefined : `should contain the normalized project name '${expected}', not '${namePart}'`;
  }
  const expected = sdistFilename(name, version);
  return filename === expected ? undefined : `is invalid, should be '${expected}'`;
}

/** A core-metadata file as headers: lower-case field name → every value, in order. */
export type MetadataHeaders = Record<string, string[]>;

/** Fields PyPI lets a build backend leave `Dynamic` (`metadata.py` `DYNAMIC_FIELDS`), lower-cased. */
const DYNAMIC_FIELDS = new Set(
  [
    "Platform", "Supported-Platform", "Summary", "Description", "Description-Content-Type", "Keywords", "Home-Page", "Download-Url",
    "Author", "Author-Email", "Maintainer", "Maintainer-Email", "License", "License-Expression", "License-File", "Classifier",
    "Requires-Dist", "Requires-Python", "Requires-External", "Project-Url", "Provides-Extra", "Provides-Dist", "Obsoletes-Dist",
    "Requires", "Provides", "Obsoletes", "Import-Name", "Import-Namespace",
  ].map((f) => f.toLowerCase()),
);

/** A PEP 508 requirement that names a URL (`name @ https://…`): everything before a `;` marker. */
const DIRECT_REFERENCE = /^[^;]*@\s*\S+:\/\//;

/**
 * The core metadata PyPI refuses, as Warehouse's own messages (`metadata.py` `_validate_metadata`):
 * Metadata-Version, Summary length, Project-URL labels, direct-URL requirements, Dynamic
 * fields, License next to License-Expression. Classifiers are checked by the caller (the
 * list lives in the `trove-classifiers` package).
 */
export function metadataRefusals(headers: MetadataHeaders): string[] {
  const one = (field: string) => headers[field]?.[0];
  const problems: string[] = [];
  const metadataVersion = one("metadata-version");
  if (metadataVersion === undefined) problems.push("no Metadata-Version");
  else if (!SUPPORTED_METADATA_VERSIONS.includes(metadataVersion)) problems.push(`'${metadataVersion}' is not a valid metadata version (PyPI accepts ${SUPPORTED_METADATA_VERSIONS.join(", ")})`);
  // `_LENGTH_LIMITS = {"summary": 512}`
  const summary = one("summary");
  if (summary !== undefined && summary.length > 512) problems.push(`'summary' field must be 512 characters or less (it has ${summary.length})`);
  for (const entry of headers["project-url"] ?? []) {
    const [label, url] = entry.split(/,(.*)/s).map((s) => s?.trim() ?? "");
    if (!label) problems.push(`Project-URL ${JSON.stringify(entry)}: must have a label`);
    else if (label.length > 32) problems.push(`Project-URL '${label}' must be 32 characters or less`);
    else if (!url) problems.push(`Project-URL '${label}': must have a URL`);
  }
  for (const requirement of headers["requires-dist"] ?? []) {
    if (DIRECT_REFERENCE.test(requirement)) problems.push(`Can't have direct dependency: ${requirement}`);
  }
  for (const field of headers["dynamic"] ?? []) {
    if (!DYNAMIC_FIELDS.has(field.toLowerCase())) problems.push(`Dynamic field '${field.toLowerCase()}' is not a valid dynamic field`);
  }
  // PEP 639: "License is deprecated when License-Expression is present."
  if (one("license") !== undefined && one("license-expression") !== undefined) problems.push("License and License-Expression both present; only License-Expression should be");
  return problems;
}
