import { afterAll, beforeAll, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { RegistryClient, referrersTag } from "../../src/images/registry.js";
import { REGISTRY_BIN, startRegistry, type LocalRegistry } from "../support/registry.js";
import { needTool } from "../support/tools.js";

/**
 * The registry client's artifact half, for provenance: push an arbitrary OCI manifest
 * with its blobs, and find it again as a referrer of the image it names as `subject`.
 * docker-registry 2.8 has no referrers API, so this exercises the fallback the
 * distribution-spec prescribes (the referrers tag schema's index).
 */
let registry: LocalRegistry;
const sha = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const EMPTY = Buffer.from("{}");
const BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

beforeAll(async () => {
  needTool([REGISTRY_BIN, "--version"], "docker-registry");
  registry = await startRegistry();
});
afterAll(async () => registry?.stop());

function artifact(subject: { mediaType: string; digest: string; size: number }, type: string, content: string) {
  const layer = Buffer.from(content);
  return {
    manifest: {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: type,
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha(EMPTY), size: EMPTY.length },
      layers: [{ mediaType: type, digest: sha(layer), size: layer.length }],
      subject,
      annotations: { "org.opencontainers.image.created": "2026-01-02T03:04:05Z" },
    },
    blobs: [EMPTY, layer],
  };
}

test("push an image and two attestations of it; its referrers list them, by type, once each", async () => {
  needTool([REGISTRY_BIN, "--version"], "docker-registry");
  const client = new RegistryClient({ tlsVerify: false, env: {}, retry: { attempts: 2, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 5_000 } });
  const repository = `${registry.host}/prov/pytorch`;

  // The subject: a small image, pushed through the same API.
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, config: {} }));
  const layer = Buffer.from("not really a tar, but content-addressed all the same");
  const image = await client.pushArtifact(repository, {
    manifest: {
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha(config), size: config.length },
      layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha(layer), size: layer.length }],
    },
    blobs: [config, layer],
  });
  assert.equal(await registry.digest("prov/pytorch", image.digest), image.digest);
  expect(await client.referrers(repository, image.digest)).toEqual([]);

  const bundle = await client.pushArtifact(repository, artifact(image, BUNDLE_TYPE, '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}'));
  const sbom = await client.pushArtifact(repository, artifact(image, "application/spdx+json", '{"spdxVersion":"SPDX-2.3"}'));
  assert.equal(bundle.artifactType, BUNDLE_TYPE);

  const referrers = await client.referrers(repository, image.digest);
  expect(referrers.map((r) => r.digest).sort()).toEqual([bundle.digest, sbom.digest].sort());
  expect(referrers.find((r) => r.digest === bundle.digest)).toEqual(bundle);
  expect((await client.referrers(repository, image.digest, BUNDLE_TYPE)).map((r) => r.digest)).toEqual([bundle.digest]);
  expect(await client.referrers(repository, image.digest, "application/vnd.example.none")).toEqual([]);

  // Pushing the same attestation again adds nothing; the fallback index lives at the tag schema's tag.
  await client.pushArtifact(repository, artifact(image, BUNDLE_TYPE, '{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}'));
  assert.equal((await client.referrers(repository, image.digest)).length, 2);
  assert.ok((await registry.tags("prov/pytorch")).includes(referrersTag(image.digest)));
  // The attestation itself is readable by digest, with its subject.
  const stored = await client.getManifest(repository, bundle.digest);
  assert.equal(JSON.parse(stored!.bytes.toString("utf8")).subject.digest, image.digest);
});
