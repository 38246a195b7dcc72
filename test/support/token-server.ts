import { execFileSync } from "node:child_process";
import { createPrivateKey, randomBytes, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A loopback Docker token server (the authorization service of
 * https://distribution.github.io/distribution/spec/auth/token/) whose tokens the real
 * docker-registry verifies: RS256 JWTs (spec/auth/jwt) with the signing certificate in
 * the `x5c` header, which the registry checks against its `rootcertbundle`
 * (distribution v2.8 registry/auth/token/token.go, VerifySigningKey / parseAndVerifyCertChain).
 *
 * It validates what it receives and refuses what the real service refuses; each check
 * cites its rule. It grants only what a user's grants allow, intersected with what was
 * asked for, and records every request so tests can see what was granted.
 */

export interface Grant {
  /** A repository name, or a prefix ending in `/*` (`ns/*`). */
  repository: string;
  actions: ("pull" | "push" | "delete" | "*")[];
}

export interface TokenServerOptions {
  users: Record<string, { password: string; grants: Grant[] }>;
  /** What a request without credentials gets. Default: nothing. */
  anonymous?: Grant[];
}

export interface TokenRequest {
  user?: string;
  service?: string;
  scopes: string[];
  status: number;
  /** resource name → actions granted. */
  granted: Record<string, string[]>;
}

export interface TokenServer {
  /** The `realm` the registry's challenge names. */
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate the registry trusts (`auth.token.rootcertbundle`). */
  certFile: string;
  requests(): TokenRequest[];
  /** A token with exactly these accesses, for the test's own reads of the registry. */
  mint(access: { type?: string; name: string; actions: string[] }[]): string;
  close(): Promise<void>;
}

// spec/auth/scope, "Resource Scope Grammar": resourcetype[(class)]:resourcename:action[,action]*
const RESOURCE_SCOPE = /^([a-z0-9]+)(?:\(([a-z0-9]+)\))?:((?:[a-zA-Z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*):([a-z*]+(?:,[a-z*]+)*)$/;

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), "pyrelease-token-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=pyrelease test token issuer"], { stdio: "ignore" });
  const key = createPrivateKey(readFileSync(keyFile));
  const certDer = new X509Certificate(readFileSync(certFile)).raw.toString("base64");
  const service = "pyrelease-test-registry";
  const issuer = "pyrelease-test-token-issuer";
  const log: TokenRequest[] = [];

  const jwt = (subject: string, access: { type: string; name: string; actions: string[] }[]) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", x5c: [certDer] };
    // spec/auth/jwt: iss, sub, aud (the service), exp, nbf, iat, jti, access.
    const claims = { iss: issuer, sub: subject, aud: service, exp: now + 300, nbf: now - 1, iat: now, jti: randomBytes(12).toString("hex"), access };
    const body = `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    return `${body}.${sign("sha256", Buffer.from(body), key).toString("base64url")}`;
  };

  const allowed = (grants: Grant[], name: string): Set<string> => {
    const actions = new Set<string>();
    for (const grant of grants) {
      const matches = grant.repository.endsWith("/*") ? name.startsWith(grant.repository.slice(0, -1)) : grant.repository === name;
      if (!matches) continue;
      for (const action of grant.actions) {
        if (action === "*") ["pull", "push", "delete"].forEach((a) => actions.add(a));
        else actions.add(action);
      }
    }
    return actions;
  };

  const answer = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const entry: TokenRequest = { service: url.searchParams.get("service") ?? undefined, scopes: url.searchParams.getAll("scope"), status: 0, granted: {} };
    const finish = (status: number, body: unknown, headers?: Record<string, string>) => {
      entry.status = status;
      log.push(entry);
      answer(res, status, body, headers);
    };
    if (url.pathname !== "/token") return finish(404, { details: "not found" });
    // The spec's token endpoint is a GET (spec/auth/token, "Requesting a Token"); POST is the OAuth2 flow (spec/auth/oauth), not offered here.
    if (req.method !== "GET") return finish(405, { details: "only GET /token is served" });
    // `service` names the audience; a token for another service would be refused by the registry (token.go, Verify: AcceptedAudiences).
    if (entry.service !== service) return finish(400, { details: `unknown service ${JSON.stringify(entry.service)}` });

    // Authenticate first; a failed attempt is 401 (spec/auth/token: "If an attempt to authenticate to the token server fails, the token server should return a 401 Unauthorized").
    let grants = options.anonymous ?? [];
    const authorization = req.headers.authorization ?? "";
    if (authorization) {
      const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization);
      const decoded = match ? Buffer.from(match[1], "base64").toString("utf8") : "";
      const colon = decoded.indexOf(":");
      const user = colon > 0 ? decoded.slice(0, colon) : "";
      const known = options.users[user];
      if (!known || known.password !== decoded.slice(colon + 1)) {
        return finish(401, { details: "incorrect username or password" }, { "WWW-Authenticate": 'Basic realm="pyrelease-test-token"' });
      }
      entry.user = user;
      grants = known.grants;
    }

    // Each scope must follow the grammar (spec/auth/scope, "Resource Scope Grammar"); several come as repeated `scope` parameters.
    const access: { type: string; name: string; actions: string[] }[] = [];
    for (const scope of entry.scopes.flatMap((s) => s.split(" ")).filter(Boolean)) {
      const parsed = RESOURCE_SCOPE.exec(scope);
      if (!parsed) return finish(400, { details: `invalid scope ${JSON.stringify(scope)}` });
      const [, type, , name, actionList] = parsed;
      // Only what the user has, intersected with what was asked; a subset is not an error (spec/auth/token, "Requesting a Token").
      const have = type === "repository" ? allowed(grants, name) : new Set<string>();
      const actions = actionList.split(",").filter((a) => have.has(a));
      entry.granted[name] = actions;
      access.push({ type, name, actions });
    }
    const token = jwt(entry.user ?? "", access);
    // spec/auth/token, "Token Response Fields": token (and access_token), expires_in >= 60, issued_at.
    finish(200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certFile,
    requests: () => [...log],
    mint: (access) => jwt("test-admin", access.map((a) => ({ type: a.type ?? "repository", name: a.name, actions: a.actions }))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
