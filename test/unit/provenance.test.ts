import assert from "node:assert/strict";
import { describe, expect, test } from "@jest/globals";
import { distVerifyCommand, imageVerifyCommands, rekorEntryUrl, repositoryOfSigner } from "../../src/provenance/commands.js";
import { distVerdict, imageVerdict, tooOld } from "../../src/provenance/decide.js";
import { attestationMismatch } from "../../src/provenance/dists.js";
import { describeIdentity, sigstoreIdentity, sourceRepository } from "../../src/provenance/identity.js";
import { DEFAULT_BUILDX_ATTEST, DEFAULT_PROVENANCE_OPTIONS, readProvenanceOptions, type ProvenanceOptions } from "../../src/provenance/options.js";
import { expectedSigner } from "../../src/provenance/sign.js";
import { distStatement, fromPep740, pep740Problem, toPep740, type BundleJson } from "../../src/provenance/statement.js";

const GITHUB_ENV = { ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.example/x?api-version=2.0", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "request-token", GITHUB_WORKFLOW_REF: "o/r/.github/workflows/release.yml@refs/heads/main", GITHUB_REPOSITORY: "o/r" };
const SAN = "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main";

describe("provenance options", () => {
  test.each([
    ["defaults", {}, { enabled: "auto", fulcioUrl: "https://fulcio.sigstore.dev", buildxAttest: DEFAULT_BUILDX_ATTEST }, []],
    ["enabled true", { enabled: true }, { enabled: true }, []],
    ["enabled false drops the buildx attestations too", { enabled: false }, { enabled: false, buildxAttest: [] }, []],
    ["enabled false keeps explicit buildx attestations", { enabled: false, buildxAttest: ["type=sbom"] }, { buildxAttest: ["type=sbom"] }, []],
    ["a loopback instance over http", { fulcioUrl: "http://127.0.0.1:4000/", rekorUrl: "http://localhost:4001" }, { fulcioUrl: "http://127.0.0.1:4000", rekorUrl: "http://localhost:4001" }, []],
    ["enabled yes", { enabled: "yes" }, {}, ["provenance.enabled"]],
    ["http off loopback", { rekorUrl: "http://rekor.internal" }, {}, ["provenance.rekorUrl"]],
    ["not a URL", { tufMirrorUrl: "tuf mirror" }, {}, ["provenance.tufMirrorUrl"]],
    ["a bad attest value", { buildxAttest: ["type=signature"] }, {}, ["provenance.buildxAttest"]],
    ["retry zero attempts and an unknown retry key", { retry: { attempts: 0, backoff: 2 } }, {}, ["provenance.retry.attempts", "provenance.retry.backoff"]],
    ["an unknown key", { identity: "me" }, {}, ["provenance.identity"]],
    ["another instance's TUF root", { tufMirrorUrl: "https://tuf.example.org", tufRootPath: "sigstore/root.json" }, { tufMirrorUrl: "https://tuf.example.org", tufRootPath: "sigstore/root.json" }, []],
    ["a TUF root that is no path", { tufRootPath: 3 }, {}, ["provenance.tufRootPath"]],
  ])("%s", (_name, raw, expected, problemKeys) => {
    const { options, problems } = readProvenanceOptions({ provenance: raw });
    expect(problems.map((p) => p.key)).toEqual(problemKeys);
    expect(options).toMatchObject(expected);
  });

  test("not an object", () => {
    expect(readProvenanceOptions({ provenance: true }).problems).toEqual([{ key: "provenance", reason: "must be an object" }]);
  });
});

describe("identity", () => {
  test.each([
    ["GitHub with id-token: write", GITHUB_ENV, "GitHub Actions workflow o/r/.github/workflows/release.yml@refs/heads/main", "https://github.com/o/r"],
    ["GitHub, runner without GITHUB_WORKFLOW_REF", { ACTIONS_ID_TOKEN_REQUEST_URL: "u", ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t" }, "GitHub Actions OIDC (id-token: write)", undefined],
    ["GitLab", { SIGSTORE_ID_TOKEN: "jwt", CI_PROJECT_PATH: "g/p" }, "GitLab CI project g/p (SIGSTORE_ID_TOKEN)", "https://gitlab.com/g/p"],
    ["GitLab self-hosted", { SIGSTORE_ID_TOKEN: "jwt", CI_PROJECT_PATH: "g/p", CI_SERVER_URL: "https://git.example.org" }, "GitLab CI project g/p (SIGSTORE_ID_TOKEN)", "https://git.example.org/g/p"],
  ])("%s", (_name, env, description, repository) => {
    const identity = sigstoreIdentity(env)!;
    assert.equal(describeIdentity(identity), description);
    assert.equal(sourceRepository(identity), repository);
  });

  test.each([
    ["nothing", {}],
    ["only half of GitHub's pair (a fork's pull request)", { ACTIONS_ID_TOKEN_REQUEST_URL: "u" }],
    ["a PyPI-audience GitLab token is not a Sigstore one", { PYPI_ID_TOKEN: "jwt" }],
  ])("no identity: %s", (_name, env) => {
    assert.equal(sigstoreIdentity(env), undefined);
  });
});

describe("whether to sign", () => {
  const options = (enabled: ProvenanceOptions["enabled"]): ProvenanceOptions => ({ ...DEFAULT_PROVENANCE_OPTIONS, enabled });
  const github = sigstoreIdentity(GITHUB_ENV);

  test.each([
    ["auto with an identity", "auto", github, false, "7.0.0", true, undefined, /^Provenance: signed with Sigstore \(fulcio\.sigstore\.dev\) as GitHub Actions workflow .*: a PEP 740 attestation for every file$/],
    ["auto without one", "auto", undefined, false, "7.0.0", false, undefined, /^Provenance: off: no OIDC identity/],
    ["true without one", true, undefined, false, "7.0.0", false, "no-identity", /no OIDC identity/],
    ["true without one, dry run", true, undefined, true, "7.0.0", false, undefined, /only a warning/],
    ["false", false, github, false, "7.0.0", false, undefined, /^Provenance: off \(provenance\.enabled is false\)$/],
    ["auto, twine 5.0", "auto", github, false, "5.0.0", false, undefined, /twine 5\.0\.0 cannot upload attestations.*uploaded without attestations/],
    ["true, twine 4.0.2", true, github, false, "4.0.2", false, "old-twine", /twine 4\.0\.2 cannot upload attestations/],
    ["true, twine 5.1.0", true, github, false, "5.1.0", true, undefined, /signed with Sigstore/],
    ["true, twine unknown", true, github, false, undefined, true, undefined, /signed with Sigstore/],
  ] as const)("%s", (_name, enabled, identity, dryRun, twineVersion, sign, errorProblem, line) => {
    const verdict = distVerdict({ options: options(enabled), identity, dryRun, twineVersion, uploads: true });
    assert.equal(verdict.sign, sign);
    assert.match(verdict.line, line);
    assert.equal(verdict.sign ? undefined : verdict.error?.problem, errorProblem);
  });

  test("twine's age does not matter when nothing is uploaded", () => {
    assert.equal(distVerdict({ options: options(true), identity: github, dryRun: false, twineVersion: "4.0.2", uploads: false }).sign, true);
  });

  test("images need only the identity", () => {
    assert.equal(imageVerdict({ options: options("auto"), identity: github, dryRun: false }).sign, true);
    assert.equal(imageVerdict({ options: options("auto"), identity: undefined, dryRun: false }).sign, false);
  });

  test.each([
    ["4.0.2", true],
    ["5.0.0", true],
    ["5.1.0", false],
    ["6.1.0", false],
    ["7.0.0", false],
    ["not a version", false],
  ])("twine %s too old: %s", (version, old) => assert.equal(tooOld(version), old));
});

describe("PEP 740 attestation objects", () => {
  const bundle: BundleJson = {
    mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
    verificationMaterial: { certificate: { rawBytes: "Y2VydA==" }, tlogEntries: [{ logIndex: "42", integratedTime: "1700000000" }] },
    dsseEnvelope: { payload: Buffer.from(JSON.stringify(distStatement("demo-1.0.tar.gz", "ab".repeat(32)))).toString("base64"), payloadType: "application/vnd.in-toto+json", signatures: [{ sig: "c2ln", keyid: "" }] },
  };

  test("a bundle becomes the attestation pypi-attestations' from_bundle writes, and back", () => {
    const attestation = toPep740(bundle);
    expect(attestation).toEqual({
      version: 1,
      verification_material: { certificate: "Y2VydA==", transparency_entries: [{ logIndex: "42", integratedTime: "1700000000" }] },
      envelope: { statement: bundle.dsseEnvelope!.payload, signature: "c2ln" },
    });
    assert.equal(pep740Problem(attestation), undefined);
    const back = fromPep740(attestation);
    expect(back.dsseEnvelope).toEqual(bundle.dsseEnvelope);
    expect(back.verificationMaterial.certificate).toEqual(bundle.verificationMaterial.certificate);
  });

  test.each([
    ["no certificate (a v0.1 bundle with a chain)", { ...bundle, verificationMaterial: { tlogEntries: bundle.verificationMaterial.tlogEntries } }, /no single signing certificate/],
    ["a message signature, not DSSE", { ...bundle, dsseEnvelope: undefined }, /does not contain a DSSE envelope/],
    ["two signatures", { ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope!, signatures: [{ sig: "a" }, { sig: "b" }] } }, /exactly one signature, got 2/],
    ["no log entry", { ...bundle, verificationMaterial: { ...bundle.verificationMaterial, tlogEntries: [] } }, /no transparency log entry/],
  ])("refuses %s", (_name, broken, message) => {
    assert.throws(() => toPep740(broken as BundleJson), message);
  });

  test.each([
    [null, "not a JSON object"],
    [{ version: 2 }, "version must be 1"],
    [{ version: 1, verification_material: {} }, "verification_material.certificate is missing"],
    [{ version: 1, verification_material: { certificate: "x", transparency_entries: [] } }, "verification_material.transparency_entries needs at least one entry"],
    [{ version: 1, verification_material: { certificate: "x", transparency_entries: [{}] }, envelope: { statement: "s" } }, "envelope.statement and envelope.signature are required"],
  ])("shape %j: %s", (value, problem) => assert.equal(pep740Problem(value), problem));

  const sha = "cd".repeat(32);
  const attestationFor = (statement: unknown) => ({ ...toPep740(bundle), envelope: { statement: Buffer.from(JSON.stringify(statement)).toString("base64"), signature: "c2ln" } });
  test.each([
    ["its own file", distStatement("demo-1.0.tar.gz", sha), undefined],
    ["another file", distStatement("demo-1.0-py3-none-any.whl", sha), "it attests demo-1.0-py3-none-any.whl"],
    ["other bytes", distStatement("demo-1.0.tar.gz", "ef".repeat(32)), `it attests sha256 ${"ef".repeat(32)}, the file has ${sha}`],
    ["two subjects", { ...distStatement("demo-1.0.tar.gz", sha), subject: [{ name: "a", digest: {} }, { name: "b", digest: {} }] }, "2 subjects, not one"],
    ["a SLSA provenance", { ...distStatement("demo-1.0.tar.gz", sha), predicateType: "https://slsa.dev/provenance/v1" }, "predicate https://slsa.dev/provenance/v1, not https://docs.pypi.org/attestations/publish/v1"],
  ])("an attestation of %s", (_name, statement, mismatch) => {
    assert.equal(attestationMismatch(attestationFor(statement), { filename: "demo-1.0.tar.gz", sha256: sha }), mismatch);
  });
});

test.each([
  ["GitHub", { job_workflow_ref: "o/r/.github/workflows/release.yml@refs/heads/main", workflow_ref: "o/r/.github/workflows/x.yml@refs/heads/main" }, "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main"],
  ["GitLab", { ci_config_ref_uri: "gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main" }, "https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main"],
  ["unknown", { sub: "someone" }, undefined],
])("the certificate identity Fulcio gives a %s token", (_name, claims, signer) => assert.equal(expectedSigner(claims), signer));

describe("verify commands", () => {
  test.each([
    [SAN, "https://github.com/o/r"],
    ["https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1.0.0", "https://github.com/o/r"],
    ["https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main", "https://gitlab.com/g/p"],
    ["https://example.com/nothing-to-see", undefined],
    [undefined, undefined],
  ])("the repository of %s", (signer, repository) => assert.equal(repositoryOfSigner(signer), repository));

  test("a dist: pypi-attestations against the publishing repository", () => {
    assert.equal(distVerifyCommand("demo-1.0.tar.gz", SAN), "pypi-attestations verify pypi --repository https://github.com/o/r pypi:demo-1.0.tar.gz");
  });

  test("an image: gh from the registry, and cosign with the exact identity", () => {
    const pin = `ghcr.io/o/r/pytorch@sha256:${"a".repeat(64)}`;
    expect(imageVerifyCommands(pin, SAN, "https://token.actions.githubusercontent.com")).toEqual({
      gh: `gh attestation verify oci://${pin} --repo o/r --bundle-from-oci`,
      cosign: `cosign verify-attestation --new-bundle-format --type slsaprovenance1 --certificate-identity ${SAN} --certificate-oidc-issuer https://token.actions.githubusercontent.com ${pin}`,
    });
    const gitlab = imageVerifyCommands(pin, "https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main", "https://gitlab.com");
    assert.equal(gitlab.gh, undefined, "gh verifies GitHub identities only");
    assert.match(gitlab.cosign, /--certificate-identity https:\/\/gitlab\.com\/g\/p\/\/\.gitlab-ci\.yml@refs\/heads\/main --certificate-oidc-issuer https:\/\/gitlab\.com /);
  });

  test("a public-good entry links to its search page; another instance's does not", () => {
    assert.equal(rekorEntryUrl("https://rekor.sigstore.dev", 123), "https://search.sigstore.dev/?logIndex=123");
    assert.equal(rekorEntryUrl("http://127.0.0.1:4000", 123), undefined);
    assert.equal(rekorEntryUrl("https://rekor.sigstore.dev", undefined), undefined);
  });
});
