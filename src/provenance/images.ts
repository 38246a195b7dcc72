import type { Context, PluginConfig } from "../context.js";
import { getError, throwAll } from "../errors.js";
import { imageVerifyCommands, rekorEntryUrl } from "./commands.js";
import { imageVerdict } from "./decide.js";
import { sigstoreIdentity } from "./identity.js";
import type { RegistryClient } from "../images/registry.js";
import { attachBundle, bundleReferrers, fetchBundle, listReferrers } from "./oci.js";
import { provenanceOptions } from "./steps.js";
import { openSigner, signatureFacts } from "./sign.js";
import { IN_TOTO_STATEMENT, SLSA_PROVENANCE_PREDICATE, type BundleJson, type Statement } from "./statement.js";

/** One pushed image: the repository (no tag) and the digest it was pushed as. */
export interface ImageSubject {
  repository: string;
  digest: string;
}

/** What the images release entry says about one image's signed provenance. */
export interface ImageProvenance {
  /** The referrer manifest that carries the bundle. */
  referrer: string;
  logIndex: number | null;
  entry?: string;
  signer: string | null;
  issuer: string | null;
  verify: { gh?: string; cosign: string };
}

const GITHUB_BUILD_TYPE = "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1";
const GITHUB_BUILDER = "https://github.com/actions/runner";

/**
 * Pure: the SLSA v1 provenance of one image, from the CI's ID-token claims: on GitHub the
 * `workflow/v1` build type GitHub's own attest-build-provenance action writes (its
 * external parameters are the workflow, its resolved dependency the commit), elsewhere the
 * same facts under the GitLab job.
 */
export function imageStatement(image: ImageSubject, claims: Record<string, any>): Statement {
  const subject = [{ name: image.repository, digest: { [image.digest.split(":")[0]]: image.digest.split(":")[1] } }];
  const statement = (buildDefinition: Record<string, unknown>, runDetails: Record<string, unknown>): Statement => ({
    _type: IN_TOTO_STATEMENT,
    subject,
    predicateType: SLSA_PROVENANCE_PREDICATE,
    predicate: { buildDefinition, runDetails },
  });
  if (typeof claims.workflow_ref === "string") {
    const server = "https://github.com";
    const [workflowPath] = claims.workflow_ref.replace(`${claims.repository}/`, "").split("@");
    return statement(
      {
        buildType: GITHUB_BUILD_TYPE,
        externalParameters: { workflow: { ref: claims.ref, repository: `${server}/${claims.repository}`, path: workflowPath } },
        internalParameters: {
          github: { event_name: claims.event_name, repository_id: claims.repository_id, repository_owner_id: claims.repository_owner_id, runner_environment: claims.runner_environment },
        },
        resolvedDependencies: [{ uri: `git+${server}/${claims.repository}@${claims.ref}`, digest: { gitCommit: claims.sha } }],
      },
      {
        builder: { id: `${GITHUB_BUILDER}/${claims.runner_environment}` },
        metadata: { invocationId: `${server}/${claims.repository}/actions/runs/${claims.run_id}/attempts/${claims.run_attempt}` },
      },
    );
  }
  const server = typeof claims.iss === "string" ? claims.iss : "https://gitlab.com";
  const ref = `refs/${claims.ref_type === "tag" ? "tags" : "heads"}/${claims.ref}`;
  return statement(
    {
      buildType: `${server}/gitlab-org/gitlab-runner/-/blob/main/PROVENANCE.md`,
      externalParameters: { source: `${server}/${claims.project_path}`, ref, ciConfig: claims.ci_config_ref_uri },
      internalParameters: { gitlab: { pipeline_source: claims.pipeline_source, project_id: claims.project_id, runner_environment: claims.runner_environment } },
      resolvedDependencies: [{ uri: `git+${server}/${claims.project_path}@${ref}`, digest: { gitCommit: claims.sha } }],
    },
    { builder: { id: `${server}/${claims.ci_config_ref_uri}` }, metadata: { invocationId: `${server}/${claims.project_path}/-/jobs/${claims.job_id}` } },
  );
}

