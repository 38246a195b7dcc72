import { getError } from "../errors.js";
import { requestJson, type JsonAnswer, type RetryOptions } from "../http.js";
import { oidcBase } from "./options.js";

export type CredentialRoute =
  | { kind: "github-oidc" }
  | { kind: "gitlab-oidc"; variables: string[] }
  | { kind: "api-token" };

type Env = Record<string, string | undefined>;

/** Pure: how this run can authenticate to PyPI, best first; undefined when it cannot. */
export function credentialRoute(env: Env): CredentialRoute | undefined {
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) return { kind: "github-oidc" };
  const gitlab = ["PYPI_ID_TOKEN", "TESTPYPI_ID_TOKEN"].filter((v) => env[v]);
  if (gitlab.length) return { kind: "gitlab-oidc", variables: gitlab };
  if (env.PYPI_TOKEN) return { kind: "api-token" };
  return undefined;
}

export function describeRoute(route: CredentialRoute): string {
  if (route.kind === "github-oidc") return "GitHub Actions OIDC (trusted publishing)";
  if (route.kind === "gitlab-oidc") return `GitLab OIDC (${route.variables.join(", ")})`;
  return "the API token in PYPI_TOKEN (a stored secret: prefer trusted publishing)";
}

/** Pure: the GitLab ID-token variable for an audience: TestPyPI's is `testpypi`. */
export function gitlabVariable(audience: string, available: readonly string[]): string {
  const preferred = audience === "testpypi" ? "TESTPYPI_ID_TOKEN" : "PYPI_ID_TOKEN";
  return available.includes(preferred) ? preferred : available[0];
}

export interface UploadToken {
  token: string;
  /** When it was obtained (ms since epoch); an API token never needs renewing. */
  obtainedAt: number;
  renewable: boolean;
}

export interface MintRequest {
  repositoryUrl: string;
  env: Env;
  retry: RetryOptions;
  /** Called with every secret as soon as it is known (the ID token, the minted token), before anything could print it. */
  onSecret: (secret: string) => void;
  /** Told before every further try: what is asked again, which try is next, and why. */
  onRetry?: (what: string, next: number, why: string) => void;
  now?: () => number;
}

function exchangeError(step: string, response: JsonAnswer) {
  const errors = Array.isArray(response.json?.errors)
    ? response.json.errors.map((e: { code?: unknown; description?: unknown }) => ({ code: String(e.code ?? "unknown"), description: String(e.description ?? "") }))
    : [];
  return getError("EOIDCEXCHANGE", { step, status: response.status, errors });
}

function retryLog(request: MintRequest, what: string) {
  return (failure: unknown, next: number) => request.onRetry?.(what, next, (failure as Error).message);
}

async function networkGuard<T>(step: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { semanticRelease?: boolean }).semanticRelease) throw error;
    throw getError("EOIDCEXCHANGE", { step: `${step}: ${(error as Error).message}`, errors: [] });
  }
}

/** `GET /_/oidc/audience` on the upload host: the audience PyPI wants in the ID token. */
export async function fetchAudience(request: MintRequest): Promise<string> {
  const url = `${oidcBase(request.repositoryUrl)}/_/oidc/audience`;
  const response = await networkGuard("audience", () =>
    requestJson(url, { timeoutMs: request.retry.requestTimeoutMs }, request.retry, retryLog(request, "audience")),
  );
  if (response.status !== 200 || typeof response.json?.audience !== "string") throw exchangeError(`audience from ${url}`, response);
  return response.json.audience;
}

