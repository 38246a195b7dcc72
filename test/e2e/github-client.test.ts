import { test, expect } from "@jest/globals";
import { onCleanup } from "../support/cleanup.js";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer, request as httpRequest } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { GitHubClient } from "../../src/github/client.js";
import { startGitHubServer, type GitHubServer } from "../support/github-server.js";

/** src/github/client.ts against the loopback GitHub stand-in, faults included. */

async function setup(token?: string) {
  const server = await startGitHubServer({ token: "ghs_client_test_token_1" });
  onCleanup(() => server.close());
  const client = new GitHubClient({ token: token ?? server.token, owner: "o", repo: "r", apiUrl: server.url, attempts: 4, retryDelayMs: 5, timeoutMs: 300 });
  return { server, client };
}

const routesOf = (server: GitHubServer) => server.requests().map((r) => `${r.method} ${r.path} ${r.status}`);

test("findReleaseByTag finds a draft by listing (GitHub hides drafts by tag) and a published release directly", async () => {
  const { server, client } = await setup();
  const draft = server.addRelease({ tag_name: "v2.0.0", draft: true, body: "draft notes" });
  const published = server.addRelease({ tag_name: "v1.0.0", body: "curated" });

  const foundDraft = await client.findReleaseByTag("v2.0.0");
  expect([foundDraft?.id, foundDraft?.draft, foundDraft?.body]).toEqual([draft.id, true, "draft notes"]);
  expect(routesOf(server)).toEqual(["GET /repos/o/r/releases/tags/v2.0.0 404", "GET /repos/o/r/releases 200"]);

  server.clearRequests();
  const foundPublished = await client.findReleaseByTag("v1.0.0");
  expect([foundPublished?.id, foundPublished?.body]).toEqual([published.id, "curated"]);
  assert.equal(server.requests().length, 1);

  assert.equal(await client.findReleaseByTag("v9.9.9"), null);
});

test("findReleaseByTag follows pagination past 100 releases", async () => {
  const { server, client } = await setup();
  const oldest = server.addRelease({ tag_name: "v0.0.1", draft: true });
  for (let i = 0; i < 130; i++) server.addRelease({ tag_name: `v1.${i}.0` });
  assert.equal((await client.findReleaseByTag("v0.0.1"))?.id, oldest.id);
  expect(server.requests().map((r) => r.query.page ?? "1")).toEqual(["1", "1", "2"]);
});

test("createRelease, getRelease and updateRelease: a body update leaves the draft a draft", async () => {
  const { server, client } = await setup();
  const created = await client.createRelease({ tag_name: "v1.1.0", name: "v1.1.0", body: "notes", draft: true });
  const updated = await client.updateRelease(created.id, { body: "notes\n\nartifacts" });
  assert.equal(updated.draft, true);
  assert.equal(server.release(created.id)?.body, "notes\n\nartifacts");
  assert.equal(server.release(created.id)?.draft, true);
  assert.equal((await client.getRelease(created.id))?.body, "notes\n\nartifacts");
  assert.equal(await client.getRelease(424242), null);
  await assert.rejects(client.createRelease({ tag_name: "v1.1.0" }), (e: any) => e.code === "EGITHUBAPI" && /already_exists/.test(e.details) && /HTTP 422/.test(e.message));
});

test("findMilestone reads open and closed milestones by exact title, across pages", async () => {
  const { server, client } = await setup();
  for (let i = 0; i < 105; i++) server.addMilestone({ title: `sprint-${i}`, state: "closed" });
  server.addMilestone({ title: "v2.1.0", open_issues: 2, closed_issues: 3 });
  server.addMilestone({ title: "v2.0.0", state: "closed", closed_issues: 7 });

  const open = await client.findMilestone("v2.1.0");
  expect([open?.state, open?.open_issues, open?.closed_issues]).toEqual(["open", 2, 3]);
  server.closeMilestone("v2.1.0");
  expect([(await client.findMilestone("v2.1.0"))?.state, (await client.findMilestone("v2.1.0"))?.open_issues]).toEqual(["closed", 0]);
  assert.equal((await client.findMilestone("v2.0.0"))?.state, "closed");
  assert.equal(await client.findMilestone("v2.1"), null);
  assert.ok(server.requests().every((r) => r.query.state === "all"));
});

