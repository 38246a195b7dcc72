import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { run } from "../exec.js";

export interface Credentials {
  username: string;
  password: string;
}

/** Where a registry's credentials came from: named in every error, never the secret itself. */
export interface CredentialSource {
  /** `env`: variables of this run (the builder must be logged in with them); `file`/`helper`: what a `login` stored; `none`: anonymous. */
  kind: "env" | "file" | "helper" | "none";
  /** For people: `PYRELEASE_REGISTRY_GHCR_IO_USERNAME/_PASSWORD`, `docker-credential-pass (credHelpers in ~/.docker/config.json)`… */
  description: string;
  /** The auth file it was read from, for `file` and `helper`. */
  file?: string;
}

export interface ResolvedCredentials {
  credentials?: Credentials;
  source: CredentialSource;
  /** Sources tried that failed (a helper that is not installed, say): said in errors. */
  notes: string[];
}

type Env = Record<string, string | undefined>;

const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/"]);
/** The key `docker login` uses for Docker Hub in auth files and credential helpers. */
const DOCKER_HUB_KEY = "https://index.docker.io/v1/";

export const isDockerHub = (host: string) => DOCKER_HUB.has(host);
export const isGhcr = (host: string) => host === "ghcr.io";

/** Pure: `ghcr.io` → `PYRELEASE_REGISTRY_GHCR_IO`; `127.0.0.1:5000` → `PYRELEASE_REGISTRY_127_0_0_1_5000`. */
export function envPrefix(host: string): string {
  return `PYRELEASE_REGISTRY_${host.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * Pure: credentials this run's environment gives `host`, most specific first:
 * `PYRELEASE_REGISTRY_<HOST>_USERNAME`/`_PASSWORD` for any host, then
 * `DOCKERHUB_USERNAME`/`DOCKERHUB_TOKEN` for Docker Hub.
 */
export function credentialsFromEnv(host: string, env: Env): { credentials: Credentials; source: CredentialSource } | undefined {
  const prefix = envPrefix(host);
  const username = env[`${prefix}_USERNAME`]?.trim();
  const password = env[`${prefix}_PASSWORD`];
  if (username && password) return { credentials: { username, password }, source: { kind: "env", description: `${prefix}_USERNAME/_PASSWORD` } };
  if (isDockerHub(host)) {
    const hubUser = env.DOCKERHUB_USERNAME?.trim();
    const hubToken = env.DOCKERHUB_TOKEN;
    if (hubUser && hubToken) return { credentials: { username: hubUser, password: hubToken }, source: { kind: "env", description: "DOCKERHUB_USERNAME/DOCKERHUB_TOKEN" } };
  }
  return undefined;
}

/** Pure: ghcr.io's default: the job's `GITHUB_TOKEN` as `GITHUB_ACTOR` (a workflow with `packages: write`). */
export function ghcrCredentials(env: Env): { credentials: Credentials; source: CredentialSource } | undefined {
  const password = env.GITHUB_TOKEN || env.GH_TOKEN;
  const username = env.GITHUB_ACTOR?.trim() || env.GITHUB_REPOSITORY_OWNER?.trim();
  if (!password || !username) return undefined;
  return { credentials: { username, password }, source: { kind: "env", description: `${env.GITHUB_TOKEN ? "GITHUB_TOKEN" : "GH_TOKEN"} as ${env.GITHUB_ACTOR ? "GITHUB_ACTOR" : "GITHUB_REPOSITORY_OWNER"} (${username})` } };
}

/** The auth files `podman login` and `docker login` write, in the order podman reads them (containers-auth.json(5)). */
export function authFiles(env: Env): string[] {
  const home = env.HOME || homedir();
  return [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, "containers", "auth.json") : undefined,
    join(env.XDG_CONFIG_HOME || join(home, ".config"), "containers", "auth.json"),
    join(env.DOCKER_CONFIG || join(home, ".docker"), "config.json"),
  ].filter((file): file is string => Boolean(file));
}

/** What one auth file says about a host: a credential helper to ask, or a stored `auth`. */
export type AuthFileEntry = { helper: string; via: "credHelpers" | "credsStore"; serverUrl: string } | { credentials: Credentials; key: string } | undefined;

/**
 * Pure: what an auth file (`{ "auths": { host: { "auth": base64(user:pass) } }, "credHelpers": { host: name }, "credsStore": name }`)
 * holds for `host`, in docker's order (docker/cli, config/configfile: GetCredentialsStore):
 * a helper for the host, else the default store, else the stored `auth`.
 */
export function authFileEntry(text: string, host: string): AuthFileEntry {
  let json: { auths?: Record<string, { auth?: string }>; credHelpers?: Record<string, string>; credsStore?: string };
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null) return undefined;
  const keys = isDockerHub(host) ? [...DOCKER_HUB] : [host, `https://${host}`, `http://${host}`];
  const serverUrl = isDockerHub(host) ? DOCKER_HUB_KEY : host;
  for (const key of keys) {
    const helper = json.credHelpers?.[key];
    if (typeof helper === "string" && helper) return { helper, via: "credHelpers", serverUrl };
  }
  if (typeof json.credsStore === "string" && json.credsStore) return { helper: json.credsStore, via: "credsStore", serverUrl };
  for (const key of keys) {
    const auth = json.auths?.[key]?.auth;
    if (!auth) continue;
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) return { credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }, key };
  }
  return undefined;
}

