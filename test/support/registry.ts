import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REGISTRY_BIN = "/usr/bin/docker-registry";

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

/** A real Distribution registry (Debian's docker-registry) on a loopback port, plain HTTP, storage in a temp folder. */
export async function startRegistry(): Promise<LocalRegistry> {
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
        "",
      ].join("\n"),
    );
    const child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    let log = "";
    child.stderr!.on("data", (chunk) => (log += chunk));
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntilUp(base, child, () => log);
      return registryHandle(`127.0.0.1:${port}`, base, child, root);
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
    const ok = await fetch(`${base}/v2/`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`docker-registry did not answer on ${base}: ${log()}`);
}

function registryHandle(host: string, base: string, child: ChildProcess, root: string): LocalRegistry {
  return {
    host,
    async tags(name) {
      const response = await fetch(`${base}/v2/${name}/tags/list`);
      if (response.status === 404) return [];
      const json = (await response.json()) as { tags?: string[] | null };
      return [...(json.tags ?? [])].sort();
    },
    async digest(name, reference) {
      const response = await fetch(`${base}/v2/${name}/manifests/${reference}`, { method: "HEAD", headers: { Accept: MANIFEST_ACCEPT } });
      if (response.status !== 200) return undefined;
      return response.headers.get("docker-content-digest") ?? undefined;
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
