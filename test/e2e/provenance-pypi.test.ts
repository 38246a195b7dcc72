import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "@jest/globals";
import * as pypi from "../../src/plugins/pypi.js";
import { fromPep740, type Pep740Attestation } from "../../src/provenance/statement.js";
import { onCleanup } from "../support/cleanup.js";
import { errorsOf, makeProject, pluginContext, STACK_FRAME } from "../support/plugin-context.js";
import { GITHUB_ISSUER, startProvenanceWorld, verifyBundle, verifyWithPypiAttestations, WORKFLOW_SAN, workflowEnv, type ProvenanceWorld } from "../support/provenance.js";
import { describeHits, scanForSecrets } from "../support/secrets.js";
import { startSigstoreServer } from "../support/sigstore-server.js";
import { CURRENT_PYTHON, needPythonTools, OLDEST_PYTHON } from "../support/tools.js";

/**
 * The `./pypi` plugin's steps with provenance: the real build, twine and Sigstore clients
 * against the PyPI stand-in (which checks every attestation the way Warehouse does) and a
 * loopback Fulcio + Rekor; every attestation then verified by @sigstore/verify and by
 * the reference Python verifier, pypi-attestations.
 */

const VERSION = "2.0.0";
const FILES = ["llenergymeasure_demo-2.0.0-py3-none-any.whl", "llenergymeasure_demo-2.0.0.tar.gz"];
const RETRY = { attempts: 3, delayMs: 10, requestTimeoutMs: 5_000, uploadTimeoutMs: 60_000 };

/** A fresh index and Sigstore per test: every build's files are new to the index. */
async function startWorld(): Promise<ProvenanceWorld> {
  const world = await startProvenanceWorld();
  onCleanup(() => world.close());
  return world;
}

function setup(w: ProvenanceWorld, options: { python?: string; provenance?: Record<string, unknown>; env?: Record<string, string | undefined> } = {}) {
  const project = makeProject();
  onCleanup(() => project.cleanup());
  const config = {
    pypi: { repositoryUrl: w.pypi.uploadUrl, indexUrl: w.pypi.indexUrl, python: options.python ?? CURRENT_PYTHON, buildArgs: ["--no-isolation", "--skip-dependency-check"], retry: RETRY },
    provenance: w.provenance(options.provenance),
  };
  const captured = pluginContext({ cwd: project.dir, gitHead: project.gitHead, version: VERSION, env: options.env ?? workflowEnv(w.pypi) });
  return { project, config, ...captured, dist: join(project.dir, "dist") };
}

async function release(s: ReturnType<typeof setup>) {
  await pypi.verifyConditions(s.config, s.context);
  await pypi.prepare(s.config, s.context);
  return pypi.publish(s.config, s.context);
}