function describe(image: ImageSubject, referrer: string, bundle: BundleJson, rekorUrl: string): ImageProvenance {
  const facts = signatureFacts(bundle);
  const entry = rekorEntryUrl(rekorUrl, facts.logIndex);
  return {
    referrer,
    logIndex: facts.logIndex ?? null,
    ...(entry ? { entry } : {}),
    signer: facts.signer ?? null,
    issuer: facts.issuer ?? null,
    verify: imageVerifyCommands(`${image.repository}@${image.digest}`, facts.signer, facts.issuer),
  };
}

/**
 * What is already attached to each image, signing nothing: `pyrelease images finalize`
 * records the provenance the `images build` jobs attached. Empty when provenance is off.
 */
export async function attachedProvenance(pluginConfig: PluginConfig, context: Pick<Context, "env">, images: readonly ImageSubject[], registry: RegistryClient): Promise<Map<string, ImageProvenance>> {
  const found = new Map<string, ImageProvenance>();
  const options = provenanceOptions(pluginConfig);
  if (options.enabled === false) return found;
  for (const image of images) {
    const [existing] = bundleReferrers(await listReferrers(registry, image.repository, image.digest).catch(() => []), SLSA_PROVENANCE_PREDICATE);
    if (existing) found.set(image.digest, describe(image, existing.digest, await fetchBundle(registry, image.repository, existing), options.rekorUrl));
  }
  return found;
}

/**
 * Every pushed image gets its SLSA provenance signed with Sigstore and attached as an OCI
 * referrer, before any tag moves. An image that already carries one (a rerun, a resume) is
 * left as it is: nothing is signed or pushed twice. Returns digest → what was attached; an
 * empty map when provenance is off (the one line saying why was logged in verifyConditions).
 */
export async function attestImages(pluginConfig: PluginConfig, context: Context, images: readonly ImageSubject[], registry: RegistryClient): Promise<Map<string, ImageProvenance>> {
  const attached = new Map<string, ImageProvenance>();
  const options = provenanceOptions(pluginConfig);
  const verdict = imageVerdict({ options, identity: sigstoreIdentity(context.env), dryRun: Boolean(context.options.dryRun) });
  if (!verdict.sign) {
    if (verdict.error) throw getError("EPROVENANCE", verdict.error);
    return attached;
  }
  const missing: ImageSubject[] = [];
  for (const image of images) {
    try {
      const [existing] = bundleReferrers(await listReferrers(registry, image.repository, image.digest), SLSA_PROVENANCE_PREDICATE);
      if (!existing) missing.push(image);
      else {
        attached.set(image.digest, describe(image, existing.digest, await fetchBundle(registry, image.repository, existing), options.rekorUrl));
        context.logger.log("%s@%s already carries its signed provenance (%s): not signing again", image.repository, image.digest, existing.digest);
      }
    } catch (error) {
      throw getError("EPROVENANCE", { problem: "referrer", image: `${image.repository}@${image.digest}`, reason: (error as Error).message });
    }
  }
  if (!missing.length) return attached;
  const stream = context.stdout ?? process.stdout;
  const signer = await openSigner(options, verdict.identity, context.env, (text) => void stream.write(text));
  // Signed at once (each is its own certificate and log entry), attached one after another; every signature is waited for.
  const settled = await Promise.allSettled(missing.map((image) => signer.sign(imageStatement(image, signer.claims))));
  throwAll(settled.flatMap((result) => (result.status === "rejected" ? [result.reason as Error] : [])));
  const bundles = settled.map((result) => (result as PromiseFulfilledResult<BundleJson>).value);
  for (const [i, image] of missing.entries()) {
    const bundle = bundles[i];
    let referrer: string;
    try {
      referrer = await attachBundle(registry, image.repository, image.digest, bundle, SLSA_PROVENANCE_PREDICATE);
    } catch (error) {
      throw getError("EPROVENANCE", { problem: "referrer", image: `${image.repository}@${image.digest}`, reason: (error as Error).message });
    }
    const provenance = describe(image, referrer, bundle, options.rekorUrl);
    attached.set(image.digest, provenance);
    context.logger.log("Signed the provenance of %s@%s (Rekor log index %s) and attached it as %s", image.repository, image.digest, provenance.logIndex ?? "?", referrer);
  }
  return attached;
}
