import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { authFileEntry, credentialsFromEnv, envPrefix, ghcrCredentials, helperCredentials, resolveCredentials, type CredentialDeps } from "../../src/images/credentials.js";
import { imageIndex, parsePlatform, platformDigests, platformText } from "../../src/images/platforms.js";
import type { ImagePlan } from "../../src/images/plan.js";
import { referrersTag } from "../../src/images/registry.js";
import { inPlanOrder, isReleaseImage, labelSource } from "../../src/images/released.js";
import { grantedActions, mergeScopes, parseChallenge, repositoryScope } from "../../src/images/registry-auth.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

test("challenges: Bearer with realm, service and scope; Basic; quoted commas and escapes", () => {
  expect(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"')).toEqual({
    scheme: "bearer",
    params: { realm: "https://auth.docker.io/token", service: "registry.docker.io", scope: "repository:samalba/my-app:pull,push" },
  });
  expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: "basic", params: { realm: "Registry Realm" } });
  expect(parseChallenge('bearer realm="http://127.0.0.1:1/token",error="insufficient_scope"').params.error).toEqual("insufficient_scope");
  expect(parseChallenge('Bearer realm="a\\"b"').params.realm).toEqual('a"b');
  expect(parseChallenge("Negotiate").scheme).toEqual("other");
  expect(parseChallenge("")).toEqual({ scheme: "other", params: {} });
});

test("scopes: the challenge's and ours, one per resource with actions merged", () => {
  assert.equal(repositoryScope("ns/pytorch", ["pull", "push"]), "repository:ns/pytorch:pull,push");
  expect(mergeScopes(["repository:ns/a:pull"], ["repository:ns/a:push", "repository:ns/b:pull"])).toEqual(["repository:ns/a:pull,push", "repository:ns/b:pull"]);
  // the challenge's scope parameter is space-separated (token spec, "scope")
  expect(mergeScopes(["repository:ns/a:push repository:ns/base:pull"], [undefined])).toEqual(["repository:ns/a:push", "repository:ns/base:pull"]);
  expect(mergeScopes([undefined], ["nonsense"])).toEqual([]);
});

