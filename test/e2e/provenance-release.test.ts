import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { fromPep740 } from "../../src/provenance/statement.js";
import { actionsReleaseEnv, podmanEnv, podmanFiles } from "../support/actions-env.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";
import { GITHUB_ISSUER, registryBundle, registryReferrers, startProvenanceWorld, verifyBundle, verifyWithPypiAttestations, WORKFLOW_SAN, type ProvenanceWorld } from "../support/provenance.js";
import { REGISTRY_BIN, startRegistry, type LocalRegistry } from "../support/registry.js";
import { exampleHistory, runPyrelease, runSemanticRelease, TEST_PYPI_OPTIONS, type TempRepo } from "../support/repo.js";
import { describeHits, scanForSecrets } from "../support/secrets.js";
import { needPythonTools, needTool } from "../support/tools.js";

/**
 * The real semantic-release CLI releases the example project with provenance on (the
 * default, `auto`, in a GitHub Actions job with `id-token: write`): every dist reaches the
 * PyPI stand-in with an attestation it accepts, every image carries a signed SLSA
 * provenance as an OCI referrer in a real registry, and everything verifies with the
 * loopback Sigstore's trusted root, by @sigstore/verify and by pypi-attestations.
 */

let world: ProvenanceWorld;
let github: GitHubServer;
let registry: LocalRegistry;
let work: string;
const repos: TempRepo[] = [];
const BACKENDS = ["pytorch", "vllm"];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pyrelease-provenance-"));
  for (const [name, text] of Object.entries(podmanFiles(work))) writeFileSync(join(work, name), text);
  world = await startProvenanceWorld();
  github = await startGitHubServer();
  if (existsSync(REGISTRY_BIN)) registry = await startRegistry();
});
afterAll(async () => {
  await world?.close();
  await github?.close();
  await registry?.stop();
  repos.forEach((repo) => repo.cleanup());
  if (work) rmSync(work, { recursive: true, force: true });
});

function env(branch: string, summary: string): Record<string, string> {
  return actionsReleaseEnv(github, world.pypi, branch, { GITHUB_STEP_SUMMARY: summary, GITHUB_WORKFLOW_REF: "o/r/.github/workflows/release.yml@refs/heads/main", ...podmanEnv(work) });
}

const pypiConfig = (extra: Record<string, unknown> = {}) => ({ ...TEST_PYPI_OPTIONS, repositoryUrl: world.pypi.uploadUrl, indexUrl: world.pypi.indexUrl, ...extra });

