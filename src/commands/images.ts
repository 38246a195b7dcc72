import { parseArgs } from "node:util";
import { loadReleaseConfig } from "../config/load.js";
import { getError } from "../errors.js";
import { run } from "../exec.js";
import { ociLabels } from "../images/labels.js";
import { readImagesOptions } from "../images/options.js";
import { IMAGES_RECORD_NAME, registryClient, skipReason } from "../images/release.js";
import { optionsOrThrow } from "../release/options.js";
import { buildSelected, DEFAULT_DIGEST_DIR, finalizeAll } from "../images/scaleout.js";
import { recordImagesInDraft } from "../release/record.js";
import { buildTime } from "../plugins/images.js";
import { readProvenanceOptions } from "../provenance/options.js";
import { attachedProvenance, attestImages } from "../provenance/images.js";
import { releasePep440 } from "../version/pep440.js";
import { reportError, type CommandIO } from "./io.js";
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";

const USAGE = `usage:
  pyrelease images build --only axis=value,… --version V [--digests ${DEFAULT_DIGEST_DIR}] [--revision SHA]
  pyrelease images finalize --version V [--digests ${DEFAULT_DIGEST_DIR}] [--latest] [--output images.json]
`;

/** `pyrelease images build|finalize`: the image matrix split across CI jobs. */
export async function imagesCommand(argv: string[], io: CommandIO): Promise<number> {
  const [action, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        only: { type: "string" },
        version: { type: "string" },
        digests: { type: "string" },
        revision: { type: "string" },
        latest: { type: "boolean" },
        output: { type: "string" },
      },
    }).values;
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const version = typeof values.version === "string" ? values.version.replace(/^v/, "") : undefined;
  if ((action !== "build" && action !== "finalize") || !version || (action === "build" && !values.only)) {
    io.stderr(USAGE);
    return 2;
  }
  // Progress goes to stderr: stdout carries only the result, for machines.
  const logger = { log: (text: string) => io.stderr(`${text}\n`), warn: (text: string) => io.stderr(`${text}\n`) };
  const context = { cwd: io.cwd, env: io.env, logger };
  const dir = (values.digests as string | undefined) ?? DEFAULT_DIGEST_DIR;
  try {
    const config = await loadReleaseConfig(io.cwd);
    const options = optionsOrThrow(readImagesOptions, config);
    const skip = skipReason(options, version);
    if (skip || !options) {
      io.stdout(`${skip}\n`);
      return 0;
    }
    const pep440 = releasePep440(version);

    // Both halves talk to the registry (build pushes by digest, finalize creates the tags): each logs the builder in itself.
    if (action === "build") {
      const labels = ociLabels({
        pep440,
        revision: (values.revision as string | undefined) ?? io.env.GITHUB_SHA ?? (await headCommit(io.cwd)),
        source: config.repositoryUrl ?? (io.env.GITHUB_REPOSITORY ? `${io.env.GITHUB_SERVER_URL ?? "https://github.com"}/${io.env.GITHUB_REPOSITORY}` : undefined),
        created: buildTime(io.env),
      });
      const built = await buildSelected(options, { version, only: values.only as string, dir, labels, attest: readProvenanceOptions(config).options.buildxAttest }, context);
      // Each job signs the provenance of what it pushed; finalize only reads it back.
      const signing = { ...context, logger: { ...logger, error: logger.warn, success: logger.log }, options: { dryRun: false }, stdout: { write: (text: string) => (io.stdout(text), true) } as unknown as NodeJS.WriteStream };
      await attestImages(config, signing, built.map((file) => ({ repository: file.ref, digest: file.digest })), registryClient(options, context));
      return 0;
    }

    const tagged = await finalizeAll(options, { version, dir, latest: values.latest === true }, context);
    const provenance = await attachedProvenance(config, context, tagged.map((image) => ({ repository: image.ref, digest: image.digest })), registryClient(options, context));
    const images = tagged.map((image) => (provenance.has(image.digest) ? { ...image, provenance: provenance.get(image.digest) } : image));
    const json = `${JSON.stringify({ name: IMAGES_RECORD_NAME, images }, null, 2)}\n`;
    if (typeof values.output === "string") await writeFile(resolve(io.cwd, values.output), json);
    else io.stdout(json);
    await recordImagesInDraft(config, { ...context, logger: { ...logger, error: logger.warn, success: logger.log } }, version, images);
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}

async function headCommit(cwd: string): Promise<string> {
  const result = await run("git", ["rev-parse", "HEAD"], { cwd });
  if (result.exitCode !== 0) throw getError("EINVALIDCONFIG", { problems: [{ key: "--revision", reason: "not in a git work tree: pass the release commit with --revision" }] });
  return result.stdout.trim();
}