/** Pure: a credential helper's `get` answer (`{ "ServerURL", "Username", "Secret" }`, docker-credential-helpers' protocol). */
export function helperCredentials(stdout: string): Credentials | undefined {
  try {
    const json = JSON.parse(stdout) as { Username?: string; Secret?: string };
    // `<token>` marks an identity (refresh) token, which needs an OAuth2 exchange this client does not make.
    if (typeof json.Username === "string" && json.Username && json.Username !== "<token>" && typeof json.Secret === "string" && json.Secret) {
      return { username: json.Username, password: json.Secret };
    }
  } catch {
    /* not JSON: no credentials */
  }
  return undefined;
}

export interface CredentialDeps {
  readFile(file: string): Promise<string | undefined>;
  /** Run `docker-credential-<helper> get` with `serverUrl` on standard input; its stdout, or why it failed. */
  runHelper(helper: string, serverUrl: string): Promise<{ stdout: string } | { error: string }>;
}

function systemDeps(env: Env): CredentialDeps {
  return {
    readFile: (file) => readFile(file, "utf8").catch(() => undefined),
    async runHelper(helper, serverUrl) {
      // The secret travels on the helper's stdout only: no argv, no log.
      const result = await run(`docker-credential-${helper}`, ["get"], { input: serverUrl, env, timeoutMs: 30_000 });
      if (result.exitCode === 0) return { stdout: result.stdout };
      return { error: result.stderr.split("\n")[0]?.slice(0, 200) || `exit ${result.exitCode}` };
    },
  };
}

/**
 * The credentials for registry `host`, from (first found): this run's environment
 * (`PYRELEASE_REGISTRY_<HOST>_*`, Docker Hub's `DOCKERHUB_*`), the auth files a
 * `docker login`/`podman login` wrote (credential helpers included), and for ghcr.io the
 * job's `GITHUB_TOKEN`. None: anonymous.
 */
export async function resolveCredentials(host: string, env: Env, deps: CredentialDeps = systemDeps(env)): Promise<ResolvedCredentials> {
  const fromEnv = credentialsFromEnv(host, env);
  if (fromEnv) return { ...fromEnv, notes: [] };
  const notes: string[] = [];
  for (const file of authFiles(env)) {
    const text = await deps.readFile(file);
    if (text === undefined) continue;
    const entry = authFileEntry(text, host);
    if (!entry) continue;
    if ("credentials" in entry) return { credentials: entry.credentials, source: { kind: "file", description: `the login stored for ${entry.key} in ${file}`, file }, notes };
    const answer = await deps.runHelper(entry.helper, entry.serverUrl);
    const description = `docker-credential-${entry.helper} (${entry.via} in ${file})`;
    const credentials = "stdout" in answer ? helperCredentials(answer.stdout) : undefined;
    if (credentials) return { credentials, source: { kind: "helper", description, file }, notes };
    notes.push(`${description} gave no credentials${"error" in answer ? `: ${answer.error}` : ""}`);
  }
  if (isGhcr(host)) {
    const github = ghcrCredentials(env);
    if (github) return { ...github, notes };
    notes.push("ghcr.io: no GITHUB_TOKEN (with GITHUB_ACTOR) in the environment");
  }
  return { source: { kind: "none", description: `no credentials for ${host} (anonymous)` }, notes };
}

/** Resolves each host once per run. */
export class CredentialStore {
  private readonly resolved = new Map<string, Promise<ResolvedCredentials>>();

  constructor(
    private readonly env: Env,
    private readonly deps?: CredentialDeps,
  ) {}

  get(host: string): Promise<ResolvedCredentials> {
    let found = this.resolved.get(host);
    if (!found) {
      found = resolveCredentials(host, this.env, this.deps);
      this.resolved.set(host, found);
    }
    return found;
  }
}