describe("a whole release with provenance", () => {
  let repo: TempRepo;
  let summary: string;

  test("every dist uploaded with a verified attestation, every image with a verified referrer, all of it in the draft", async () => {
    needPythonTools();
    needTool(["podman", "--version"], "podman");
    needTool([REGISTRY_BIN, "--version"], "docker-registry");
    repo = exampleHistory("1.1.0", {
      releaserc: {
        pypi: pypiConfig(),
        images: { repository: `${registry.host}/llenergymeasure`, matrix: { backend: BACKENDS, cuda: ["cuda12"] }, buildArgs: { CUDA: "{cuda}", VERSION: "{pep440}" }, builder: "podman", tlsVerify: false },
        provenance: world.provenance(),
      },
    });
    repos.push(repo);
    summary = join(repo.root, "summary.md");
    const run = await runSemanticRelease(repo.dir, [], env("main", summary));
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Provenance: signed with Sigstore \(127\.0\.0\.1:\d+\) as GitHub Actions workflow o\/r\/\.github\/workflows\/release\.yml@refs\/heads\/main: a PEP 740 attestation for every file/);

    // Dists: each stored with the attestation prepare wrote, which both verifiers accept.
    const files = world.pypi.files().filter((f) => f.version === "1.1.0");
    assert.equal(files.length, 2);
    for (const file of files) {
      const path = join(repo.dir, "dist", file.filename);
      const attestation = JSON.parse(readFileSync(`${path}.publish.attestation`, "utf8"));
      expect(file.attestations).toEqual([attestation]);
      verifyBundle(fromPep740(attestation), world.sigstore.trustedRoot(), { subjectAlternativeName: WORKFLOW_SAN, issuer: GITHUB_ISSUER });
      const verdict = await verifyWithPypiAttestations(world.rootFile, `${path}.publish.attestation`, path);
      assert.ok(verdict.ok, verdict.error);
      assert.equal(verdict.claims?.["1.3.6.1.4.1.57264.1.18"], "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main", "the certificate names the workflow");
    }

    // Images: one signed SLSA provenance referrer per image digest, verified with the same root.
    const body = github.releases().find((r) => r.tag_name === "v1.1.0")!.body ?? "";
    for (const backend of BACKENDS) {
      const name = `llenergymeasure/${backend}`;
      const digest = (await registry.digest(name, "1.1.0-cuda12"))!;
      const referrers = await registryReferrers(registry.host, name, digest);
      assert.equal(referrers.length, 1, `${backend}: one referrer`);
      assert.equal(referrers[0].artifactType, "application/vnd.dev.sigstore.bundle.v0.3+json");
      assert.equal(referrers[0].annotations?.["dev.sigstore.bundle.predicateType"], "https://slsa.dev/provenance/v1");
      const { manifest, bundle } = await registryBundle(registry.host, name, referrers[0].digest);
      assert.equal(manifest.subject.digest, digest, "the referrer's subject is the image");
      verifyBundle(bundle, world.sigstore.trustedRoot(), { subjectAlternativeName: WORKFLOW_SAN, issuer: GITHUB_ISSUER });
      const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, "base64").toString("utf8"));
      expect(statement.subject).toEqual([{ name: `${registry.host}/${name}`, digest: { sha256: digest.slice("sha256:".length) } }]);
      assert.equal(statement.predicate.buildDefinition.externalParameters.workflow.path, ".github/workflows/release.yml");
      assert.ok(body.includes(`OCI referrer \`${referrers[0].digest}\``), `${backend}'s referrer in the draft`);
      assert.ok(body.includes(`cosign verify-attestation --new-bundle-format --type slsaprovenance1 --certificate-identity ${WORKFLOW_SAN} --certificate-oidc-issuer ${GITHUB_ISSUER} ${registry.host}/${name}@${digest}`));
      assert.ok(body.includes(`gh attestation verify oci://${registry.host}/${name}@${digest} --repo o/r --bundle-from-oci`));
    }

    // Where users see it: the draft, the manifest and the job summary, with the Rekor log indexes.
    assert.match(body, /#### Provenance/);
    assert.ok(body.includes(`Signed with Sigstore by \`${WORKFLOW_SAN}\``));
    const manifest = JSON.parse(readFileSync(join(repo.dir, "dist", "release-manifest.json"), "utf8"));
    const logged = world.sigstore.entries().map((e) => e.logIndex);
    for (const file of manifest.files) {
      assert.ok(logged.includes(file.attestation.logIndex), `${file.filename}: a logged index`);
      assert.ok(body.includes(`| \`${file.filename}\` | \`${file.filename}.publish.attestation\` | ${file.attestation.logIndex} |`));
      assert.ok(body.includes(`pypi-attestations verify pypi --repository https://github.com/o/r pypi:${file.filename}`));
    }
    for (const image of manifest.images) assert.ok(logged.includes(image.provenance.logIndex), `${image.ref}: a logged index`);
    assert.equal(logged.length, 4, "two dists and two images, each signed once");
    assert.match(readFileSync(summary, "utf8"), /#### Provenance/);

    const visible = run.output;
    const hits = scanForSecrets({ secrets: Object.fromEntries([github.token, ...world.pypi.secrets()].map((s, i) => [`secret #${i}`, s])), outputs: { run: visible }, paths: [repo.dir] });
    assert.equal(hits.length, 0, describeHits(hits));
  });

  test("resuming the finished release signs no dist again, and leaves every image with exactly one provenance", async () => {
    assert.ok(repo, "needs the release above");
    const entries = world.sigstore.entries().length;
    const before = new Map<string, string>();
    for (const backend of BACKENDS) before.set(backend, (await registry.digest(`llenergymeasure/${backend}`, "1.1.0-cuda12"))!);
    const run = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], env("main", summary));
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Took llenergymeasure_demo-1\.1\.0\.tar\.gz\.publish\.attestation from the draft release/, "the original attestation comes back from the draft");
    // podman images are not reproducible (a new build is a new digest): each new digest gets its own provenance, an old one none again.
    let rebuilt = 0;
    for (const backend of BACKENDS) {
      const name = `llenergymeasure/${backend}`;
      const digest = (await registry.digest(name, "1.1.0-cuda12"))!;
      if (digest !== before.get(backend)) rebuilt++;
      else assert.match(run.output, new RegExp(`${name}@${digest} already carries its signed provenance`));
      assert.equal((await registryReferrers(registry.host, name, digest)).length, 1, `${backend}: one provenance`);
    }
    assert.equal(world.sigstore.entries().length - entries, rebuilt, "signed only what is new");
  });
});

