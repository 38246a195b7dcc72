import { pep440AtLeast } from "../version/pep440.js";
import type { DistContents } from "./inspect.js";
import { filenameRefusal, metadataRefusals, refusedPlatformTags } from "./warehouse.js";

export interface PypiRefusals {
  /** EDISTNAME: a file name PyPI would not take. */
  names: { filename: string; reason: string }[];
  /** EWHEELPLATFORM: wheels whose platform tags PyPI refuses. */
  platforms: { filename: string; tags: string[] }[];
  /** EDISTSIZE: files over the project's upload limit. */
  sizes: { filename: string; size: number; limit: number }[];
  /** EDISTMETADATA: metadata or archive layout PyPI rejects. */
  metadata: { filename: string; problems: string[] }[];
}

/**
 * Pure: everything PyPI would refuse in these files (names, platform tags, size, metadata
 * and archive layout), found from the files alone, before anything is tagged. Files must
 * already carry this release's name and version (`checkDistSet`).
 */
export function pypiRefusals(files: readonly { filename: string; size: number }[], contents: readonly DistContents[], name: string, version: string, limitBytes: number): PypiRefusals {
  const result: PypiRefusals = { names: [], platforms: [], sizes: [], metadata: [] };
  for (const file of files) {
    const nameReason = filenameRefusal(file.filename, name, version);
    if (nameReason) result.names.push({ filename: file.filename, reason: nameReason });
    const tags = file.filename.endsWith(".whl") ? refusedPlatformTags(file.filename) : [];
    if (tags.length) result.platforms.push({ filename: file.filename, tags });
    // legacy.py file_upload: "File too large" once the streamed size passes the limit.
    if (file.size > limitBytes) result.sizes.push({ filename: file.filename, size: file.size, limit: limitBytes });
    const inside = contents.find((c) => c.filename === file.filename);
    const problems = inside ? archiveRefusals(inside) : [];
    if (problems.length) result.metadata.push({ filename: file.filename, problems });
  }
  return result;
}

/**
 * Pure: what Warehouse refuses inside one archive: `_is_valid_dist_file` (one top-level
 * folder holding PKG-INFO; no sparse tar members; a wheel's `.dist-info/WHEEL`),
 * `validate_record` (a wheel's RECORD), the wheel's METADATA, License-File entries that
 * must exist, and the core metadata rules of `metadataRefusals` and the classifier list.
 */
export function archiveRefusals(contents: DistContents): string[] {
  if (contents.error) return [`cannot be read: ${contents.error}`];
  const problems: string[] = [];
  const names = new Set(contents.members.map((m) => m.name));
  const wheel = contents.filename.endsWith(".whl");
  if (wheel) {
    const distInfo = (contents.metadataPath ?? "").replace(/\/METADATA$/, "");
    for (const required of ["WHEEL", "RECORD", "METADATA"]) {
      if (!names.has(`${distInfo}/${required}`)) problems.push(`${required} not found at ${distInfo}/${required}`);
    }
  } else {
    const top = (contents.metadataPath ?? "").replace(/\/?PKG-INFO$/, "");
    if (!top || top === ".") problems.push("Incorrect number of top-level directories in sdist");
    else if (!contents.metadata) problems.push(`PKG-INFO not found at ${contents.metadataPath}`);
    if (contents.members.some((m) => m.sparse)) problems.push("tar archive not accepted: Sparse members are not allowed");
  }
  if (!contents.metadata) return problems;
  problems.push(...metadataRefusals(contents.metadata));
  // PEP 639 License-File entries; twine drops them below Metadata-Version 2.4 (setuptools wrote them with other meaning).
  const metadataVersion = contents.metadata["metadata-version"]?.[0] ?? "0";
  const licenseFiles = pep440AtLeast(metadataVersion, "2.4") ? contents.metadata["license-file"] ?? [] : [];
  for (const licenseFile of licenseFiles) {
    const where = wheel ? `${(contents.metadataPath ?? "").replace(/\/METADATA$/, "")}/licenses/${licenseFile}` : `${(contents.metadataPath ?? "").replace(/\/PKG-INFO$/, "")}/${licenseFile}`;
    if (!names.has(where)) problems.push(`License-File ${licenseFile} does not exist in distribution file ${contents.filename} at ${where}`);
  }
  for (const classifier of contents.classifiers?.unknown ?? []) problems.push(`'${classifier}' is not a valid classifier`);
  for (const [classifier, replacements] of Object.entries(contents.classifiers?.deprecated ?? {})) {
    problems.push(`The classifier '${classifier}' has been deprecated${replacements.length ? `, use one of ${JSON.stringify(replacements)} instead` : ""}`);
  }
  return problems;
}