test("5xx answers, reset connections and slow answers are retried until one succeeds", async () => {
  const { server, client } = await setup();
  server.addMilestone({ title: "v3.0.0" });
  server.injectFault("GET /repos/{owner}/{repo}/milestones", { status: 502 });
  server.injectFault("GET /repos/{owner}/{repo}/milestones", { reset: true });
  server.injectFault("GET /repos/{owner}/{repo}/milestones", { delayMs: 2000 });

  assert.equal((await client.findMilestone("v3.0.0"))?.title, "v3.0.0");
  expect(server.requests().map((r) => r.fault ?? "none")).toEqual(["status 502", "reset", "delay 2000ms", "none"]);
});

test("a persistent server error becomes EGITHUBAPI after the last retry", async () => {
  const { server, client } = await setup();
  server.injectFault("*", { status: 503, message: "Service Unavailable" }, 10);
  await assert.rejects(client.findMilestone("v1.0.0"), (error: any) => {
    assert.equal(error.code, "EGITHUBAPI");
    assert.match(error.message, /read the milestone v1\.0\.0 \(HTTP 503\)/);
    assert.match(error.details, /Service Unavailable/);
    return true;
  });
  assert.equal(server.requests().length, 4, "one attempt and three retries");
});

test("a wrong token fails at once with EGITHUBAPI (HTTP 401), never retried, never echoed", async () => {
  const { server, client } = await setup("ghs_wrong_token_secret_9");
  await assert.rejects(client.getRelease(1), (error: any) => {
    assert.equal(error.code, "EGITHUBAPI");
    assert.match(error.message, /HTTP 401/);
    assert.match(error.details, /Bad credentials/);
    assert.ok(!`${error.message}${error.details}`.includes("ghs_wrong_token_secret_9"));
    return true;
  });
  expect(server.requests().map((r) => [r.auth, r.status])).toEqual([["invalid", 401]]);
});

test("an unreachable API becomes EGITHUBAPI naming the network error", async () => {
  const server = await startGitHubServer();
  const url = server.url;
  await server.close();
  const client = new GitHubClient({ token: "ghs_whatever_token", owner: "o", repo: "r", apiUrl: url, attempts: 2, retryDelayMs: 1 });
  await assert.rejects(client.getRelease(1), (error: any) => error.code === "EGITHUBAPI" && /ECONNREFUSED/.test(error.details));
});

