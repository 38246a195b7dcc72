import assert from "node:assert/strict";
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { startSigstoreServer, type SigstoreServer } from "../support/sigstore-server.js";
import { verifyBundle } from "../support/provenance.js";

/**
 * The loopback Sigstore refuses what Fulcio and Rekor refuse (see the rules cited in
 * test/support/sigstore-server.ts), and what it accepts verifies against its trusted root.
 */
let pypi: PypiServer;
let sigstore: SigstoreServer;
beforeAll(async () => {
  pypi = await startPypiServer();
  sigstore = await startSigstoreServer({ verifyToken: (jwt) => pypi.verifyIdToken(jwt) });
});
afterAll(async () => {
  await sigstore?.close();
  await pypi?.close();
});

const idToken = async (audience: string) => {
  const response = await fetch(`${pypi.idTokenRequestUrl}&audience=${audience}`, { headers: { authorization: `bearer ${pypi.requestToken}` } });
  return ((await response.json()) as { value: string }).value;
};
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8"));

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

async function askFulcio(token: string, keys = keyPair(), proofOf?: string) {
  const proof = sign("sha256", Buffer.from(proofOf ?? claimsOf(token).sub), keys.privateKey).toString("base64");
  const response = await fetch(`${sigstore.fulcioUrl}/api/v2/signingCert`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ credentials: { oidcIdentityToken: token }, publicKeyRequest: { publicKey: { algorithm: "ECDSA", content: keys.publicKey }, proofOfPossession: proof } }),
  });
  return { status: response.status, json: (await response.json()) as any };
}

describe("Fulcio", () => {
  test("issues a certificate whose SAN is the workflow", async () => {
    const answer = await askFulcio(await idToken("sigstore"));
    assert.equal(answer.status, 201);
    assert.equal(answer.json.signedCertificateEmbeddedSct.chain.certificates.length, 2);
    expect(sigstore.certificates().at(-1)).toEqual({ subjectAlternativeName: "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main", issuer: "https://token.actions.githubusercontent.com" });
  });

  test.each([
    ["a token for another audience (PyPI's)", async () => askFulcio(await idToken("pypi")), /expected audience "sigstore"/],
    ["a forged token", async () => {
      const [head, , signature] = (await idToken("sigstore")).split(".");
      const body = Buffer.from(JSON.stringify({ ...claimsOf(await idToken("sigstore")), repository: "evil/r" })).toString("base64url");
      return askFulcio(`${head}.${body}.${signature}`);
    }, /error processing the identity token/],
    ["a proof of possession over another subject", async () => askFulcio(await idToken("sigstore"), keyPair(), "repo:evil/r:ref:refs/heads/main"), /signature supplied in the request could not be verified/],
  ])("refuses %s", async (_name, ask, message) => {
    const answer = await ask();
    assert.equal(answer.status, 400);
    assert.match(answer.json.message, message);
  });

  test("refuses a GitLab token without the claims Fulcio requires", async () => {
    const token = pypi.gitlabIdToken("g/p", "sigstore", { runner_id: 0 });
    const answer = await askFulcio(token);
    assert.equal(answer.status, 400);
    assert.equal(answer.json.message, "missing runner_id claim in ID token");
  });
});

describe("Rekor", () => {
  async function proposal(keys = keyPair(), tamper = false) {
    const cert = (await askFulcio(await idToken("sigstore"), keys)).json.signedCertificateEmbeddedSct.chain.certificates[0] as string;
    const payload = Buffer.from(JSON.stringify({ _type: "https://in-toto.io/Statement/v1" }));
    const type = "application/vnd.in-toto+json";
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${type} ${payload.length} `), payload]);
    const sig = sign("sha256", pae, keys.privateKey).toString("base64");
    const envelope = JSON.stringify({ payload: (tamper ? Buffer.from("{}") : payload).toString("base64"), payloadType: type, signatures: [{ sig, keyid: "" }] });
    return { apiVersion: "0.0.1", kind: "dsse", spec: { proposedContent: { envelope, verifiers: [Buffer.from(cert).toString("base64")] } } };
  }
  const post = async (body: unknown) => {
    const response = await fetch(`${sigstore.rekorUrl}/api/v1/log/entries`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as any };
  };

  test("logs the canonical entry, and refuses the same entry again with 409", async () => {
    const body = await proposal();
    const first = await post(body);
    assert.equal(first.status, 201);
    const [entry] = Object.values(first.json) as any[];
    const logged = JSON.parse(Buffer.from(entry.body, "base64").toString("utf8"));
    assert.equal(logged.spec.proposedContent, undefined, "the proposed form is not what is logged");
    assert.equal(logged.spec.envelopeHash.value, createHash("sha256").update(body.spec.proposedContent.envelope).digest("hex"));
    assert.ok(entry.verification.inclusionProof.hashes.length > 0, "a real inclusion path");
    const again = await post(body);
    assert.equal(again.status, 409);
  });

  test("refuses an envelope whose signature does not verify with the proposed verifier", async () => {
    const answer = await post(await proposal(keyPair(), true));
    assert.equal(answer.status, 400);
    assert.match(answer.json.message, /all signatures must have a key that verifies it/);
  });

  test("refuses other entry kinds", async () => {
    const answer = await post({ apiVersion: "0.0.1", kind: "hashedrekord", spec: {} });
    assert.equal(answer.status, 400);
  });
});

test("a bundle made against the stand-in verifies with its trusted root, and not with another's", async () => {
  const { attest } = await import("sigstore");
  const bundle = await attest(Buffer.from("{}"), "application/vnd.in-toto+json", { fulcioURL: sigstore.fulcioUrl, rekorURL: sigstore.rekorUrl, identityToken: await idToken("sigstore") });
  assert.equal(verifyBundle(bundle, sigstore.trustedRoot()).identity?.subjectAlternativeName, "https://github.com/o/r/.github/workflows/release.yml@refs/heads/main");
  const stranger = await startSigstoreServer({ verifyToken: () => undefined });
  try {
    assert.throws(() => verifyBundle(bundle, stranger.trustedRoot()));
  } finally {
    await stranger.close();
  }
});
