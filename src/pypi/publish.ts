import { getError } from "../errors.js";
import { mask } from "../exec.js";
import { maskInActions } from "../ci.js";
import { attestationPath, type DistFile } from "./dists.js";
import { backoffMs, sleep } from "../http.js";
import { compareWithIndex, publishedFiles } from "./index-api.js";
import { logBlock, type Output } from "./log.js";
import { mintUploadToken, type UploadToken } from "./oidc.js";
import type { PypiOptions } from "./options.js";
import { twineUpload, type UploadOutcome } from "./twine.js";

/** A minted token lives 15 minutes; one older than this is replaced before the next upload. */
export const TOKEN_MAX_AGE_MS = 10 * 60_000;

export interface PublishRequest {
  options: PypiOptions;
  cwd: string;
  env: Record<string, string | undefined>;
  name: string;
  version: string;
  files: readonly DistFile[];
  out: Output;
  now?: () => number;
  tokenMaxAgeMs?: number;
  /** Upload every file with the attestation beside it (`<dist>.publish.attestation`). */
  withAttestations?: boolean;
}

export interface PublishReport {
  uploaded: DistFile[];
  /** Already on the index byte for byte: nothing to do. */
  alreadyPublished: DistFile[];
}

/**
 * Upload the files the index lacks, once each. Safe to rerun: the JSON API says what is
 * there already; identical files are skipped, a same-named file with other bytes stops
 * everything before a single upload (EFILEEXISTS).
 */
export async function publishDists(request: PublishRequest): Promise<PublishReport> {
  const { options, out, name, version } = request;
  const now = request.now ?? Date.now;
  const { logger } = out;
  const lookup = await publishedFiles(options.indexUrl, name, version, options.retry, (n, why) => logger.warn("Asking %s again (try %d): %s", options.indexUrl, n, why));
  const secrets: string[] = [];
  const onSecret = (secret: string) => {
    secrets.push(secret);
    maskInActions(secret, request.env, out.write);
  };

  let pending = [...request.files];
  const alreadyPublished: DistFile[] = [];
  if (lookup.ok) {
    const comparison = compareWithIndex(request.files, lookup.files);
    if (comparison.clashes.length) throw getError("EFILEEXISTS", { files: comparison.clashes, index: options.indexUrl });
    for (const file of comparison.identical) logger.log("%s is already on %s with the same sha256: not uploading it again", file.filename, options.indexUrl);
    alreadyPublished.push(...comparison.identical);
    pending = comparison.missing;
  } else {
    logger.warn("Could not ask %s which files exist (%s); uploading all, the index refuses a changed file anyway.", options.indexUrl, lookup.reason);
  }
  if (!pending.length) return { uploaded: [], alreadyPublished };

  const mint = async () => {
    const token = await mintUploadToken({
      repositoryUrl: options.repositoryUrl,
      env: request.env,
      retry: options.retry,
      onSecret,
      now,
      onRetry: (what, n, why) => logger.warn("Trusted publishing: %s failed (%s); try %d of %d", what, why, n, options.retry.attempts),
    });
    logger.log("Obtained a short-lived upload token from %s", new URL(options.repositoryUrl).host);
    return token;
  };
  let token: UploadToken = await mint();
  const maxAge = request.tokenMaxAgeMs ?? TOKEN_MAX_AGE_MS;

  // Every try uploads all files still missing in one twine run. After a failed try the
  // index says which landed (a timed-out request may have), and only the rest go again.
  const uploaded: DistFile[] = [];
  const landed = (files: readonly DistFile[]) => {
    for (const file of files) logger.success("Uploaded %s (sha256 %s)", file.filename, file.sha256);
    uploaded.push(...files);
    pending = pending.filter((file) => !files.includes(file));
  };
  let outcome: UploadOutcome = { kind: "fatal", reason: "not tried" };
  let reminted = false;
  let attempt = 0;
  while (pending.length && attempt < options.retry.attempts) {
    attempt++;
    if (token.renewable && now() - token.obtainedAt > maxAge) {
      logger.log("The upload token is older than %d minutes: minting a fresh one", Math.round(maxAge / 60_000));
      token = await mint();
    }
    const names = pending.map((file) => file.filename).join(", ");
    const result = await twineUpload({ python: options.python, cwd: request.cwd, repositoryUrl: options.repositoryUrl, paths: pending.map((file) => file.path), attestations: request.withAttestations ? pending.map((file) => attestationPath(file.path)) : undefined, token: token.token, timeoutMs: options.retry.uploadTimeoutMs, env: request.env });
    outcome = result.outcome;
    logBlock(out, `twine upload ${names} (try ${attempt}): ${outcome.kind}`, mask(result.output, secrets));
    if (outcome.kind === "uploaded") {
      landed(pending);
      break;
    }
    if (outcome.kind === "auth") {
      if (!token.renewable || reminted) break;
      reminted = true;
      token = await mint();
      continue;
    }
    if (outcome.kind === "retryable" && attempt < options.retry.attempts) await sleep(backoffMs(attempt + 1, options.retry.delayMs));
    landed(await landedOnIndex(request, pending));
    if (!pending.length || outcome.kind === "fatal") break;
    if (outcome.kind === "exists") {
      throw getError("EFILEEXISTS", { files: pending.map((file) => ({ filename: file.filename, built: file.sha256, published: "(unknown: the index said “already exists”)" })), index: options.indexUrl });
    }
    logger.warn("Uploading %s failed (%s); %s", pending.map((file) => file.filename).join(", "), outcome.reason, attempt < options.retry.attempts ? "trying again" : "giving up");
  }
  if (pending.length) {
    throw getError("EUPLOAD", { file: pending.map((file) => file.filename).join(", "), status: "status" in outcome ? outcome.status : undefined, reason: mask("reason" in outcome ? outcome.reason : "", secrets), attempts: attempt });
  }
  return { uploaded, alreadyPublished };
}

/** The files the index now holds byte for byte; a same-named file with other bytes is EFILEEXISTS. */
async function landedOnIndex(request: PublishRequest, files: readonly DistFile[]): Promise<DistFile[]> {
  const { options, name, version } = request;
  const lookup = await publishedFiles(options.indexUrl, name, version, options.retry);
  if (!lookup.ok) return [];
  const comparison = compareWithIndex(files, lookup.files);
  if (comparison.clashes.length) throw getError("EFILEEXISTS", { files: comparison.clashes, index: options.indexUrl });
  return comparison.identical;
}