test("granted actions: read from a JWT's access claim; opaque tokens say nothing", () => {
  const jwt = (claims: unknown) => `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
  const token = jwt({ access: [{ type: "repository", name: "ns/a", actions: ["pull"] }, { type: "repository", name: "ns/b", actions: ["pull", "push"] }] });
  expect(grantedActions(token, "ns/a")).toEqual(["pull"]);
  expect(grantedActions(token, "ns/b")).toEqual(["pull", "push"]);
  expect(grantedActions(token, "ns/c")).toEqual([]);
  assert.equal(grantedActions("djE6b3BhcXVl", "ns/a"), undefined);
  assert.equal(grantedActions(jwt({ sub: "x" }), "ns/a"), undefined);
});

test("credentials from the environment: per-host variables first, then Docker Hub's", () => {
  assert.equal(envPrefix("ghcr.io"), "PYRELEASE_REGISTRY_GHCR_IO");
  assert.equal(envPrefix("127.0.0.1:5000"), "PYRELEASE_REGISTRY_127_0_0_1_5000");
  assert.equal(envPrefix("registry.example.com"), "PYRELEASE_REGISTRY_REGISTRY_EXAMPLE_COM");
  const env = { PYRELEASE_REGISTRY_QUAY_IO_USERNAME: "bot", PYRELEASE_REGISTRY_QUAY_IO_PASSWORD: "pw-quay", DOCKERHUB_USERNAME: "hub", DOCKERHUB_TOKEN: "dckr_pat_x" };
  expect(credentialsFromEnv("quay.io", env)?.credentials).toEqual({ username: "bot", password: "pw-quay" });
  expect(credentialsFromEnv("docker.io", env)).toEqual({ credentials: { username: "hub", password: "dckr_pat_x" }, source: { kind: "env", description: "DOCKERHUB_USERNAME/DOCKERHUB_TOKEN" } });
  expect(credentialsFromEnv("docker.io", { ...env, PYRELEASE_REGISTRY_DOCKER_IO_USERNAME: "a", PYRELEASE_REGISTRY_DOCKER_IO_PASSWORD: "b" })?.credentials).toEqual({ username: "a", password: "b" });
  assert.equal(credentialsFromEnv("quay.io", { PYRELEASE_REGISTRY_QUAY_IO_USERNAME: "bot" }), undefined, "a username alone is not a login");
  assert.equal(credentialsFromEnv("ghcr.io", env), undefined);
});

test("ghcr.io: the job's GITHUB_TOKEN as GITHUB_ACTOR", () => {
  expect(ghcrCredentials({ GITHUB_TOKEN: "ghs_abc", GITHUB_ACTOR: "octocat" })?.credentials).toEqual({ username: "octocat", password: "ghs_abc" });
  expect(ghcrCredentials({ GH_TOKEN: "ghp_x", GITHUB_REPOSITORY_OWNER: "org" })?.source.description).toEqual("GH_TOKEN as GITHUB_REPOSITORY_OWNER (org)");
  assert.equal(ghcrCredentials({ GITHUB_ACTOR: "octocat" }), undefined);
});

test("auth files: a credHelpers entry, then credsStore, then the stored auth (docker's order)", () => {
  const file = JSON.stringify({
    auths: { "ghcr.io": { auth: b64("u:p") }, "https://index.docker.io/v1/": {} },
    credHelpers: { "123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login" },
  });
  expect(authFileEntry(file, "123.dkr.ecr.us-east-1.amazonaws.com")).toEqual({ helper: "ecr-login", via: "credHelpers", serverUrl: "123.dkr.ecr.us-east-1.amazonaws.com" });
  expect(authFileEntry(file, "ghcr.io")).toEqual({ credentials: { username: "u", password: "p" }, key: "ghcr.io" });
  assert.equal(authFileEntry(file, "docker.io"), undefined, "an empty auths entry holds nothing");
  const store = JSON.stringify({ auths: { "ghcr.io": { auth: b64("stale:pw") } }, credsStore: "desktop" });
  expect(authFileEntry(store, "ghcr.io")).toEqual({ helper: "desktop", via: "credsStore", serverUrl: "ghcr.io" });
  expect(authFileEntry(store, "docker.io")).toEqual({ helper: "desktop", via: "credsStore", serverUrl: "https://index.docker.io/v1/" });
  expect(authFileEntry(JSON.stringify({ auths: { "http://127.0.0.1:5000": { auth: b64("a:b") } } }), "127.0.0.1:5000")).toEqual({ credentials: { username: "a", password: "b" }, key: "http://127.0.0.1:5000" });
  assert.equal(authFileEntry("null", "ghcr.io"), undefined);
});

test("credential helper answers (docker-credential-helpers protocol)", () => {
  expect(helperCredentials('{"ServerURL":"ghcr.io","Username":"bot","Secret":"s3cret"}')).toEqual({ username: "bot", password: "s3cret" });
  assert.equal(helperCredentials('{"ServerURL":"x","Username":"<token>","Secret":"refresh"}'), undefined, "identity tokens need OAuth2");
  assert.equal(helperCredentials("credentials not found in native keychain"), undefined);
});

test("resolution order: environment, auth files (helpers included), GITHUB_TOKEN for ghcr.io, anonymous", async () => {
  const files: Record<string, string> = {
    "/run/auth.json": JSON.stringify({ credHelpers: { "quay.io": "pass", "ghcr.io": "broken" } }),
    "/home/u/.docker/config.json": JSON.stringify({ auths: { "registry.example.com": { auth: b64("file-user:file-pw") } } }),
  };
  const helperCalls: { helper: string; serverUrl: string }[] = [];
  const deps: CredentialDeps = {
    readFile: async (file) => files[file],
    runHelper: async (helper, serverUrl) => {
      helperCalls.push({ helper, serverUrl });
      return helper === "pass" ? { stdout: JSON.stringify({ ServerURL: serverUrl, Username: "helper-user", Secret: "helper-pw" }) } : { error: "exec: not found" };
    },
  };
  const env = { REGISTRY_AUTH_FILE: "/run/auth.json", HOME: "/home/u", GITHUB_TOKEN: "ghs_token", GITHUB_ACTOR: "octocat", PYRELEASE_REGISTRY_EXPLICIT_IO_USERNAME: "e", PYRELEASE_REGISTRY_EXPLICIT_IO_PASSWORD: "pw-e" };

  const quay = await resolveCredentials("quay.io", env, deps);
  expect(quay.credentials).toEqual({ username: "helper-user", password: "helper-pw" });
  assert.equal(quay.source.kind, "helper");
  assert.match(quay.source.description, /docker-credential-pass \(credHelpers in \/run\/auth\.json\)/);
  expect(helperCalls).toEqual([{ helper: "pass", serverUrl: "quay.io" }]);

  const file = await resolveCredentials("registry.example.com", env, deps);
  expect(file.credentials).toEqual({ username: "file-user", password: "file-pw" });
  assert.equal(file.source.kind, "file");

  // A helper that fails is noted; ghcr.io still falls back to the job's token.
  const ghcr = await resolveCredentials("ghcr.io", env, deps);
  expect(ghcr.credentials).toEqual({ username: "octocat", password: "ghs_token" });
  assert.match(ghcr.notes.join("\n"), /docker-credential-broken .*exec: not found/);

  assert.equal((await resolveCredentials("explicit.io", env, deps)).credentials?.username, "e");
  const none = await resolveCredentials("nowhere.io", env, deps);
  assert.equal(none.credentials, undefined);
  assert.equal(none.source.kind, "none");
  // no secret in any description
  for (const resolved of [quay, file, ghcr, none]) assert.doesNotMatch(JSON.stringify(resolved.source) + resolved.notes.join(""), /pw|ghs_token/);
});

test("platforms: os/arch[/variant] parsed and printed; an index lists them in order", () => {
  expect(parsePlatform("linux/arm64/v8")).toEqual({ os: "linux", architecture: "arm64", variant: "v8" });
  expect(parsePlatform("linux/amd64")).toEqual({ os: "linux", architecture: "amd64" });
  for (const bad of ["linux", "linux/", "Linux/AMD64", "linux/amd64/v1/x", "linux amd64", ""]) assert.equal(parsePlatform(bad), undefined, bad);
  assert.equal(platformText({ os: "linux", architecture: "arm", variant: "v7" }), "linux/arm/v7");

  const images = [
    { platform: "linux/amd64", digest: `sha256:${"1".repeat(64)}`, size: 500, mediaType: "application/vnd.oci.image.manifest.v1+json" },
    { platform: "linux/arm64/v8", digest: `sha256:${"2".repeat(64)}`, size: 501, mediaType: "application/vnd.oci.image.manifest.v1+json" },
  ];
  const index = imageIndex(images);
  assert.equal(index.digest, `sha256:${createHash("sha256").update(index.bytes).digest("hex")}`, "the digest is of exactly the bytes pushed");
  const json = JSON.parse(index.bytes.toString("utf8"));
  assert.equal(json.mediaType, "application/vnd.oci.image.index.v1+json");
  expect(json.manifests[1]).toEqual({ mediaType: images[1].mediaType, digest: images[1].digest, size: 501, platform: { os: "linux", architecture: "arm64", variant: "v8" } });
  expect(platformDigests(json)).toEqual([
    { platform: "linux/amd64", digest: images[0].digest },
    { platform: "linux/arm64/v8", digest: images[1].digest },
  ]);
  // buildx adds attestation manifests as unknown/unknown: not a platform
  expect(platformDigests({ manifests: [...json.manifests, { digest: "sha256:3", platform: { os: "unknown", architecture: "unknown" } }] })).toHaveLength(2);
  expect(platformDigests(null)).toEqual([]);
});

test("referrers tag schema: <alg>-<hex>", () => {
  assert.equal(referrersTag(`sha256:${"a".repeat(64)}`), `sha256-${"a".repeat(64)}`);
});

test("an earlier run's image: its labels name this release's version and commit; the labels of an index are its first platform's", () => {
  const labels = { "org.opencontainers.image.version": "2.0.0rc1", "org.opencontainers.image.revision": "abc123", "org.opencontainers.image.created": "2026-12-01T00:00:00.000Z" };
  assert.ok(isReleaseImage({ ...labels, "org.opencontainers.image.created": "2026-11-30T23:00:00.000Z" }, labels), "the build time aside");
  assert.ok(!isReleaseImage({ ...labels, "org.opencontainers.image.revision": "def456" }, labels), "same version, other commit");
  assert.ok(!isReleaseImage({ ...labels, "org.opencontainers.image.version": "1.9.0" }, labels), "latest still on the last release");
  assert.ok(!isReleaseImage(undefined, labels));
  assert.ok(!isReleaseImage({}, {}), "labels without a version and a commit name no release");

  expect(labelSource({ schemaVersion: 2, config: { digest: "sha256:c" }, layers: [] })).toEqual({ config: "sha256:c" });
  const index = {
    manifests: [
      { digest: "sha256:att", platform: { os: "unknown", architecture: "unknown" } },
      { digest: "sha256:amd", platform: { os: "linux", architecture: "amd64" } },
      { digest: "sha256:arm", platform: { os: "linux", architecture: "arm64", variant: "v8" } },
    ],
  };
  expect(labelSource(index)).toEqual({ platform: "sha256:amd", platforms: [{ platform: "linux/amd64", digest: "sha256:amd" }, { platform: "linux/arm64/v8", digest: "sha256:arm" }] });
  assert.equal(labelSource({ manifests: [] }), undefined);
  assert.equal(labelSource("not a manifest"), undefined);
});

test("images taken from the registry and built ones are tagged in the matrix's order", () => {
  const plan = (id: string) => ({ id }) as ImagePlan;
  const plans = ["a", "b", "c"].map(plan);
  const image = (id: string) => ({ plan: plan(id), digest: `sha256:${id}` });
  expect(inPlanOrder(plans, [image("c"), image("a"), image("b")]).map((i) => i.plan.id)).toEqual(["a", "b", "c"]);
  expect(inPlanOrder(plans, [image("b")]).map((i) => i.plan.id)).toEqual(["b"]);
});