const attestationOf = (dist: string, file: string) => JSON.parse(readFileSync(join(dist, `${file}.publish.attestation`), "utf8")) as Pep740Attestation;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("dists signed in prepare, uploaded with their attestations", () => {
  test("every file reaches the index with an attestation that both verifiers accept", async () => {
    needPythonTools();
    const world = await startWorld();
    const s = setup(world);
    const entriesBefore = world.sigstore.entries().length;
    const result = await release(s);

    // prepare wrote one attestation beside each dist; each is one Rekor entry.
    expect(readdirSync(s.dist).filter((f) => f.endsWith(".publish.attestation")).sort()).toEqual(FILES.map((f) => `${f}.publish.attestation`));
    assert.equal(world.sigstore.entries().length - entriesBefore, 2, "signed once per file");

    for (const filename of FILES) {
      const stored = world.pypi.files().find((f) => f.filename === filename)!;
      assert.ok(stored, `${filename} on the index`);
      assert.equal(stored.attestations?.length, 1, `${filename} was uploaded with its attestation`);
      const attestation = attestationOf(s.dist, filename);
      expect(stored.attestations![0]).toEqual(attestation);

      // @sigstore/verify, against the loopback instance's trusted root, pinned to the workflow.
      const signer = verifyBundle(fromPep740(attestation), world.sigstore.trustedRoot(), { subjectAlternativeName: WORKFLOW_SAN, issuer: GITHUB_ISSUER });
      assert.equal(signer.identity?.subjectAlternativeName, WORKFLOW_SAN);
      const statement = JSON.parse(Buffer.from(attestation.envelope.statement, "base64").toString("utf8"));
      expect(statement.subject).toEqual([{ name: filename, digest: { sha256: stored.sha256 } }]);
      assert.equal(stored.sha256, sha256(readFileSync(join(s.dist, filename))));

      // pypi-attestations: the reference verifier, against the trusted publisher o/r release.yml.
      const verdict = await verifyWithPypiAttestations(world.rootFile, join(s.dist, `${filename}.publish.attestation`), join(s.dist, filename));
      assert.ok(verdict.ok, verdict.error);
      assert.equal(verdict.predicateType, "https://docs.pypi.org/attestations/publish/v1");
    }

    // The release entry names each attestation, its log index and how to verify it.
    assert.ok(result && typeof result === "object");
    for (const file of (result as { files: any[] }).files) {
      assert.equal(file.attestation.file, `${file.filename}.publish.attestation`);
      assert.ok(world.sigstore.entries().some((e) => e.logIndex === file.attestation.logIndex), "a real log index");
      assert.equal(file.attestation.signer, WORKFLOW_SAN);
      assert.equal(file.attestation.verify, `pypi-attestations verify pypi --repository https://github.com/o/r pypi:${file.filename}`);
    }
    assert.match(s.output(), /Provenance: signed with Sigstore \(127\.0\.0\.1:\d+\) as GitHub Actions workflow o\/r\/\.github\/workflows\/release\.yml@refs\/heads\/main/);
    // Each signature was checked against the trusted root the instance's TUF mirror serves.
    expect(world.tuf.requests().filter((p) => p.endsWith(".trusted_root.json"))).toHaveLength(1);

    // The ID token never shows: only on the ::add-mask:: line that hides it.
    const tokens = world.pypi.secrets();
    const hits = scanForSecrets({ secrets: Object.fromEntries(tokens.map((t, i) => [`token #${i}`, t])), outputs: { run: s.output() }, paths: [s.project.dir] });
    assert.equal(hits.length, 0, describeHits(hits));
    assert.match(s.output(), /^::add-mask::/m);
  });

  test("a rerun signs nothing again and uploads nothing twice", async () => {
    needPythonTools();
    const world = await startWorld();
    const s = setup(world);
    await release(s);
    const entries = world.sigstore.entries().length;
    const stored = world.pypi.uploads().filter((u) => u.outcome === "stored").length;
    const before = FILES.map((f) => readFileSync(join(s.dist, `${f}.publish.attestation`), "utf8"));
    const again = pluginContext({ cwd: s.project.dir, gitHead: s.project.gitHead, version: VERSION, env: workflowEnv(world.pypi) });
    await pypi.prepare(s.config, again.context);
    await pypi.publish(s.config, again.context);
    assert.equal(world.sigstore.entries().length, entries, "no new signature");
    assert.equal(world.pypi.uploads().filter((u) => u.outcome === "stored").length, stored, "nothing stored twice");
    expect(FILES.map((f) => readFileSync(join(s.dist, `${f}.publish.attestation`), "utf8"))).toEqual(before);
    assert.match(again.output(), /already has its attestation/);
  });

  test("a stale attestation beside a rebuilt dist is replaced, never uploaded", async () => {
    needPythonTools();
    const world = await startWorld();
    const s = setup(world);
    await pypi.prepare(s.config, s.context);
    const wheel = join(s.dist, FILES[0]);
    const good = attestationOf(s.dist, FILES[0]);
    // The attestation of another file (the sdist's) now sits beside the wheel.
    writeFileSync(`${wheel}.publish.attestation`, readFileSync(join(s.dist, `${FILES[1]}.publish.attestation`)));
    const again = pluginContext({ cwd: s.project.dir, gitHead: s.project.gitHead, version: VERSION, env: workflowEnv(world.pypi) });
    await pypi.prepare(s.config, again.context);
    assert.match(again.output(), /did not attest this build \(it attests llenergymeasure_demo-2\.0\.0\.tar\.gz\): signed anew/);
    const fresh = attestationOf(s.dist, FILES[0]);
    assert.notDeepEqual(fresh.envelope, good.envelope);
    const statement = JSON.parse(Buffer.from(fresh.envelope.statement, "base64").toString());
    assert.equal(statement.subject[0].name, FILES[0]);
  });
});

