import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, test, expect } from "@jest/globals";
import { classifyUpload, twineUpload } from "../../src/pypi/twine.js";
import { sdistBytes, wheelBytes, zipFile } from "../support/archives.js";
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
    const filename = "llenergymeasure_demo-2.0.0-py3-none-any.whl";
    const bytes = wheelBytes(filename, "2.1");
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    const fields = { ":action": "file_upload", protocol_version: "1", metadata_version: "2.1", name: "llenergymeasure-demo", version: "2.0.0", filetype: "bdist_wheel", pyversion: "py3", sha256_digest: sha256 };
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

  /** An upload of `bytes` as `filename`, with the form fields twine sends for it (overridable). */
  async function upload(s: PypiServer, filename: string, bytes: Buffer, overrides: Record<string, string | string[]> = {}) {
    const { body } = await mint(s, await idToken(s));
    const sdist = filename.endsWith(".tar.gz") || filename.endsWith(".zip");
    const fields: Record<string, string | string[]> = {
      ":action": "file_upload",
      protocol_version: "1",
      metadata_version: "2.4",
      name: "llenergymeasure-demo",
      version: "2.0.0",
      filetype: sdist ? "sdist" : "bdist_wheel",
      pyversion: sdist ? "source" : "py3",
      sha256_digest: createHash("sha256").update(bytes).digest("hex"),
      ...overrides,
    };
    const form = new FormData();
    for (const [key, value] of Object.entries(fields)) for (const one of [value].flat()) form.append(key, one);
    form.append("content", new Blob([new Uint8Array(bytes)]), filename);
    const response = await fetch(s.uploadUrl, { method: "POST", body: form, headers: { authorization: basic(body.token) } });
    return { status: response.status, reason: response.statusText };
  }

  const SDIST = "llenergymeasure_demo-2.0.0.tar.gz";
  const WHEEL = "llenergymeasure_demo-2.0.0-py3-none-any.whl";
  const refusals: [string, string, () => Buffer, Record<string, string | string[]>, RegExp][] = [
    ["an sdist name that is not PEP 625 normalized", "llenergymeasure-demo-2.0.0.tar.gz", () => sdistBytes("llenergymeasure-demo-2.0.0"), {}, /^Filename 'llenergymeasure-demo-2\.0\.0\.tar\.gz' is invalid, should be 'llenergymeasure_demo-2\.0\.0\.tar\.gz'\.$/],
    ["a capitalised sdist name", "LLEnergyMeasure_Demo-2.0.0.tar.gz", () => sdistBytes("LLEnergyMeasure_Demo-2.0.0"), {}, /should be 'llenergymeasure_demo-2\.0\.0\.tar\.gz'/],
    ["a .zip sdist (PEP 625: .tar.gz only)", "llenergymeasure_demo-2.0.0.zip", () => zipFile({ "llenergymeasure_demo-2.0.0/PKG-INFO": "Metadata-Version: 2.4\nName: x\nVersion: 1\n", "llenergymeasure_demo-2.0.0/pyproject.toml": "" }), {}, /should be 'llenergymeasure_demo-2\.0\.0\.tar\.gz'/],
    ["a wheel name that is not normalized", "LLEnergyMeasure_Demo-2.0.0-py3-none-any.whl", () => wheelBytes("LLEnergyMeasure_Demo-2.0.0-py3-none-any.whl"), {}, /should contain the normalized project name 'llenergymeasure_demo', not 'LLEnergyMeasure_Demo'/],
    ["a linux_x86_64 wheel", "llenergymeasure_demo-2.0.0-cp311-cp311-linux_x86_64.whl", () => wheelBytes("llenergymeasure_demo-2.0.0-cp311-cp311-linux_x86_64.whl"), {}, /^Binary wheel '.*' has an unsupported platform tag 'linux_x86_64'\.$/],
    ["a linux_aarch64 tag in a compressed tag set", "llenergymeasure_demo-2.0.0-cp311-cp311-manylinux_2_17_aarch64.linux_aarch64.whl", () => wheelBytes("llenergymeasure_demo-2.0.0-cp311-cp311-manylinux_2_17_aarch64.linux_aarch64.whl"), {}, /unsupported platform tag 'linux_aarch64'/],
    ["Metadata-Version 2.6", WHEEL, () => wheelBytes(WHEEL), { metadata_version: "2.6" }, /^'2\.6' is not a valid metadata version\./],
    ["Metadata-Version 2.0", WHEEL, () => wheelBytes(WHEEL), { metadata_version: "2.0" }, /'2\.0' is not a valid metadata version/],
    ["a local version", WHEEL, () => wheelBytes(WHEEL), { version: "2.0.0+g1234" }, /The use of local versions in '2\.0\.0\+g1234' is not allowed/],
    ["a summary over 512 characters", WHEEL, () => wheelBytes(WHEEL), { summary: "x".repeat(513) }, /'summary' field must be 512 characters or less/],
    ["a direct-URL requirement", WHEEL, () => wheelBytes(WHEEL), { requires_dist: ["torch @ https://download.pytorch.org/torch.whl"] }, /Can't have direct dependency/],
    ["License beside License-Expression", WHEEL, () => wheelBytes(WHEEL), { license: "MIT", license_expression: "MIT" }, /Only License-Expression should be present/],
    ["a Dynamic field PyPI does not allow", WHEEL, () => wheelBytes(WHEEL), { dynamic: "Version" }, /Dynamic field 'version' is not a valid dynamic field/],
    ["a wheel without RECORD", WHEEL, () => wheelBytes(WHEEL, "2.4", ["RECORD"]), {}, /does not contain the required RECORD file: llenergymeasure_demo-2\.0\.0\.dist-info\/RECORD/],
    ["a wheel without WHEEL", WHEEL, () => wheelBytes(WHEEL, "2.4", ["WHEEL"]), {}, /^Invalid distribution file\. WHEEL not found at llenergymeasure_demo-2\.0\.0\.dist-info\/WHEEL$/],
    ["an sdist without PKG-INFO", SDIST, () => sdistBytes("llenergymeasure_demo-2.0.0", "2.4", false), {}, /^Invalid distribution file\. PKG-INFO not found at llenergymeasure_demo-2\.0\.0\/PKG-INFO$/],
    ["a wheel that is no zip", WHEEL, () => Buffer.from("not a zip"), {}, /^Invalid distribution file\. File is not a zipfile$/],
    ["an sdist whose pyversion is not source", SDIST, () => sdistBytes("llenergymeasure_demo-2.0.0"), { pyversion: "py3" }, /Use 'source' as Python version for an sdist/],
    ["a wheel without pyversion", WHEEL, () => wheelBytes(WHEEL), { pyversion: "" }, /Python version is required for binary distribution uploads/],
    ["an unknown filetype", WHEEL, () => wheelBytes(WHEEL), { filetype: "bdist_egg" }, /Use a known file type/],
    ["an extension that does not fit the filetype", "llenergymeasure_demo-2.0.0.tar.gz", () => sdistBytes("llenergymeasure_demo-2.0.0"), { filetype: "bdist_wheel" }, /Extension \.tar\.gz is invalid for filetype bdist_wheel/],
  ];
  for (const [name, filename, bytes, fields, reason] of refusals) {
    test(`refuses ${name}, as Warehouse does`, async () => {
      const s = await server();
      const result = await upload(s, filename, bytes(), fields);
      assert.equal(result.status, 400, result.reason);
      assert.match(result.reason, reason);
      expect(s.files()).toEqual([]);
    });
  }

  test("accepts the portable platform tags, a valid sdist, and only one sdist per release", async () => {
    const s = await server();
    for (const tag of ["manylinux_2_17_x86_64", "manylinux2014_x86_64.manylinux_2_17_x86_64", "musllinux_1_2_aarch64", "macosx_11_0_arm64", "win_amd64", "linux_armv7l"]) {
      const filename = `llenergymeasure_demo-2.0.0-cp311-cp311-${tag}.whl`;
      const result = await upload(s, filename, wheelBytes(filename));
      assert.equal(result.status, 200, `${tag}: ${result.reason}`);
    }
    assert.equal((await upload(s, SDIST, sdistBytes("llenergymeasure_demo-2.0.0"))).status, 200);
    const second = await upload(s, "llenergymeasure_demo-2.0.0.zip", Buffer.from("x"));
    assert.equal(second.status, 400);
    assert.match(second.reason, /^Only one sdist may be uploaded per release\.$/);
  });

  test("a file over the project's upload limit is refused: 100 MiB by default", async () => {
    const small = await startPypiServer({ uploadLimitBytes: 1024 * 1024 });
    servers.push(small);
    const refused = await upload(small, WHEEL, zipPadded(WHEEL, 1024 * 1024 + 1));
    assert.equal(refused.status, 400);
    assert.match(refused.reason, /^File too large\. Limit for project 'llenergymeasure-demo' is 1 MB\./);

    const s = await server();
    const overDefault = zipPadded(WHEEL, 100 * 1024 * 1024 + 1);
    const result = await upload(s, WHEEL, overDefault);
    assert.equal(result.status, 400);
    assert.match(result.reason, /^File too large\. Limit for project 'llenergymeasure-demo' is 100 MB\./);
    const atLimit = await upload(s, WHEEL, zipPadded(WHEEL, 100 * 1024 * 1024));
    assert.equal(atLimit.status, 200, atLimit.reason);
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

/** A valid wheel of exactly `size` bytes: a stored padding member fills it up. */
function zipPadded(filename: string, size: number): Buffer {
  const empty = wheelBytes(filename);
  // Each extra member costs its data plus 30 + 46 bytes of headers and twice its name.
  const name = "pad.bin";
  const padding = size - empty.length - 30 - 46 - 2 * name.length;
  const [project, version] = filename.split("-");
  const distInfo = `${project}-${version}.dist-info`;
  return zipFile({
    [`${project.toLowerCase()}/__init__.py`]: "",
    [`${distInfo}/METADATA`]: `Metadata-Version: 2.4\nName: ${project}\nVersion: ${version}\n`,
    [`${distInfo}/WHEEL`]: "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    [`${distInfo}/RECORD`]: "",
    [name]: Buffer.alloc(padding),
  });
}