describe("resume after a failed upload", () => {
  test("uploads each dist with the attestation signed before the tag, not a new one", async () => {
    needPythonTools();
    const own = await startProvenanceWorld();
    const gh = await startGitHubServer();
    try {
      const repo = exampleHistory("1.1.0", {
        releaserc: { pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: own.pypi.uploadUrl, indexUrl: own.pypi.indexUrl, retry: { attempts: 1, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 } }, provenance: own.provenance() },
      });
      repos.push(repo);
      const runEnv = actionsReleaseEnv(gh, own.pypi, "main", { GITHUB_WORKFLOW_REF: "o/r/.github/workflows/release.yml@refs/heads/main" });
      own.pypi.injectFault("upload", { status: 400, reason: "Bad Request: the index is read-only for maintenance" }, 1);
      const failed = await runSemanticRelease(repo.dir, [], runEnv);
      assert.notEqual(failed.code, 0);
      assert.match(failed.output, /EUPLOAD/);
      expect(repo.remoteTags().sort()).toEqual(["v1.0.0", "v1.1.0"]);
      assert.equal(own.sigstore.entries().length, 2, "signed in prepare, before the tag");
      const original = ["llenergymeasure_demo-1.1.0-py3-none-any.whl", "llenergymeasure_demo-1.1.0.tar.gz"].map((f) => readFileSync(join(repo.dir, "dist", `${f}.publish.attestation`), "utf8"));

      const resumed = await runPyrelease(repo.dir, ["resume", "--tag", "v1.1.0"], runEnv);
      assert.equal(resumed.code, 0, resumed.output);
      assert.equal(own.sigstore.entries().length, 2, "nothing signed again");
      const stored = own.pypi.files().sort((a, b) => a.filename.localeCompare(b.filename));
      expect(stored.map((f) => f.attestations)).toEqual(original.map((text) => [JSON.parse(text)]));
    } finally {
      await own.close();
      await gh.close();
    }
  });
});

describe("what a plan says", () => {
  test("pyrelease plan: whether a real run here signs, and as whom, without using the identity", async () => {
    needPythonTools();
    const repo = exampleHistory("1.1.0", { releaserc: { provenance: {} } });
    repos.push(repo);
    const requests = world.pypi.requests().length;
    const ci = await runPyrelease(repo.dir, ["plan"], { ACTIONS_ID_TOKEN_REQUEST_URL: world.pypi.idTokenRequestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: world.pypi.requestToken, GITHUB_WORKFLOW_REF: "o/r/.github/workflows/release.yml@refs/heads/main" });
    assert.equal(ci.code, 0, ci.output);
    assert.match(ci.stdout, /^\s*Provenance: a real run here signs with Sigstore \(fulcio\.sigstore\.dev\) as GitHub Actions workflow o\/r\/\.github\/workflows\/release\.yml@refs\/heads\/main\.$/m);
    assert.equal(world.pypi.requests().length, requests, "no ID token was asked for");
    const laptop = await runPyrelease(repo.dir, ["plan"]);
    assert.equal(laptop.code, 0, laptop.output);
    assert.match(laptop.stdout, /^\s*Provenance: off: no OIDC identity to sign with/m);
  });
});

