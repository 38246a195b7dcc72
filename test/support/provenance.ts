import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleFromJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toSignedEntity, toTrustMaterial, Verifier, type Signer } from "@sigstore/verify";
import { attestationChecker } from "./attestation-checker.js";
import { startPypiServer, type PypiServer, type PypiServerOptions } from "./pypi-server.js";
import { CURRENT_PYTHON } from "./python.js";
import { startSigstoreServer, type SigstoreServer } from "./sigstore-server.js";
import { startTufServer, type TufServer } from "./tuf-server.js";

/**
 * A PyPI stand-in that checks attestations, and a loopback Sigstore that trusts the same
 * GitHub Actions ID tokens: the world a release with provenance runs in.
 */
export interface ProvenanceWorld {
  pypi: PypiServer;
  sigstore: SigstoreServer;
  /** The TUF mirror that distributes the loopback instance's trusted root. */
  tuf: TufServer;
  /** The trusted root, written to a file for the Python verifier. */
  rootFile: string;
  /** `provenance` options pointing at the loopback Sigstore, with fast retries. */
  provenance(extra?: Record<string, unknown>): Record<string, unknown>;
  close(): Promise<void>;
}

/** The workflow identity of the stand-in's GitHub Actions run (what Fulcio puts in the certificate). */
export const WORKFLOW_SAN = "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main";
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

export async function startProvenanceWorld(pypiOptions: PypiServerOptions = {}): Promise<ProvenanceWorld> {
  let check: ReturnType<typeof attestationChecker> | undefined;
  const pypi = await startPypiServer({ ...pypiOptions, attestations: (upload) => check!(upload) });
  const sigstore = await startSigstoreServer({ verifyToken: (jwt) => pypi.verifyIdToken(jwt) });
  check = attestationChecker(sigstore.trustedRoot());
  const dir = mkdtempSync(join(tmpdir(), "pyrelease-sigstore-"));
  const rootFile = sigstore.writeTrustedRoot(join(dir, "trusted_root.json"));
  const tuf = await startTufServer(sigstore.trustedRoot(), join(dir, "tuf-root.json"));
  return {
    pypi,
    sigstore,
    tuf,
    rootFile,
    provenance: (extra = {}) => ({ ...sigstoreOptions(sigstore, tuf), retry: { attempts: 3, delayMs: 10, timeoutMs: 10_000 }, ...extra }),
    async close() {
      await Promise.all([pypi.close(), sigstore.close(), tuf.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `provenance` options naming one loopback Sigstore instance: its Fulcio, Rekor and TUF mirror. */
export function sigstoreOptions(sigstore: SigstoreServer, tuf: TufServer): Record<string, string> {
  return { fulcioUrl: sigstore.fulcioUrl, rekorUrl: sigstore.rekorUrl, tufMirrorUrl: tuf.url, tufRootPath: tuf.rootFile };
}

/** What GitHub Actions adds for a job with `id-token: write`, beyond actionsReleaseEnv: the workflow the certificate names. */
export function workflowEnv(pypi: PypiServer): Record<string, string> {
  return {
    GITHUB_ACTIONS: "true",
    ACTIONS_ID_TOKEN_REQUEST_URL: pypi.idTokenRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: pypi.requestToken,
    GITHUB_REPOSITORY: "o/r",
    GITHUB_WORKFLOW_REF: "o/r/.github/workflows/release.yml@refs/heads/main",
  };
}

/** Verify a Sigstore bundle (JSON) with @sigstore/verify against `trustedRoot`: the signer's identity and issuer, or a thrown error. */
export function verifyBundle(bundle: unknown, trustedRoot: Record<string, unknown>, policy?: { subjectAlternativeName?: string; issuer?: string }): Signer {
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), { tlogThreshold: 1, ctlogThreshold: 1 });
  return verifier.verify(toSignedEntity(bundleFromJSON(bundle)), policy ? { subjectAlternativeName: policy.subjectAlternativeName, extensions: policy.issuer ? { issuer: policy.issuer } : undefined } : undefined);
}

/**
 * The reference verifier: pypi-attestations' `Attestation.verify` against a GitHub trusted
 * publisher, run whole; only Sigstore's production trusted root is swapped for `rootFile`.
 */
const VERIFY_WITH_PYPI_ATTESTATIONS = `
import json, sys
from pathlib import Path
from sigstore.models import TrustedRoot
from sigstore.verify import Verifier
from pypi_attestations import Attestation, Distribution, GitHubPublisher
root_file, attestation_file, dist_file, repository, workflow = sys.argv[1:6]
root = TrustedRoot.from_file(root_file)
Verifier.production = classmethod(lambda cls, offline=False: Verifier(trusted_root=root))
attestation = Attestation.model_validate_json(Path(attestation_file).read_text())
try:
    predicate_type, _ = attestation.verify(GitHubPublisher(repository=repository, workflow=workflow), Distribution.from_file(Path(dist_file)))
    print(json.dumps({"ok": True, "predicateType": predicate_type, "claims": attestation.certificate_claims}))
except Exception as error:
    print(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}))
`;

export interface PythonVerdict {
  ok: boolean;
  predicateType?: string;
  claims?: Record<string, string>;
  error?: string;
}

export function verifyWithPypiAttestations(rootFile: string, attestationFile: string, distFile: string, publisher = { repository: "o/r", workflow: "release.yml" }): Promise<PythonVerdict> {
  return new Promise((resolve, reject) => {
    execFile(CURRENT_PYTHON, ["-c", VERIFY_WITH_PYPI_ATTESTATIONS, rootFile, attestationFile, distFile, publisher.repository, publisher.workflow], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").at(-1)!));
    });
  });
}

/** A registry's referrers of `digest` the way a client finds them: the referrers API, else the referrers tag schema's index (distribution-spec). */
export async function registryReferrers(host: string, name: string, digest: string): Promise<{ digest: string; artifactType?: string; annotations?: Record<string, string> }[]> {
  const base = `http://${host}/v2/${name}`;
  const accept = { Accept: "application/vnd.oci.image.index.v1+json" };
  const api = await fetch(`${base}/referrers/${digest}`, { headers: accept });
  if (api.status === 200) return ((await api.json()) as { manifests: [] }).manifests;
  const tagged = await fetch(`${base}/manifests/${digest.replace(":", "-")}`, { headers: accept });
  if (tagged.status === 404) return [];
  return ((await tagged.json()) as { manifests: [] }).manifests;
}

/** The referrer manifest `referrer` and the Sigstore bundle in its layer. */
export async function registryBundle(host: string, name: string, referrer: string): Promise<{ manifest: any; bundle: any }> {
  const base = `http://${host}/v2/${name}`;
  const manifest = (await (await fetch(`${base}/manifests/${referrer}`, { headers: { Accept: "application/vnd.oci.image.manifest.v1+json" } })).json()) as any;
  const bundle = await (await fetch(`${base}/blobs/${manifest.layers[0].digest}`)).json();
  return { manifest, bundle };
}
