import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, test, expect } from "@jest/globals";
import { classifyUpload, twineUpload } from "../../src/pypi/twine.js";
import { EXAMPLE_DIR } from "../support/repo.js";
import { startPypiServer, type PypiServer } from "../support/pypi-server.js";
import { needPythonTools, CURRENT_PYTHON } from "../support/tools.js";
import { execFileSync } from "node:child_process";

/** The stand-in must refuse what PyPI refuses; otherwise the plugin tests prove nothing. */
const servers: PypiServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
});

async function server() {
  const s = await startPypiServer();
  servers.push(s);
  return s;
}

async function idToken(s: PypiServer, audience = "pypi") {
  const response = await fetch(`${s.idTokenRequestUrl}&audience=${audience}`, { headers: { authorization: `bearer ${s.requestToken}` } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { value: string }).value;
}

async function mint(s: PypiServer, token: string) {
  const response = await fetch(`${s.url}/_/oidc/mint-token`, { method: "POST", body: JSON.stringify({ token }), headers: { "content-type": "application/json" } });
  return { status: response.status, body: (await response.json()) as any };
}

function uploadForm(fields: Record<string, string>, filename: string, bytes: Buffer) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append("content", new Blob([new Uint8Array(bytes)]), filename);
  return form;
}

const basic = (token: string) => `Basic ${Buffer.from(`__token__:${token}`).toString("base64")}`;

