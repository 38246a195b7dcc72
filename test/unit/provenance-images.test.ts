import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { bundleAnnotations, bundleReferrers, referrerManifest } from "../../src/provenance/oci.js";
import { imageStatement } from "../../src/provenance/images.js";
import { attestationRecord } from "../../src/provenance/steps.js";
import { DEFAULT_PROVENANCE_OPTIONS } from "../../src/provenance/options.js";
import { BUNDLE_V03, IN_TOTO_STATEMENT, SLSA_PROVENANCE_PREDICATE } from "../../src/provenance/statement.js";

const IMAGE = { repository: "ghcr.io/o/r/pytorch", digest: `sha256:${"a".repeat(64)}` };

test("an image's SLSA provenance from GitHub Actions' claims (the github-actions-buildtypes workflow/v1 layout)", () => {
  const claims = { workflow_ref: "o/r/.github/workflows/release.yml@refs/heads/main", repository: "o/r", ref: "refs/heads/main", sha: "c0ffee", event_name: "push", repository_id: "1", repository_owner_id: "2", runner_environment: "github-hosted", run_id: "77", run_attempt: "1" };
  const statement = imageStatement(IMAGE, claims);
  expect({ type: statement._type, subject: statement.subject, predicateType: statement.predicateType }).toEqual({
    type: IN_TOTO_STATEMENT,
    subject: [{ name: "ghcr.io/o/r/pytorch", digest: { sha256: "a".repeat(64) } }],
    predicateType: SLSA_PROVENANCE_PREDICATE,
  });
  expect(statement.predicate).toEqual({
    buildDefinition: {
      buildType: "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
      externalParameters: { workflow: { ref: "refs/heads/main", repository: "https://github.com/o/r", path: ".github/workflows/release.yml" } },
      internalParameters: { github: { event_name: "push", repository_id: "1", repository_owner_id: "2", runner_environment: "github-hosted" } },
      resolvedDependencies: [{ uri: "git+https://github.com/o/r@refs/heads/main", digest: { gitCommit: "c0ffee" } }],
    },
    runDetails: { builder: { id: "https://github.com/actions/runner/github-hosted" }, metadata: { invocationId: "https://github.com/o/r/actions/runs/77/attempts/1" } },
  });
});

test("an image's SLSA provenance from GitLab's claims: the job on its own server, a tag ref as refs/tags", () => {
  const claims = { iss: "https://gitlab.example", project_path: "g/p", ref: "v1.0.0", ref_type: "tag", sha: "c0ffee", ci_config_ref_uri: "gitlab.example/g/p//.gitlab-ci.yml@refs/tags/v1.0.0", pipeline_source: "push", project_id: "9", runner_environment: "gitlab-hosted", job_id: "5" };
  const { predicate } = imageStatement(IMAGE, claims) as { predicate: any };
  assert.equal(predicate.buildDefinition.buildType, "https://gitlab.example/gitlab-org/gitlab-runner/-/blob/main/PROVENANCE.md");
  expect(predicate.buildDefinition.externalParameters).toEqual({ source: "https://gitlab.example/g/p", ref: "refs/tags/v1.0.0", ciConfig: claims.ci_config_ref_uri });
  expect(predicate.buildDefinition.resolvedDependencies).toEqual([{ uri: "git+https://gitlab.example/g/p@refs/tags/v1.0.0", digest: { gitCommit: "c0ffee" } }]);
  assert.equal(predicate.runDetails.metadata.invocationId, "https://gitlab.example/g/p/-/jobs/5");
  assert.equal((imageStatement(IMAGE, { ...claims, iss: undefined, ref_type: "branch", ref: "main" }) as { predicate: any }).predicate.buildDefinition.externalParameters.ref, "refs/heads/main");
});

test("bundle referrers: the OCI layout GitHub's attest action pushes, and only ours are found", () => {
  const annotations = bundleAnnotations(SLSA_PROVENANCE_PREDICATE);
  expect(annotations).toEqual({ "dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": SLSA_PROVENANCE_PREDICATE });
  const subject = { mediaType: "application/vnd.oci.image.index.v1+json", digest: IMAGE.digest, size: 512, annotations: { dropped: "yes" } };
  const layer = { mediaType: BUNDLE_V03, digest: `sha256:${"b".repeat(64)}`, size: 900 };
  expect(referrerManifest(subject, layer, annotations)).toEqual({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactType: BUNDLE_V03,
    // image-spec manifest.md: the empty descriptor, `{}`.
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 },
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: 512 },
    annotations,
  });
  const ours = { mediaType: "m", digest: "sha256:1", size: 1, artifactType: BUNDLE_V03, annotations };
  const manifests = [ours, { ...ours, digest: "sha256:2", annotations: bundleAnnotations("https://spdx.dev/Document") }, { ...ours, digest: "sha256:3", artifactType: "application/spdx+json" }, { mediaType: "m", digest: "sha256:4", size: 1 }];
  expect(bundleReferrers(manifests, SLSA_PROVENANCE_PREDICATE).map((m) => m.digest)).toEqual(["sha256:1"]);
});

test("a file's attestation as the release records it: Rekor's search page only for the public instance", () => {
  const attestation = { filename: "demo-1.0.0.tar.gz", attestation: "demo-1.0.0.tar.gz.publish.attestation", logIndex: 42, signer: "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main", issuer: "https://token.actions.githubusercontent.com" };
  expect(attestationRecord(attestation, DEFAULT_PROVENANCE_OPTIONS)).toEqual({
    file: "demo-1.0.0.tar.gz.publish.attestation",
    logIndex: 42,
    entry: "https://search.sigstore.dev/?logIndex=42",
    signer: attestation.signer,
    issuer: attestation.issuer,
    verify: "pypi-attestations verify pypi --repository https://github.com/o/r pypi:demo-1.0.0.tar.gz",
  });
  expect(attestationRecord({ filename: "x.whl", attestation: "x.whl.publish.attestation" }, { ...DEFAULT_PROVENANCE_OPTIONS, rekorUrl: "http://127.0.0.1:9/" })).toEqual({
    file: "x.whl.publish.attestation",
    logIndex: null,
    signer: null,
    issuer: null,
    verify: "pypi-attestations verify pypi pypi:x.whl",
  });
});