/** GitHub's ID token for `audience`: `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=…` with the bearer request token. */
export async function fetchGithubIdToken(request: MintRequest, audience: string): Promise<string> {
  const url = new URL(request.env.ACTIONS_ID_TOKEN_REQUEST_URL!);
  url.searchParams.set("audience", audience);
  const response = await networkGuard("GitHub ID token", () =>
    requestJson(
      url.href,
      { headers: { authorization: `bearer ${request.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }, timeoutMs: request.retry.requestTimeoutMs },
      request.retry,
      retryLog(request, "GitHub ID token"),
    ),
  );
  if (response.status !== 200 || typeof response.json?.value !== "string") {
    throw getError("EOIDCEXCHANGE", { step: "GitHub ID token request", status: response.status, errors: [] });
  }
  request.onSecret(response.json.value);
  return response.json.value;
}

/**
 * Trade an OIDC ID token for a short-lived PyPI API token, just in time. An ID token is
 * single use, so a transient mint failure gets a fresh ID token when the CI can issue one.
 */
export async function mintUploadToken(request: MintRequest): Promise<UploadToken> {
  const now = request.now ?? Date.now;
  const route = credentialRoute(request.env);
  if (!route) throw getError("ENOPYPIAUTH");
  if (route.kind === "api-token") {
    request.onSecret(request.env.PYPI_TOKEN!);
    return { token: request.env.PYPI_TOKEN!, obtainedAt: now(), renewable: false };
  }
  const audience = await fetchAudience(request);
  let idToken: string | undefined;
  if (route.kind === "gitlab-oidc") {
    idToken = request.env[gitlabVariable(audience, route.variables)]!;
    request.onSecret(idToken);
  }
  const url = `${oidcBase(request.repositoryUrl)}/_/oidc/mint-token`;
  const response = await networkGuard("mint-token", () =>
    requestJson(
      url,
      async () => ({ method: "POST", body: { token: route.kind === "github-oidc" ? await fetchGithubIdToken(request, audience) : idToken! }, timeoutMs: request.retry.requestTimeoutMs }),
      request.retry,
      retryLog(request, "mint-token"),
    ),
  );
  if (response.status !== 200 || typeof response.json?.token !== "string") throw exchangeError("mint-token", response);
  request.onSecret(response.json.token);
  return { token: response.json.token, obtainedAt: now(), renewable: true };
}

/** Pure: the claims of a JWT, unverified (the index verifies them); undefined when it is not one. */
export function jwtClaims(jwt: string): Record<string, unknown> | undefined {
  const parts = jwt.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8"));
    return claims && typeof claims === "object" && !Array.isArray(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Before anything is tagged, prove that publishing will be allowed. GitHub Actions: the
 * whole exchange (audience → ID token → mint-token) and the minted token thrown away, so a
 * trusted publisher that does not match this run fails now (EOIDCEXCHANGE), not after the
 * tag; publish mints its own token just in time. GitLab: its ID token is single use, and
 * spending it here would leave publish nothing to exchange, so only its audience and expiry
 * are checked. A stored PYPI_TOKEN cannot be tried without uploading. Returns what was done.
 */
export async function probeTrustedPublishing(request: MintRequest): Promise<string> {
  const route = credentialRoute(request.env);
  if (!route) throw getError("ENOPYPIAUTH");
  if (route.kind === "api-token") return "PYPI_TOKEN cannot be tried without uploading; it is used as is at publish";
  if (route.kind === "github-oidc") {
    await mintUploadToken(request);
    return "trusted publishing works: a token was minted and discarded (publish mints its own)";
  }
  const audience = await fetchAudience(request);
  const variable = gitlabVariable(audience, route.variables);
  const token = request.env[variable]!;
  request.onSecret(token);
  const claims = jwtClaims(token);
  const now = (request.now ?? Date.now)() / 1000;
  const audiences = [claims?.aud].flat().filter((a): a is string => typeof a === "string");
  const problem = !claims
    ? { code: "invalid-payload", description: `${variable} does not hold a JWT` }
    : !audiences.includes(audience)
      ? { code: "invalid-token", description: `${variable} was issued for the audience ${JSON.stringify(claims.aud)}; the index wants "${audience}" (set \`aud: ${audience}\` in the job's id_tokens)` }
      : typeof claims.exp === "number" && claims.exp < now
        ? { code: "invalid-token", description: `${variable} expired at ${new Date(claims.exp * 1000).toISOString()}` }
        : undefined;
  if (problem) throw getError("EOIDCEXCHANGE", { step: `checking ${variable}`, errors: [problem] });
  return `${variable} is an ID token for "${audience}"; a GitLab ID token is single use, so the exchange itself happens at publish`;
}