test("GitLab CI: signed with SIGSTORE_ID_TOKEN as the pipeline's CI config, accepted by the index's GitLab publisher", async () => {
  needPythonTools();
  const world = await startProvenanceWorld({ publisher: { repository: "o/r", workflow: ".gitlab-ci.yml" } });
  onCleanup(() => world.close());
  const s = setup(world, { env: { GITLAB_CI: "true", CI_PROJECT_PATH: "o/r", PYPI_ID_TOKEN: world.pypi.gitlabIdToken("o/r", "pypi"), SIGSTORE_ID_TOKEN: world.pypi.gitlabIdToken("o/r", "sigstore") } });
  const result = (await release(s)) as { files: any[] };
  assert.match(s.output(), /as GitLab CI project o\/r \(SIGSTORE_ID_TOKEN\)/);
  const signer = "https://gitlab.com/o/r//.gitlab-ci.yml@refs/heads/main";
  for (const file of world.pypi.files()) {
    assert.equal(file.attestations?.length, 1);
    verifyBundle(fromPep740(file.attestations![0] as Pep740Attestation), world.sigstore.trustedRoot(), { subjectAlternativeName: signer, issuer: "https://gitlab.com" });
  }
  for (const file of result.files) assert.equal(file.attestation.verify, `pypi-attestations verify pypi --repository https://gitlab.com/o/r pypi:${file.filename}`);
});

describe("provenance settings and what each says", () => {
  test("auto without an OIDC identity: one line that says why, unsigned files", async () => {
    needPythonTools();
    const s = setup(await startWorld(), { env: { PYPI_TOKEN: "pypi-unused-token-for-this-test" } });
    await pypi.verifyConditions(s.config, s.context);
    await pypi.prepare(s.config, s.context);
    const lines = s.output().split("\n").filter((l) => l.includes("Provenance"));
    expect(lines).toEqual(["[log] Provenance: off: no OIDC identity to sign with (GitHub Actions: `permissions: id-token: write`; GitLab: an `id_tokens` entry SIGSTORE_ID_TOKEN with `aud: sigstore`)"]);
    assert.ok(!readdirSync(s.dist).some((f) => f.endsWith(".attestation")));
  });

  test("enabled: true without an identity is EPROVENANCE in verifyConditions, before anything is built", async () => {
    const s = setup(await startWorld(), { provenance: { enabled: true }, env: { PYPI_TOKEN: "pypi-unused-token-for-this-test" } });
    const error = await pypi.verifyConditions(s.config, s.context).then(() => undefined, (e) => e);
    const [problem] = errorsOf(error);
    assert.equal(problem.code, "EPROVENANCE");
    assert.match(problem.message, /no OIDC identity/);
    assert.match(problem.details, /id-token: write/);
    assert.match(problem.details, /SIGSTORE_ID_TOKEN/);
    assert.doesNotMatch(problem.stack, STACK_FRAME);
    assert.ok(!existsSync(s.dist), "nothing built");
  });

  test("enabled: true with twine older than 5.1 is EPROVENANCE naming the version", async () => {
    needPythonTools();
    const s = setup(await startWorld(), { python: OLDEST_PYTHON, provenance: { enabled: true } });
    const error = await pypi.verifyConditions(s.config, s.context).then(() => undefined, (e) => e);
    const [problem] = errorsOf(error);
    assert.equal(problem.code, "EPROVENANCE");
    assert.match(problem.message, /twine 4\.0\.2 cannot upload PEP 740 attestations; twine >= 5\.1 can/);
  });

  test("auto with twine older than 5.1: a warning, and an unsigned upload", async () => {
    needPythonTools();
    const own = await startWorld();
    const t = setup(own, { python: OLDEST_PYTHON });
    await release(t);
    assert.match(t.output(), /\[warn\] Provenance: twine 4\.0\.2 cannot upload attestations \(twine 5\.1\.0 or newer can\); the files are uploaded without attestations/);
    assert.equal(own.sigstore.entries().length, 0, "nothing signed");
    expect(own.pypi.files().map((f) => f.attestations)).toEqual([undefined, undefined]);
  });
});

