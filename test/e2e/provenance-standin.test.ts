import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "@jest/globals";
import * as pypi from "../../src/plugins/pypi.js";
import { distStatement, toPep740, type Pep740Attestation } from "../../src/provenance/statement.js";
import { attestationChecker, type AttestationUpload } from "../support/attestation-checker.js";
import { onCleanup } from "../support/cleanup.js";
import { errorsOf, makeProject, pluginContext } from "../support/plugin-context.js";
import { sigstoreOptions, startProvenanceWorld, workflowEnv, type ProvenanceWorld } from "../support/provenance.js";
import { startTufServer } from "../support/tuf-server.js";
import { startSigstoreServer } from "../support/sigstore-server.js";
import { CURRENT_PYTHON, needPythonTools } from "../support/tools.js";

/**
 * The PyPI stand-in's attestation check refuses what Warehouse refuses
 * (warehouse/attestations/services.py, pypi-attestations' Attestation.verify): each case
 * starts from a genuinely signed attestation and breaks one thing.
 */

const FILE = "demo-1.0.tar.gz";
const BYTES = Buffer.from("the sdist's bytes");
const SHA = createHash("sha256").update(BYTES).digest("hex");
const PUBLISHER = { kind: "github" as const, repository: "o/r", workflow: "release.yml" };

async function signed(world: ProvenanceWorld, statement = distStatement(FILE, SHA)): Promise<Pep740Attestation> {
  const response = await fetch(`${world.pypi.idTokenRequestUrl}&audience=sigstore`, { headers: { authorization: `bearer ${world.pypi.requestToken}` } });
  const { value } = (await response.json()) as { value: string };
  const { attest } = await import("sigstore");
  const bundle = await attest(Buffer.from(JSON.stringify(statement)), "application/vnd.in-toto+json", { fulcioURL: world.sigstore.fulcioUrl, rekorURL: world.sigstore.rekorUrl, identityToken: value });
  return toPep740(bundle as never);
}

async function world(): Promise<ProvenanceWorld> {
  const w = await startProvenanceWorld();
  onCleanup(() => w.close());
  return w;
}

describe("the stand-in's attestation check", () => {
  test("accepts a genuine attestation of the uploaded file from the trusted publisher", async () => {
    const w = await world();
    const check = attestationChecker(w.sigstore.trustedRoot());
    const attestation = await signed(w);
    const verdict = await check({ attestations: JSON.stringify([attestation]), filename: FILE, sha256: SHA, publisher: PUBLISHER });
    assert.ok(verdict.ok, verdict.ok ? "" : verdict.reason);
  });

  test.each<[string, (a: Pep740Attestation) => Partial<AttestationUpload>, RegExp]>([
    ["an upload made with an API token", () => ({ publisher: undefined }), /^Attestations are only supported when using Trusted Publishing$/],
    ["other bytes under the same name", () => ({ sha256: "0".repeat(64) }), /Could not verify the uploaded artifact using the included attestation: Verification failed: subject does not match distribution digest/],
    ["another file's name", () => ({ filename: "demo-1.0-py3-none-any.whl" }), /subject does not match distribution name: demo-1\.0\.tar\.gz != demo-1\.0-py3-none-any\.whl/],
    ["another repository's publisher", () => ({ publisher: { ...PUBLISHER, repository: "o/fork" } }), /source repository URI \(https:\/\/github\.com\/o\/r\) does not match https:\/\/github\.com\/o\/fork/],
    ["another workflow", () => ({ publisher: { ...PUBLISHER, workflow: "other.yml" } }), /Build Config URI .* does not match expected Trusted Publisher \(other\.yml @ o\/r\)/],
    ["a GitLab publisher for a GitHub signature", () => ({ publisher: { ...PUBLISHER, kind: "gitlab" } }), /OIDC issuer \(https:\/\/token\.actions\.githubusercontent\.com\) does not match https:\/\/gitlab\.com/],
    ["a signature that is not the envelope's", (a) => ({ attestations: JSON.stringify([{ ...a, envelope: { ...a.envelope, signature: Buffer.from("forged").toString("base64") } }]) }), /Could not verify the uploaded artifact/],
    ["not JSON", () => ({ attestations: "[{" }), /^Malformed attestations: /],
    ["an empty list", () => ({ attestations: "[]" }), /^Malformed attestations: an empty attestation set is not permitted$/],
    ["three attestations", (a) => ({ attestations: JSON.stringify([a, a, a]) }), /^A maximum of 2 attestations per file are supported$/],
    ["the same predicate twice", (a) => ({ attestations: JSON.stringify([a, a]) }), /^Multiple attestations for the same file with the same predicate type \(https:\/\/docs\.pypi\.org\/attestations\/publish\/v1\) are not supported$/],
    ["a wrong shape", () => ({ attestations: JSON.stringify([{ version: 1 }]) }), /^Malformed attestations: verification_material\.certificate is missing$/],
  ])("refuses %s", async (_name, change, reason) => {
    const w = await world();
    const check = attestationChecker(w.sigstore.trustedRoot());
    const attestation = await signed(w);
    const verdict = await check({ attestations: JSON.stringify([attestation]), filename: FILE, sha256: SHA, publisher: PUBLISHER, ...change(attestation) });
    assert.equal(verdict.ok, false);
    assert.match((verdict as { reason: string }).reason, reason);
  });

  test("refuses a statement of another predicate type", async () => {
    const w = await world();
    const check = attestationChecker(w.sigstore.trustedRoot());
    const attestation = await signed(w, { ...distStatement(FILE, SHA), predicateType: "https://example.com/custom/v1" });
    const verdict = await check({ attestations: JSON.stringify([attestation]), filename: FILE, sha256: SHA, publisher: PUBLISHER });
    expect(verdict).toEqual({ ok: false, reason: "Could not verify the uploaded artifact using the included attestation: Verification failed: unknown attestation type: https://example.com/custom/v1" });
  });
});

describe("an attestation PyPI cannot verify", () => {
  test("signed by a Sigstore the index does not trust: the upload is refused (EUPLOAD with PyPI's reason), nothing stored", async () => {
    needPythonTools();
    const w = await world();
    // Another Sigstore instance (think: staging), which accepts the same CI's tokens.
    const other = await startSigstoreServer({ verifyToken: (jwt) => w.pypi.verifyIdToken(jwt) });
    const otherTuf = await startTufServer(other.trustedRoot(), join(mkdtempSync(join(tmpdir(), "pyrelease-tuf-")), "root.json"));
    onCleanup(() => Promise.all([other.close(), otherTuf.close()]));
    const project = makeProject();
    onCleanup(() => project.cleanup());
    const config = {
      pypi: { repositoryUrl: w.pypi.uploadUrl, indexUrl: w.pypi.indexUrl, python: CURRENT_PYTHON, buildArgs: ["--no-isolation", "--skip-dependency-check"], retry: { attempts: 1, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 } },
      provenance: sigstoreOptions(other, otherTuf),
    };
    const { context } = pluginContext({ cwd: project.dir, gitHead: project.gitHead, env: workflowEnv(w.pypi) });
    await pypi.prepare(config, context);
    const [problem] = errorsOf(await pypi.publish(config, context).then(() => undefined, (e) => e));
    assert.equal(problem.code, "EUPLOAD");
    assert.match(problem.details, /Invalid attestations supplied during upload: Could not verify the uploaded artifact/);
    expect(w.pypi.files()).toEqual([]);
    assert.ok(w.pypi.uploads().every((u) => u.outcome === "rejected" && u.status === 400));
  });
});
