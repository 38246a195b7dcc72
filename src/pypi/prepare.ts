import { readdir, rm } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { getError, throwAll } from "../errors.js";
import { buildDists, releaseEpoch } from "./build.js";
import { checkDistSet, describeDist, distMismatch, type DistFile } from "./dists.js";
import { inspectDists, type DistContents } from "./inspect.js";
import { logBlock, type Output } from "./log.js";
import type { PypiOptions } from "./options.js";
import { pypiRefusals } from "./refusals.js";
import { groupOffenders, ignoredPaths, isGeneratedMember, sdistOffenders, trackedTree } from "./sdist-content.js";
import { checkPythonTools, KNOWN_METADATA_VERSIONS, resolveBuilder, twineReadsMetadata, unreadableByTwine } from "./tools.js";
import { twineCheck } from "./twine.js";
import { bytesOfMB } from "./warehouse.js";

/** What prepare needs to know of pyproject.toml beyond name and version. */
export interface ProjectFacts {
  buildBackend?: string;
  /** `[build-system].requires`. */
  requires?: string[];
  /** Files an scm plugin writes into the sdist (`write_to`, `version-file`), relative to the project folder. */
  versionFiles?: string[];
}

export interface PrepareRequest {
  options: PypiOptions;
  cwd: string;
  /** Absolute path of pyproject.toml. */
  pyprojectFile: string;
  name: string;
  /** PEP 440 release version. */
  version: string;
  gitHead?: string;
  out: Output;
  project?: ProjectFacts;
  /** Variables only the build gets (versionMode "scm": the one that pins the release version). */
  buildEnv?: Record<string, string>;
}

/**
 * Build, then find everything PyPI would refuse (names, versions, platform tags, sizes,
 * metadata, what the sdist carries) and everything `twine check --strict` refuses, all at
 * once and before the tag; hash: the files a publish may upload.
 */
export async function prepareDists(request: PrepareRequest): Promise<DistFile[]> {
  const { options, cwd, out, name, version } = request;
  const epoch = await releaseEpoch(cwd, request.gitHead);
  if (!epoch) out.logger.warn("No git commit time found: SOURCE_DATE_EPOCH is not set, so a rebuild will not be byte-identical");
  const projectDir = relative(cwd, dirname(request.pyprojectFile)) || ".";
  const tools = await checkPythonTools(options.python, cwd, out.env);
  const { builder, missing } = resolveBuilder(options.builder, tools);
  if (missing.length) throw getError("ENOPYTHONTOOLS", { python: options.python, missing });
  const built = await buildDists({
    builder,
    python: options.python,
    uvCommand: tools.uv?.command,
    cwd,
    projectDir,
    dists: options.dists,
    buildArgs: options.buildArgs,
    distDir: options.distDir,
    sourceDateEpoch: epoch,
    env: { ...out.env, ...request.buildEnv },
    requires: request.project?.requires,
  });
  logBlock(out, `${built.command}${epoch ? ` (SOURCE_DATE_EPOCH=${epoch})` : ""}`, built.output);
  if (built.removed.length) out.logger.log("Removed what the build backend left in the project folder: %s", built.removed.join(", "));
  // A file of this same release that this build did not make (a wheel of a refused earlier
  // run, say) would be uploaded with the rest: it goes, with its attestation.
  const stale = built.others.filter((filename) => !distMismatch(filename, name, version));
  const distDir = resolve(cwd, options.distDir);
  const sidecars = stale.length ? await readdir(distDir) : [];
  for (const filename of stale) {
    // Its attestations (`<dist>.publish.attestation`) are of the removed bytes.
    for (const path of [filename, ...sidecars.filter((f) => f.startsWith(`${filename}.`) && f.endsWith(".attestation"))]) await rm(join(distDir, path), { force: true });
  }
  if (stale.length) out.logger.log("Removed %s from %s: left by an earlier build of %s %s, not by this one", stale.join(", "), options.distDir, name, version);
  const others = built.others.filter((filename) => !stale.includes(filename));
  if (others.length) {
    out.logger.log("%s also holds %d file(s) from elsewhere, left in place and never uploaded: %s", options.distDir, others.length, others.join(", "));
  }

  const errors: Error[] = [];
  const set = checkDistSet(built.paths.map((p) => basename(p)), name, version, options.dists);
  if (set.foreign.length) errors.push(getError("EDISTVERSION", { expected: version, name, files: set.foreign }));
  if (set.missing.length || set.unwanted.length) {
    errors.push(getError("EDISTMISSING", { dists: options.dists, missing: set.missing, unwanted: set.unwanted, built: built.paths.map((p) => basename(p)), command: built.command }));
  }
  const foreign = new Set([...set.foreign, ...set.unwanted].map((f) => f.filename));
  const paths = built.paths.filter((p) => !foreign.has(basename(p)));

  // twine check needs nothing the other checks find: it runs beside them (its own interpreter start-up and half a second of wall time), and is reported in its place.
  const checking = paths.length ? twineCheck(options.python, paths, cwd, out.env) : undefined;
  checking?.catch(() => undefined);
  const [files, contents] = await Promise.all([Promise.all(paths.map(describeDist)), inspectDists(options.python, paths, cwd, out.env)]);
  const refusals = pypiRefusals(files, contents, name, version, bytesOfMB(options.uploadLimitMB));
  if (refusals.names.length) errors.push(getError("EDISTNAME", { files: refusals.names }));
  if (refusals.platforms.length) errors.push(getError("EWHEELPLATFORM", { files: refusals.platforms, backend: request.project?.buildBackend }));
  if (refusals.sizes.length) errors.push(getError("EDISTSIZE", { files: refusals.sizes, limitMB: options.uploadLimitMB }));
  if (refusals.metadata.length) errors.push(getError("EDISTMETADATA", { files: refusals.metadata }));
  const content = await sdistContentError(request, projectDir, contents);
  if (content) errors.push(content);

  if (checking) {
    const check = await checking;
    logBlock(out, "twine check --strict", check.output);
    if (!check.ok) errors.push(await twineFailure(request, contents, check));
  }
  throwAll(errors);

  for (const file of files) out.logger.log("Built %s: %d bytes, sha256 %s", file.filename, file.size, file.sha256);
  return files;
}