describe("Sigstore failures", () => {
  test("Fulcio 5xx is retried, then the release goes on", async () => {
    needPythonTools();
    const own = await startWorld();
    own.sigstore.injectFault("fulcio", { status: 503, message: "fulcio is overloaded" }, 2);
    const s = setup(own);
    await release(s);
    const fulcio = own.sigstore.requests().filter((r) => r.step === "fulcio").map((r) => r.status);
    expect(fulcio.slice(0, 3)).toEqual([503, 503, 201]);
    assert.equal(own.pypi.files().filter((f) => f.attestations?.length === 1).length, 2);
  });

  test("Fulcio down for good: EPROVENANCE in prepare, before the tag, with what Fulcio said", async () => {
    needPythonTools();
    const own = await startWorld();
    own.sigstore.injectFault("fulcio", { status: 502, message: "bad gateway" }, 10);
    const s = setup(own);
    await pypi.verifyConditions(s.config, s.context);
    const problems = errorsOf(await pypi.prepare(s.config, s.context).then(() => undefined, (e) => e));
    expect(problems.map((p) => p.code)).toEqual(["EPROVENANCE", "EPROVENANCE"]);
    const [problem] = problems;
    assert.match(problems[1].message, /for llenergymeasure_demo-2\.0\.0\.tar\.gz/);
    assert.match(problem.message, /Fulcio \(http:\/\/127\.0\.0\.1:\d+\) gave no signing certificate for llenergymeasure_demo-2\.0\.0-py3-none-any\.whl: .*bad gateway/);
    assert.match(problem.details, /tried 3 time\(s\)/);
    // Both dists ask at once, each 3 times.
    const fulcio = own.sigstore.requests().filter((r) => r.step === "fulcio");
    assert.ok(fulcio.length === 6 && fulcio.every((r) => r.status === 502), JSON.stringify(fulcio));
    assert.equal(own.pypi.uploads().length, 0);
  });

  test("Fulcio and Rekor of another instance than the TUF mirror's: EPROVENANCE in prepare, nothing written", async () => {
    needPythonTools();
    const own = await startWorld();
    const other = await startSigstoreServer({ verifyToken: (jwt) => own.pypi.verifyIdToken(jwt) });
    onCleanup(() => other.close());
    const s = setup(own, { provenance: { fulcioUrl: other.fulcioUrl, rekorUrl: other.rekorUrl } });
    await pypi.verifyConditions(s.config, s.context);
    const [problem] = errorsOf(await pypi.prepare(s.config, s.context).then(() => undefined, (e) => e));
    assert.equal(problem.code, "EPROVENANCE");
    assert.match(problem.message, /The signature of llenergymeasure_demo-2\.0\.0-py3-none-any\.whl does not verify against the trusted root from http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(!readdirSync(s.dist).some((f) => f.endsWith(".attestation")), "no attestation written");
  });

  test("the TUF mirror unreachable: EPROVENANCE says which", async () => {
    needPythonTools();
    const own = await startWorld();
    const s = setup(own, { provenance: { tufMirrorUrl: "http://127.0.0.1:9/" } });
    await pypi.verifyConditions(s.config, s.context);
    const [problem] = errorsOf(await pypi.prepare(s.config, s.context).then(() => undefined, (e) => e));
    assert.equal(problem.code, "EPROVENANCE");
    assert.match(problem.message, /The trusted root of the Sigstore instance could not be read from http:\/\/127\.0\.0\.1:9/);
  });

  test("Rekor refusing the entry: EPROVENANCE, not retried, nothing uploaded", async () => {
    needPythonTools();
    const own = await startWorld();
    own.sigstore.injectFault("rekor", { status: 400, message: "entry rejected by policy" }, 1);
    const s = setup(own);
    await pypi.verifyConditions(s.config, s.context);
    const [problem] = errorsOf(await pypi.prepare(s.config, s.context).then(() => undefined, (e) => e));
    assert.equal(problem.code, "EPROVENANCE");
    assert.match(problem.message, /Rekor \(http:\/\/127\.0\.0\.1:\d+\) did not log the signature of .*entry rejected by policy/);
    // The refused entry is not asked again (a 4xx is final); the other dist's entry was logged, but nothing is written or uploaded.
    expect(own.sigstore.requests().filter((r) => r.step === "rekor").map((r) => r.status).sort()).toEqual([201, 400]);
    assert.ok(!readdirSync(s.dist).some((f) => f.endsWith(".attestation")));
    assert.equal(own.pypi.uploads().length, 0);
  });
});
