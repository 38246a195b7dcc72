import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REGISTRY_BIN = "/usr/bin/docker-registry";
/** apache2-utils' htpasswd: the bcrypt file docker-registry's htpasswd auth reads (its only supported format). */
export const HTPASSWD_BIN = "htpasswd";

/** How the registry authenticates: Basic against an htpasswd file, or Bearer tokens from a token server it trusts. */
export type RegistryAuth =
  | { htpasswd: Record<string, string> }
  | { token: { realm: string; service: string; issuer: string; certFile: string; mint(access: { type?: string; name: string; actions: string[] }[]): string } };

const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
].join(", ");

export interface LocalRegistry {
  /** `127.0.0.1:<port>`: the registry part of an image reference. */
  host: string;
  /** Tags of `name` (the path on the registry, e.g. `ns/pytorch`), sorted; [] when the repository does not exist. */
  tags(name: string): Promise<string[]>;
  /** The registry's `Docker-Content-Digest` for `name:reference`, or undefined when absent. */
  digest(name: string, reference: string): Promise<string | undefined>;
  /** Repositories the registry holds (`GET /v2/_catalog`). */
  catalog(): Promise<string[]>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Pure: the `auth:` section of the registry's config.yml (distribution docs, configuration.md "auth"). */
function authConfig(auth: RegistryAuth | undefined, root: string): string[] {
  if (!auth) return [];
  if ("htpasswd" in auth) {
    const file = join(root, "htpasswd");
    const lines = Object.entries(auth.htpasswd).map(([user, password]) =>
      // -i: the password on stdin; -B: bcrypt, the only format docker-registry accepts.
      execFileSync(HTPASSWD_BIN, ["-niB", user], { input: password, encoding: "utf8" }).trim(),
    );
    writeFileSync(file, `${lines.join("\n")}\n`);
    return ["auth:", "  htpasswd:", "    realm: pyrelease-test", `    path: ${file}`];
  }
  const { realm, service, issuer, certFile } = auth.token;
  return ["auth:", "  token:", `    realm: ${realm}`, `    service: ${service}`, `    issuer: ${issuer}`, `    rootcertbundle: ${certFile}`];
}

/**
 * A real Distribution registry (Debian's docker-registry) on a loopback port, plain HTTP,
 * storage in a temp folder; with `auth`, it refuses every request without valid
 * credentials (htpasswd) or a token it trusts (token). The handle's own reads authenticate
 * as an administrator.
 */
export async function startRegistry(options: { auth?: RegistryAuth } = {}): Promise<LocalRegistry> {
  const root = mkdtempSync(join(tmpdir(), "pyrelease-registry-"));
  let lastError: unknown;
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    const config = join(root, "config.yml");
    writeFileSync(
      config,
      [
        "version: 0.1",
        "log:",
        "  level: warn",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(root, "data")}`,
        "  delete:",
        "    enabled: true",
        "http:",
        `  addr: 127.0.0.1:${port}`,
        ...authConfig(options.auth, root),
        "",
      ].join("\n"),
    );
    const child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.on("data", (chunk) => (log += chunk));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntilUp(base, child, () => log);
      return registryHandle(`127.0.0.1:${port}`, base, child, root, adminAuthorization(options.auth));
    } catch (error) {
      lastError = error;
      child.kill("SIGTERM");
    }
  }
  rmSync(root, { recursive: true, force: true });
  throw lastError;
}

async function waitUntilUp(base: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${log()}`);
    // 401 is up too: an auth-enabled registry challenges the anonymous ping.
    const ok = await fetch(`${base}/v2/`).then((r) => r.status === 200 || r.status === 401, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not answer on ${base}: ${log()}`);
}

/** The Authorization header the test's own reads send: an htpasswd user's Basic, or a minted token for the repository. */
function adminAuthorization(auth: RegistryAuth | undefined): (name: string) => Record<string, string> {
  if (!auth) return () => ({});
  if ("htpasswd" in auth) {
    const [user, password] = Object.entries(auth.htpasswd)[0];
    return () => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });
  }
  return (name) => ({ Authorization: `Bearer ${auth.token.mint(name === "*" ? [{ type: "registry", name: "catalog", actions: ["*"] }] : [{ name, actions: ["pull"] }])}` });
}

function registryHandle(host: string, base: string, child: ChildProcess, root: string, authorization: (name: string) => Record<string, string>): LocalRegistry {
  return {
    host,
    async tags(name) {
      const response = await fetch(`${base}/v2/${name}/tags/list`, { headers: authorization(name) });
      if (response.status === 404) return [];
      const json = (await response.json()) as { tags?: string[] | null };
      return [...(json.tags ?? [])].sort();
    },
    async digest(name, reference) {
      const response = await fetch(`${base}/v2/${name}/manifests/${reference}`, { method: "HEAD", headers: { Accept: MANIFEST_ACCEPT, ...authorization(name) } });
      if (response.status !== 200) return undefined;
      return response.headers.get("docker-content-digest") ?? undefined;
    },
    async catalog() {
      const response = await fetch(`${base}/v2/_catalog`, { headers: authorization("*") });
      if (response.status !== 200) return [];
      return ((await response.json()) as { repositories?: string[] }).repositories ?? [];
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
