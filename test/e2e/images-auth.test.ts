import { afterAll, beforeAll, describe, test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Context } from "../../src/context.js";
import { envPrefix } from "../../src/images/credentials.js";
import { publish, verifyRelease } from "../../src/plugins/images.js";
import { podmanEnv, podmanFiles } from "../support/actions-env.js";
import { errorsOf } from "../support/plugin-context.js";
import { HTPASSWD_BIN, REGISTRY_BIN, startRegistry, type LocalRegistry } from "../support/registry.js";
import { startTokenServer, type TokenServer } from "../support/token-server.js";
import { needTool } from "../support/tools.js";

/**
 * Registry credentials found before the tag: the pre-tag probe (auth handshake with push
 * scope, an upload opened and cancelled) against a real docker-registry with htpasswd
 * auth, and against one that trusts a loopback Docker token server granting per-user
 * scopes. A refusal is EREGISTRYAUTH naming the repository and where the credentials came
 * from (never the secret); the right credentials push.
 */

let work: string;
let htpasswdRegistry: LocalRegistry;
let tokenRegistry: LocalRegistry;
let tokens: TokenServer;
const PASSWORD = "correct-horse-battery-staple";
const WRONG = "wrong-password-123456";

function need(): boolean {
  return needTool(["podman", "--version"], "podman") && needTool([REGISTRY_BIN, "--version"], "docker-registry") && needTool([HTPASSWD_BIN, "-nbB", "u", "p"], "apache2-utils") && needTool(["openssl", "version"], "openssl");
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pyrelease-auth-"));
  for (const [name, text] of Object.entries(podmanFiles(work))) writeFileSync(join(work, name), text);
  need();
  htpasswdRegistry = await startRegistry({ auth: { htpasswd: { releasebot: PASSWORD } } });
  tokens = await startTokenServer({
    users: {
      pusher: { password: PASSWORD, grants: [{ repository: "ns/*", actions: ["pull", "push"] }] },
      reader: { password: PASSWORD, grants: [{ repository: "ns/*", actions: ["pull"] }] },
    },
  });
  tokenRegistry = await startRegistry({ auth: { token: tokens } });
});
afterAll(async () => {
  await htpasswdRegistry?.stop();
  await tokenRegistry?.stop();
  await tokens?.close();
  rmSync(work, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(join(work, "project-"));
  mkdirSync(join(dir, "docker"));
  for (const backend of ["pytorch", "vllm"]) writeFileSync(join(dir, "docker", `Dockerfile.${backend}`), `FROM scratch\nCOPY docker/Dockerfile.${backend} /Dockerfile\nLABEL backend=${backend}\n`);
  return dir;
}

const images = (registry: LocalRegistry, namespace: string) => ({
  repository: `${registry.host}/${namespace}`,
  matrix: { backend: ["pytorch", "vllm"] },
  builder: "podman",
  tlsVerify: false,
  retry: { attempts: 2, delayMs: 10, requestTimeoutMs: 5_000 },
});

function context(cwd: string, env: Record<string, string | undefined>, logs: string[] = []): Context {
  const log = (...args: unknown[]) => void logs.push(args.map(String).join(" "));
  return {
    cwd,
    env: { ...process.env, ...podmanEnv(work), DOCKERHUB_USERNAME: undefined, DOCKERHUB_TOKEN: undefined, GITHUB_TOKEN: undefined, ...env },
    logger: { log, warn: log, error: log, success: log },
    options: { dryRun: false, repositoryUrl: "https://github.com/o/r.git" },
    branch: { name: "main", type: "release", main: true },
    nextRelease: { version: "3.0.0", gitTag: "v3.0.0", gitHead: "0123456789abcdef0123456789abcdef01234567", channel: null },
  };
}

const credentials = (registry: LocalRegistry, username: string, password: string) => ({
  [`${envPrefix(registry.host)}_USERNAME`]: username,
  [`${envPrefix(registry.host)}_PASSWORD`]: password,
});

async function refusal(run: Promise<unknown>) {
  let thrown: unknown;
  try {
    await run;
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown, "the step must fail");
  const errors = errorsOf(thrown);
  const auth = errors.find((e) => e.code === "EREGISTRYAUTH");
  assert.ok(auth, errors.map((e) => `${e.code}: ${e.message}`).join(" | "));
  return auth;
}

describe("htpasswd (Basic) registry", () => {
  test("a wrong password is refused before the tag, naming each repository and the variables it came from, never the password", async () => {
    if (!need()) return;
    const cwd = project();
    const config = { images: images(htpasswdRegistry, "basic") };
    const auth = await refusal(verifyRelease(config, context(cwd, credentials(htpasswdRegistry, "releasebot", WRONG))));
    assert.match(auth.message, new RegExp(`${htpasswdRegistry.host}/basic/pytorch, ${htpasswdRegistry.host}/basic/vllm`));
    assert.match(auth.details, new RegExp(`releasebot from ${envPrefix(htpasswdRegistry.host)}_USERNAME/_PASSWORD`));
    assert.match(auth.details, /checks push access before it builds, tags or publishes anything/);
    assert.ok(!`${auth.message}${auth.details}`.includes(WRONG));

    // No credentials at all: the registry's Basic challenge goes unanswered, and the message says none were found.
    const anonymous = await refusal(verifyRelease(config, context(cwd, {})));
    assert.match(anonymous.details, /none was found .*anonymous/);
    expect(await htpasswdRegistry.catalog()).toEqual([]);
  });

  test("the right password passes the probe, logs podman in through stdin, and pushes", async () => {
    if (!need()) return;
    const cwd = project();
    const config = { images: images(htpasswdRegistry, "basic") };
    const logs: string[] = [];
    const ctx = context(cwd, credentials(htpasswdRegistry, "releasebot", PASSWORD), logs);
    await verifyRelease(config, ctx);
    assert.match(logs.join("\n"), /this run may push to/);
    const result = await publish(config, ctx);
    assert.ok(result);
    for (const image of result.images) assert.equal(await htpasswdRegistry.digest(`basic/${image.entry.backend}`, "3.0.0"), image.digest);
    assert.match(logs.join("\n"), new RegExp(`logged in to ${htpasswdRegistry.host.replace(/\./g, "\\.")} as releasebot`));
    assert.ok(!logs.join("\n").includes(PASSWORD));
  });
});

describe("token-auth registry (Docker token spec)", () => {
  test("a wrong password: the token server answers 401, and the probe says so", async () => {
    if (!need()) return;
    const cwd = project();
    const before = tokens.requests().length;
    const auth = await refusal(verifyRelease({ images: images(tokenRegistry, "ns") }, context(cwd, credentials(tokenRegistry, "pusher", WRONG))));
    assert.match(auth.details, /get a token from http:\/\/127\.0\.0\.1:\d+\/token as pusher .*HTTP 401.*incorrect username or password/);
    const asked = tokens.requests().slice(before);
    assert.ok(asked.every((r) => r.status === 401), JSON.stringify(asked));
  });

  test("pull-only credentials: the token grants pull, not push, and nothing more than was asked", async () => {
    if (!need()) return;
    const cwd = project();
    const before = tokens.requests().length;
    const auth = await refusal(verifyRelease({ images: images(tokenRegistry, "ns") }, context(cwd, credentials(tokenRegistry, "reader", PASSWORD))));
    assert.match(auth.details, /granted pull on ns\/pytorch, not push/);
    const asked = tokens.requests().slice(before).filter((r) => r.status === 200);
    assert.ok(asked.length >= 2);
    for (const request of asked) {
      assert.equal(request.user, "reader");
      for (const [name, actions] of Object.entries(request.granted)) expect({ name, actions }).toEqual({ name, actions: ["pull"] });
    }
  });

  test("a namespace outside the user's grants is refused", async () => {
    if (!need()) return;
    const cwd = project();
    const config = { images: { ...images(tokenRegistry, "other"), name: "{backend}" } };
    const auth = await refusal(verifyRelease(config, context(cwd, credentials(tokenRegistry, "pusher", PASSWORD))));
    assert.match(auth.details, /granted no access on other\/pytorch, not push/);
  });

  test("the right credentials: the token carries push on exactly the repository asked, and the matrix is pushed and tagged", async () => {
    if (!need()) return;
    const cwd = project();
    const config = { images: images(tokenRegistry, "ns") };
    const before = tokens.requests().length;
    const ctx = context(cwd, credentials(tokenRegistry, "pusher", PASSWORD));
    await verifyRelease(config, ctx);
    const probe = tokens.requests().slice(before);
    expect(probe.map((r) => r.granted).sort((a, b) => Object.keys(a)[0].localeCompare(Object.keys(b)[0]))).toEqual([
      { "ns/pytorch": ["pull", "push"] },
      { "ns/vllm": ["pull", "push"] },
    ]);
    const result = await publish(config, ctx);
    assert.ok(result);
    expect(await tokenRegistry.tags("ns/vllm")).toEqual(["3.0.0"]);
  });
});

test("credentials from a credential helper in an auth file: the secret travels on the helper's stdin/stdout only", async () => {
  if (!need()) return;
  const cwd = project();
  const bin = mkdtempSync(join(work, "bin-"));
  const calls = join(bin, "calls.log");
  // A docker-credential-helpers `get`: the server URL on stdin, JSON on stdout (github.com/docker/docker-credential-helpers, client/client.go).
  writeFileSync(
    join(bin, "docker-credential-pyreleasetest"),
    `#!/bin/sh\n[ "$1" = get ] || exit 1\nread server\necho "$# $1 $server" >> "${calls}"\nprintf '{"ServerURL":"%s","Username":"releasebot","Secret":"${PASSWORD}"}' "$server"\n`,
  );
  chmodSync(join(bin, "docker-credential-pyreleasetest"), 0o755);
  const authFile = join(bin, "auth.json");
  writeFileSync(authFile, JSON.stringify({ auths: {}, credHelpers: { [htpasswdRegistry.host]: "pyreleasetest" } }));
  const logs: string[] = [];
  await verifyRelease({ images: images(htpasswdRegistry, "helper") }, context(cwd, { PATH: `${bin}:${process.env.PATH}`, REGISTRY_AUTH_FILE: authFile }, logs));
  assert.match(logs.join("\n"), /this run may push to/);
  const { readFileSync } = await import("node:fs");
  expect(readFileSync(calls, "utf8").trim().split("\n")[0]).toEqual(`1 get ${htpasswdRegistry.host}`);
  assert.ok(!logs.join("\n").includes(PASSWORD));
});

test("a dry run probes nothing and says what a real run would probe", async () => {
  if (!need()) return;
  const cwd = project();
  const logs: string[] = [];
  const ctx = context(cwd, {}, logs);
  ctx.options.dryRun = true;
  const before = tokens.requests().length;
  await verifyRelease({ images: images(tokenRegistry, "ns") }, ctx);
  assert.match(logs.join("\n"), new RegExp(`a real run first checks that it may push to ${tokenRegistry.host}/ns/pytorch, ${tokenRegistry.host}/ns/vllm`));
  assert.equal(tokens.requests().length, before);
});