/** ESDISTCONTENT when the sdist carries what the release commit does not track; undefined when it is clean or git cannot say. */
async function sdistContentError(request: PrepareRequest, projectDir: string, contents: readonly DistContents[]): Promise<Error | undefined> {
  const sdist = contents.find((c) => !c.filename.endsWith(".whl") && !c.error);
  if (!sdist) return undefined;
  const folder = dirname(request.pyprojectFile);
  const tracked = await trackedTree(folder, request.gitHead, request.out.env);
  if (!tracked) {
    request.out.logger.warn("%s is not in a git work tree: the sdist's contents were not compared with git", folder);
    return undefined;
  }
  const backend = request.project?.buildBackend;
  const offenders = sdistOffenders(sdist.members, tracked, (path) => isGeneratedMember(path, backend, request.project?.versionFiles));
  if (!offenders.length) return undefined;
  const groups = groupOffenders(offenders, tracked);
  // Untracked files that .gitignore lists: the backend did not apply the ignore rules (hatchling's trap, or a MANIFEST.in).
  const ignored = await ignoredPaths(folder, groups.map((g) => g.path), request.out.env);
  return getError("ESDISTCONTENT", {
    filename: sdist.filename,
    groups: groups.map((g) => ({ ...g, ignored: ignored.has(g.path) || ignored.has(g.path.replace(/\/$/, "")) })),
    files: offenders.length,
    bytes: offenders.reduce((sum, o) => sum + o.size, 0),
    backend,
    projectPath: folder,
  });
}

/** A failed twine check: ETWINEMETADATA when twine itself says it cannot read a file's Metadata-Version, else ETWINECHECK. */
async function twineFailure(request: PrepareRequest, contents: readonly DistContents[], check: { output: string; failed: string[] }): Promise<Error> {
  const { options, cwd, out } = request;
  const metadataVersions = Object.fromEntries(contents.flatMap((c) => (c.metadata?.["metadata-version"]?.[0] ? [[c.filename, c.metadata["metadata-version"][0]]] : [])));
  const asked = [...new Set([...KNOWN_METADATA_VERSIONS, ...Object.values(metadataVersions)])];
  const [reads, tools] = await Promise.all([twineReadsMetadata(options.python, asked, cwd, out.env), checkPythonTools(options.python, cwd, out.env)]);
  const unreadable = unreadableByTwine(reads, metadataVersions);
  if (unreadable.length) {
    return getError("ETWINEMETADATA", {
      twineVersion: tools.twineVersion,
      metadataVersion: metadataVersions[unreadable[0]],
      files: unreadable,
      reads: KNOWN_METADATA_VERSIONS.filter((v) => reads[v]),
    });
  }
  return getError("ETWINECHECK", { output: check.output.trim() || "(no output)", files: check.failed });
}
