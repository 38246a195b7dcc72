import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback TUF repository that distributes a Sigstore trusted root the way
 * tuf-repo-cdn.sigstore.dev does: signed root, timestamp, snapshot and targets metadata
 * (TUF specification 1.0, consistent snapshots), and the target `trusted_root.json` under its
 * hash. One ed25519 key signs every role. Clients start from `root.json` (`rootFile`).
 */
export interface TufServer {
  url: string;
  /** The initial root a client must be given (what sigstore-js embeds for the public mirror). */
  rootFile: string;
  /** Every path requested, in order. */
  requests(): string[];
  close(): Promise<void>;
}

const SPEC = "1.0.31";

/** OLPC canonical JSON as TUF signs it, for the shapes used here (objects, arrays, strings, integers, booleans). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  return JSON.stringify(value);
}

export async function startTufServer(trustedRoot: Record<string, unknown>, rootFile: string): Promise<TufServer> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const key = { keytype: "ed25519", scheme: "ed25519", keyval: { public: raw.toString("hex") } };
  const keyid = createHash("sha256").update(canonical(key)).digest("hex");
  const expires = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const role = { keyids: [keyid], threshold: 1 };
  const envelope = (signed: Record<string, unknown>) => ({ signatures: [{ keyid, sig: sign(null, Buffer.from(canonical(signed)), privateKey).toString("hex") }], signed });

  const target = Buffer.from(JSON.stringify(trustedRoot));
  const targetHash = createHash("sha256").update(target).digest("hex");
  const root = envelope({ _type: "root", spec_version: SPEC, version: 1, expires, consistent_snapshot: true, keys: { [keyid]: key }, roles: { root: role, targets: role, snapshot: role, timestamp: role } });
  const targets = envelope({ _type: "targets", spec_version: SPEC, version: 1, expires, targets: { "trusted_root.json": { length: target.length, hashes: { sha256: targetHash } } } });
  const snapshot = envelope({ _type: "snapshot", spec_version: SPEC, version: 1, expires, meta: { "targets.json": { version: 1 } } });
  const timestamp = envelope({ _type: "timestamp", spec_version: SPEC, version: 1, expires, meta: { "snapshot.json": { version: 1 } } });
  const files: Record<string, Buffer> = {
    "/1.root.json": Buffer.from(JSON.stringify(root)),
    "/timestamp.json": Buffer.from(JSON.stringify(timestamp)),
    "/1.snapshot.json": Buffer.from(JSON.stringify(snapshot)),
    "/1.targets.json": Buffer.from(JSON.stringify(targets)),
    [`/targets/${targetHash}.trusted_root.json`]: target,
  };
  writeFileSync(rootFile, files["/1.root.json"]);

  const seen: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    seen.push(path);
    const body = req.method === "GET" ? files[path] : undefined;
    res.statusCode = body ? 200 : 404;
    res.end(body ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    rootFile,
    requests: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
