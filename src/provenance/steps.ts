import { loadReleaseConfig } from "../config/load.js";
import type { Context, PluginConfig } from "../context.js";
import { getError } from "../errors.js";
import { optionsCollecting, optionsOrThrow } from "../release/options.js";
import type { DistFile } from "../pypi/dists.js";
import { distVerifyCommand, rekorEntryUrl } from "./commands.js";
import { distVerdict, imageVerdict, tooOld, type Verdict } from "./decide.js";
import { attestDists, uploadableAttestations, type DistAttestation } from "./dists.js";
import { describeIdentity, sigstoreIdentity } from "./identity.js";
import { readProvenanceOptions, type ProvenanceOptions } from "./options.js";
import { openSigner } from "./sign.js";

/**
 * What the `./pypi` plugin calls: one line in verifyConditions that says whether and as whom
 * the dists get signed (or the EPROVENANCE that stops the run), the signing in prepare, and
 * the attestations that go with the upload in publish.
 */

export function provenanceOptions(pluginConfig: PluginConfig): ProvenanceOptions {
  return optionsOrThrow(readProvenanceOptions, pluginConfig);
}

function verdictFor(pluginConfig: PluginConfig, context: Context, twineVersion: string | undefined, uploads: boolean): Verdict {
  return distVerdict({ options: provenanceOptions(pluginConfig), identity: sigstoreIdentity(context.env), dryRun: Boolean(context.options.dryRun), twineVersion, uploads });
}

/** verifyConditions: the provenance line, and the errors that must stop the run before anything is built. */
export function checkDistProvenance(pluginConfig: PluginConfig, context: Context, twineVersion: string | undefined, uploads: boolean): Error[] {
  const errors: Error[] = [];
  optionsCollecting(readProvenanceOptions, pluginConfig, errors);
  if (errors.length) return errors;
  const verdict = verdictFor(pluginConfig, context, twineVersion, uploads);
  if (!verdict.sign && verdict.error) return [getError("EPROVENANCE", verdict.error)];
  if (!verdict.sign && verdict.warn) context.logger.warn(verdict.line);
  else context.logger.log(verdict.line);
  return [];
}

/** The images plugin's verifyConditions: the provenance line when images get signed (the PyPI step says why when not, and reports bad options). */
export function imageProvenanceLine(pluginConfig: PluginConfig, context: Context): string | undefined {
  const verdict = imageVerdict({ options: readProvenanceOptions(pluginConfig).options, identity: sigstoreIdentity(context.env), dryRun: Boolean(context.options.dryRun) });
  return verdict.sign ? verdict.line : undefined;
}

/** `pyrelease plan`: whether a real run in this environment signs, and as whom. */
export async function planProvenance(cwd: string, env: Record<string, string | undefined>): Promise<string> {
  const { options } = readProvenanceOptions(await loadReleaseConfig(cwd));
  const identity = sigstoreIdentity(env);
  if (identity && options.enabled !== false) return `Provenance: a real run here signs with Sigstore (${new URL(options.fulcioUrl).host}) as ${describeIdentity(identity)}.`;
  if (options.enabled === true) return "Provenance: a real run here stops with EPROVENANCE: provenance.enabled is true and there is no OIDC identity to sign with.";
  return `${imageVerdict({ options, identity, dryRun: true }).line}.`;
}

/** prepare, before building: load the Sigstore client while the build runs, when there will be something to sign. */
export function warmUpSigning(pluginConfig: PluginConfig, context: Context, uploads: boolean): void {
  const { options, problems } = readProvenanceOptions(pluginConfig);
  if (problems.length || !distVerdict({ options, identity: sigstoreIdentity(context.env), dryRun: false, uploads }).sign) return;
  import("sigstore").catch(() => undefined);
}

/** prepare (and a publish that had to build again): sign every dist once; undefined when provenance is off. */
export async function signDists(pluginConfig: PluginConfig, context: Context, files: readonly DistFile[], twineVersion: string | undefined, uploads: boolean): Promise<DistAttestation[] | undefined> {
  const verdict = verdictFor(pluginConfig, context, twineVersion, uploads);
  if (!verdict.sign) {
    if (verdict.error) throw getError("EPROVENANCE", verdict.error);
    return undefined;
  }
  const stream = context.stdout ?? process.stdout;
  const signer = await openSigner(provenanceOptions(pluginConfig), verdict.identity, context.env, (text) => void stream.write(text));
  return attestDists(files, signer, context.logger);
}

/**
 * publish: the attestation files twine sends with `--attestations` (every file's, or none),
 * whenever they exist beside the dists, whoever made them. A twine too old to send them is
 * an error under `enabled: true`, a warning otherwise.
 */
export async function attestationsToUpload(pluginConfig: PluginConfig, context: Context, files: readonly DistFile[], twineVersion: string | undefined): Promise<{ paths: string[]; attestations: DistAttestation[] }> {
  const found = await uploadableAttestations(files);
  if (!found.paths.length || !twineVersion || !tooOld(twineVersion)) return found;
  if (provenanceOptions(pluginConfig).enabled === true) throw getError("EPROVENANCE", { problem: "old-twine", twineVersion });
  context.logger.warn("Provenance: twine %s cannot upload the attestations beside the files; uploading without them", twineVersion);
  return { paths: [], attestations: [] };
}

/** What the PyPI release entry says about one file's attestation: the artifacts section and manifest print it. */
export function attestationRecord(attestation: DistAttestation, options: ProvenanceOptions) {
  return {
    file: attestation.attestation,
    logIndex: attestation.logIndex ?? null,
    ...(rekorEntryUrl(options.rekorUrl, attestation.logIndex) ? { entry: rekorEntryUrl(options.rekorUrl, attestation.logIndex) } : {}),
    signer: attestation.signer ?? null,
    issuer: attestation.issuer ?? null,
    verify: distVerifyCommand(attestation.filename, attestation.signer),
  };
}
