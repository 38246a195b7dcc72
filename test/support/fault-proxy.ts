import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { startRegistry, type LocalRegistry } from "./registry.js";

/**
 * A loopback HTTP proxy in front of a real registry that counts what clients send and
 * breaks chosen exchanges the ways networks and overloaded registries do: a cut
 * connection, a 5xx, an answer that comes too late, or an answer lost after the registry
 * acted on the request. Upload `Location`s are rewritten to point back at the proxy, so
 * every step of a push goes through it.
 */

/** The exchanges of a push (distribution-spec, "Pushing blobs" and "Pushing Manifests"). */
export type Step = "blob-head" | "upload-start" | "mount" | "blob-upload" | "manifest-put" | "tag-put" | "manifest-get" | "other";

export type Fault =
  /** The connection is cut before the registry sees the request (mid-body for an upload). */
  | "reset"
  /** The registry gets and handles the request; its answer never arrives (the connection is cut). */
  | "lost-answer"
  /**
   * A mount request reaches the registry as a plain upload start: it answers 202, as a
   * registry that cannot mount does (distribution-spec, "Mounting a blob from another repository").
   */
  | "no-mount"
  | { status: number }
  /** The answer is held this long (it still comes, unless the client gave up). */
  | { delayMs: number };

export interface FaultRule {
  step: Step;
  fault: Fault;
  /** How many matching requests to break (default 1). */
  times?: number;
  /** Let this many matching requests through first (default 0). */
  after?: number;
}

export interface Exchange {
  step: Step;
  method: string;
  path: string;
  /** Request body bytes the proxy received. */
  bytesIn: number;
  /** The status the client got, or the fault it met. */
  outcome: number | "reset" | "lost-answer";
}

export interface FaultProxy {
  /** `127.0.0.1:<port>`: use it as the registry host. */
  host: string;
  exchanges(): Exchange[];
  /** Bytes of blob data uploaded through the proxy (PUT/PATCH bodies of upload sessions). */
  uploadedBytes(): number;
  inject(rule: FaultRule): void;
  /** Faults injected and not yet spent. */
  pending(): number;
  reset(): void;
  close(): Promise<void>;
}

/** Pure: which step of a push a request is. */
export function stepOf(method: string, url: string): Step {
  const { pathname, searchParams } = new URL(url, "http://proxy");
  if (/\/blobs\/uploads\/?$/.test(pathname) && method === "POST") return searchParams.has("mount") ? "mount" : "upload-start";
  if (/\/blobs\/uploads\/[^/]+$/.test(pathname) && (method === "PUT" || method === "PATCH")) return "blob-upload";
  if (/\/blobs\/sha256:[a-f0-9]+$/.test(pathname) && method === "HEAD") return "blob-head";
  const manifest = /\/manifests\/([^/]+)$/.exec(pathname);
  if (manifest && method === "PUT") return manifest[1].startsWith("sha256:") ? "manifest-put" : "tag-put";
  if (manifest && (method === "GET" || method === "HEAD")) return "manifest-get";
  return "other";
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const rules: (FaultRule & { seen: number; spent: number })[] = [];
  const log: Exchange[] = [];
  let self = "";

  const pick = (step: Step) => {
    for (const rule of rules) {
      if (rule.step !== step || rule.spent >= (rule.times ?? 1)) continue;
      rule.seen++;
      if (rule.seen <= (rule.after ?? 0)) continue;
      rule.spent++;
      return rule.fault;
    }
    return undefined;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const step = stepOf(req.method ?? "GET", req.url ?? "/");
    const exchange: Exchange = { step, method: req.method ?? "GET", path: new URL(req.url ?? "/", "http://proxy").pathname, bytesIn: 0, outcome: 0 };
    log.push(exchange);
    const fault = pick(step);
    const socket = req.socket as Socket;

    if (fault === "reset") {
      exchange.outcome = "reset";
      // Cut mid-body when there is one: the client has started sending, as in a real drop.
      let received = 0;
      const expected = Number(req.headers["content-length"] ?? 0);
      if (expected === 0) return void socket.destroy();
      req.on("data", (chunk: Buffer) => {
        received += chunk.length;
        exchange.bytesIn = received;
        if (received >= expected / 2) socket.destroy();
      });
      req.on("end", () => socket.destroy());
      return;
    }
    if (fault && typeof fault === "object" && "status" in fault) {
      req.on("data", (chunk: Buffer) => (exchange.bytesIn += chunk.length));
      req.on("end", () => {
        exchange.outcome = fault.status;
        res.writeHead(fault.status, { "Content-Type": "application/json" }).end(JSON.stringify({ errors: [{ code: "UNAVAILABLE", message: "injected fault" }] }));
      });
      return;
    }

    const headers = { ...req.headers, host: target };
    let path = req.url ?? "/";
    if (fault === "no-mount") {
      const url = new URL(path, "http://proxy");
      url.searchParams.delete("mount");
      url.searchParams.delete("from");
      path = `${url.pathname}${url.search}`;
    }
    const upstream = request({ host: target.split(":")[0], port: Number(target.split(":")[1]), method: req.method, path, headers }, (answer) => {
      const out = { ...answer.headers };
      if (typeof out.location === "string") out.location = out.location.replace(`http://${target}`, `http://${self}`);
      const deliver = () => {
        if (fault === "lost-answer") {
          exchange.outcome = "lost-answer";
          answer.resume();
          answer.on("end", () => socket.destroy());
          return;
        }
        exchange.outcome = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(res);
      };
      if (fault && typeof fault === "object" && "delayMs" in fault) setTimeout(deliver, fault.delayMs);
      else deliver();
    });
    upstream.on("error", () => socket.destroy());
    req.on("data", (chunk: Buffer) => (exchange.bytesIn += chunk.length));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  self = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    host: self,
    exchanges: () => [...log],
    uploadedBytes: () => log.filter((e) => e.step === "blob-upload").reduce((sum, e) => sum + e.bytesIn, 0),
    inject: (rule) => void rules.push({ ...rule, seen: 0, spent: 0 }),
    pending: () => rules.reduce((sum, r) => sum + Math.max(0, (r.times ?? 1) - r.spent), 0),
    reset() {
      rules.length = 0;
      log.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A real registry (plain, no auth) with a faulting proxy in front; `stop` ends both. */
export async function startProxiedRegistry(): Promise<{ registry: LocalRegistry; proxy: FaultProxy; stop(): Promise<void> }> {
  const registry = await startRegistry();
  const proxy = await startFaultProxy(registry.host);
  return {
    registry,
    proxy,
    async stop() {
      await proxy.close();
      await registry.stop();
    },
  };
}