test("with a proxy (the `proxy` option or HTTP_PROXY), every request goes through it", async () => {
  const server = await startGitHubServer();
  onCleanup(() => server.close());
  const seen: string[] = [];
  // A loopback forward proxy: CONNECT tunnels (what undici's ProxyAgent opens) and absolute-form requests.
  const proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on("connect", (req, client, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(":");
    const upstream = connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  onCleanup(() => new Promise((resolve) => (proxy.closeAllConnections(), proxy.close(resolve))));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  server.addRelease({ tag_name: "v1.0.0", draft: true });
  const client = new GitHubClient({ token: server.token, owner: "o", repo: "r", apiUrl: server.url, proxy: proxyUrl, attempts: 1 });
  assert.equal((await client.findReleaseByTag("v1.0.0"))?.tag_name, "v1.0.0");
  assert.ok(seen.length >= 1, "the proxy saw the requests");
  assert.ok(seen.every((line) => line.includes(new URL(server.url).host)), seen.join("\n"));
  expect(server.requests().map((r) => r.status)).toEqual([404, 200]);
});

test("release assets: upload through upload_url, list with GitHub's digest, download through the storage redirect, delete", async () => {
  const { server, client } = await setup();
  const release = await client.createRelease({ tag_name: "v2.0.0", draft: true });
  const bytes = Buffer.from("wheel bytes \x00\x01\x02");
  const uploaded = await client.uploadAsset(release, "demo-2.0.0-py3-none-any.whl", bytes, "application/zip");
  expect([uploaded.name, uploaded.size, uploaded.state, uploaded.content_type]).toEqual(["demo-2.0.0-py3-none-any.whl", bytes.length, "uploaded", "application/zip"]);
  assert.equal(uploaded.digest, `sha256:${createHash("sha256").update(bytes).digest("hex")}`);
  expect((await client.listAssets(release.id)).map((a) => a.name)).toEqual(["demo-2.0.0-py3-none-any.whl"]);

  server.clearRequests();
  expect(await client.downloadAsset(uploaded)).toEqual(bytes);
  const [api, storage] = server.requests();
  expect([api.route, api.status, storage.route, storage.status]).toEqual(["GET /repos/{owner}/{repo}/releases/assets/{asset_id}", 302, "GET asset storage", 200]);
  assert.equal(storage.auth, "none", "the token is not sent to the storage origin");

  await assert.rejects(client.uploadAsset(release, "demo-2.0.0-py3-none-any.whl", bytes), (e: any) => e.code === "EGITHUBAPI" && /already_exists/.test(e.details) && /HTTP 422/.test(e.message));
  await client.deleteAsset(uploaded);
  expect(await client.listAssets(release.id)).toEqual([]);
  await assert.rejects(client.downloadAsset(uploaded), (e: any) => e.code === "EGITHUBAPI" && /HTTP 404/.test(e.message));
});

test("the stand-in validates uploads like GitHub: Content-Type and Content-Length required; storage refuses a forwarded token", async () => {
  const { server, client } = await setup();
  const release = await client.createRelease({ tag_name: "v2.0.0", draft: true });
  const upload = `${server.url}/uploads/repos/o/r/releases/${release.id}/assets?name=a.txt`;
  const auth = { authorization: `Bearer ${server.token}`, "user-agent": "test" };
  const noType = await fetch(upload, { method: "POST", headers: auth, body: new Uint8Array([1, 2, 3]) });
  assert.equal(noType.status, 422);
  assert.match(await noType.text(), /content_type/);
  assert.equal((await fetch(upload, { method: "POST", headers: { ...auth, "content-type": "text/plain" }, body: new Uint8Array([1, 2, 3]) })).status, 201);

  const [asset] = await client.listAssets(release.id);
  const redirect = await fetch(`${server.url}/repos/o/r/releases/assets/${asset.id}`, { headers: { ...auth, accept: "application/octet-stream" }, redirect: "manual" });
  assert.equal(redirect.status, 302);
  const location = redirect.headers.get("location")!;
  assert.equal((await fetch(location, { headers: auth })).status, 400, "a presigned URL refuses a second credential");
  assert.equal((await fetch(location.replace(/signature=\w+/, "signature=0"))).status, 403);
  expect(Buffer.from(await (await fetch(location)).arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
});

test("an upload that fails upstream (502) leaves a `starter` asset, retried uploads then meet already_exists", async () => {
  const { server, client } = await setup();
  const release = await client.createRelease({ tag_name: "v2.0.0", draft: true });
  server.injectFault("POST /uploads/repos/{owner}/{repo}/releases/{release_id}/assets", { status: 502 });
  await assert.rejects(client.uploadAsset(release, "x.tar.gz", Buffer.from("x")), (e: any) => e.code === "EGITHUBAPI" && /already_exists/.test(e.details));
  const [starter] = await client.listAssets(release.id);
  expect([starter.name, starter.state, starter.size, starter.digest]).toEqual(["x.tar.gz", "starter", 0, null]);
});

test("canWriteReleases: true with contents: write, false for a read-only token; nothing is stored", async () => {
  const { server, client } = await setup();
  assert.equal(await client.canWriteReleases("v9.9.9", "main"), true);
  const readOnly = await startGitHubServer({ push: false });
  onCleanup(() => readOnly.close());
  const reader = new GitHubClient({ token: readOnly.token, owner: "o", repo: "r", apiUrl: readOnly.url, attempts: 1 });
  assert.equal(await reader.canWriteReleases("v9.9.9", "main"), false);
  expect([server.releases(), readOnly.releases()]).toEqual([[], []]);
});