describe("the PyPI stand-in validates like PyPI", () => {
  test("the ID-token endpoint needs the bearer request token; PyPI announces its audience", async () => {
    const s = await server();
    assert.equal((await fetch(`${s.idTokenRequestUrl}&audience=pypi`)).status, 401);
    assert.equal((await fetch(`${s.idTokenRequestUrl}&audience=pypi`, { headers: { authorization: "bearer wrong" } })).status, 401);
    expect(await (await fetch(`${s.url}/_/oidc/audience`)).json()).toEqual({ audience: "pypi" });
  });

  test("mint-token: JWTs are single use and must carry PyPI's audience", async () => {
    const s = await server();
    const jwt = await idToken(s);
    const first = await mint(s, jwt);
    assert.equal(first.status, 200);
    assert.equal(first.body.success, true);
    assert.match(first.body.token, /^pypi-/);
    const again = await mint(s, jwt);
    assert.equal(again.status, 422);
    assert.equal(again.body.errors[0].code, "invalid-reuse-token");
    const wrongAudience = await mint(s, await idToken(s, "sigstore"));
    assert.equal(wrongAudience.body.errors[0].code, "invalid-token");
    const forged = jwt.slice(0, -4) + "AAAA";
    assert.equal((await mint(s, forged)).body.errors[0].code, "invalid-token");
    const noToken = await fetch(`${s.url}/_/oidc/mint-token`, { method: "POST", body: "{}" });
    assert.equal(((await noToken.json()) as any).errors[0].code, "invalid-payload");
  });

  test("legacy upload: credentials, protocol fields and digests are checked; a name is never reused", async () => {
    const s = await server();
    const { body } = await mint(s, await idToken(s));
    const bytes = Buffer.from("not really a wheel, but bytes");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const fields = { ":action": "file_upload", protocol_version: "1", metadata_version: "2.1", name: "llenergymeasure-demo", version: "2.0.0", filetype: "bdist_wheel", pyversion: "py3", sha256_digest: sha256 };
    const filename = "llenergymeasure_demo-2.0.0-py3-none-any.whl";
    const post = (form: FormData, token: string | null = body.token) =>
      fetch(s.uploadUrl, { method: "POST", body: form, headers: token ? { authorization: basic(token) } : {} });

    assert.equal((await post(uploadForm(fields, filename, bytes), null)).status, 403);
    assert.equal((await post(uploadForm(fields, filename, bytes), "pypi-not-minted-here")).status, 403);
    const badDigest = await post(uploadForm({ ...fields, sha256_digest: "0".repeat(64) }, filename, bytes));
    assert.equal(badDigest.status, 400);
    assert.match(badDigest.statusText, /digest supplied does not match/);
    assert.equal((await post(uploadForm({ ...fields, protocol_version: "2" }, filename, bytes))).status, 400);
    assert.equal((await post(uploadForm({ ...fields, name: "someone-else" }, "someone_else-2.0.0-py3-none-any.whl", bytes))).status, 403);
    assert.equal((await post(uploadForm(fields, "llenergymeasure_demo-2.0.1-py3-none-any.whl", bytes))).status, 400);
    assert.equal(s.files().length, 0, "nothing stored from refused uploads");

    assert.equal((await post(uploadForm(fields, filename, bytes))).status, 200);
    assert.equal((await post(uploadForm(fields, filename, bytes))).status, 200, "the identical file again is accepted (warehouse answers 200)");
    const other = Buffer.from("other bytes");
    const clash = await post(uploadForm({ ...fields, sha256_digest: createHash("sha256").update(other).digest("hex") }, filename, other));
    assert.equal(clash.status, 400);
    assert.match(clash.statusText, /^File already exists \('llenergymeasure_demo-2\.0\.0-py3-none-any\.whl'/);
    assert.equal(s.files().length, 1);

    const json = (await (await fetch(`${s.indexUrl}pypi/LLEnergyMeasure_Demo/2.0.0/json`)).json()) as any;
    expect(json.urls.map((u: any) => [u.filename, u.digests.sha256, u.size, u.packagetype])).toEqual([[filename, sha256, bytes.length, "bdist_wheel"]]);
    assert.equal((await fetch(`${s.indexUrl}pypi/llenergymeasure-demo/9.9.9/json`)).status, 404);
  });

  test("real twine 4 against a clash and a bad token: the plugin reads its output right", async () => {
    if (!needPythonTools()) return;
    const s = await server();
    const root = mkdtempSync(join(tmpdir(), "pyrelease-twine-"));
    try {
      cpSync(EXAMPLE_DIR, join(root, "p"), { recursive: true });
      execFileSync(CURRENT_PYTHON, ["-m", "build", "--no-isolation", "--skip-dependency-check", "--wheel", "--outdir", join(root, "out"), join(root, "p")], { stdio: "ignore" });
      const wheel = join(root, "out", "llenergymeasure_demo-2.0.0-py3-none-any.whl");
      s.addFile("llenergymeasure_demo-2.0.0-py3-none-any.whl", Buffer.from("published earlier"), "llenergymeasure-demo", "2.0.0");
      const { body } = await mint(s, await idToken(s));
      const request = { python: CURRENT_PYTHON, cwd: root, repositoryUrl: s.uploadUrl, paths: [wheel], timeoutMs: 60_000 };
      const clash = await twineUpload({ ...request, token: body.token });
      assert.equal(clash.outcome.kind, "exists", clash.output);
      assert.match((clash.outcome as { reason: string }).reason, /^File already exists \('llenergymeasure_demo-2\.0\.0-py3-none-any\.whl', with sha256 hash '[0-9a-f]{64}'\)\. See .*file-name-reuse/);
      const denied = await twineUpload({ ...request, token: "pypi-made-up-token-value" });
      assert.equal(denied.outcome.kind, "auth", denied.output);
      assert.ok(!denied.output.includes("pypi-made-up-token-value"), "the token is masked out of twine's output");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("classifyUpload reads twine's own phrases", () => {
    expect(classifyUpload("", 0, false)).toEqual({ kind: "uploaded" });
    assert.equal(classifyUpload("", 1, true, 8000).kind, "retryable");
    expect(classifyUpload("ERROR    HTTPError: 503 Service Unavailable from https://x/legacy/\n         Service Unavailable", 1, false)).toEqual({ kind: "retryable", status: 503, reason: "Service Unavailable" });
    assert.equal(classifyUpload("requests.exceptions.ConnectionError: ('Connection aborted.', RemoteDisconnected('x'))", 1, false).kind, "retryable");
    assert.equal(classifyUpload("ERROR    HTTPError: 400 Bad Request from u\n         Invalid value for version.", 1, false).kind, "fatal");
    assert.equal(classifyUpload("ERROR    InvalidDistribution: Cannot find file (or expand pattern): 'x'", 1, false).kind, "fatal");
  });
});
