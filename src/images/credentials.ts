import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Credentials {
  username: string;
  password: string;
}

const DOCKER_HUB = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "https://index.docker.io/v1/"]);

export const isDockerHub = (host: string) => DOCKER_HUB.has(host);

/** `DOCKERHUB_USERNAME`/`DOCKERHUB_TOKEN`, when both are set. */
export function dockerHubCredentials(env: Record<string, string | undefined>): Credentials | undefined {
  const username = env.DOCKERHUB_USERNAME?.trim();
  const password = env.DOCKERHUB_TOKEN;
  return username && password ? { username, password } : undefined;
}

/** The auth files `podman login` and `docker login` write, most specific first. */
export function authFiles(env: Record<string, string | undefined>): string[] {
  const home = env.HOME || homedir();
  return [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, "containers", "auth.json") : undefined,
    join(env.XDG_CONFIG_HOME || join(home, ".config"), "containers", "auth.json"),
    join(env.DOCKER_CONFIG || join(home, ".docker"), "config.json"),
  ].filter((file): file is string => Boolean(file));
}

/** Pure: the credentials an auth file (`{ "auths": { host: { "auth": base64(user:pass) } } }`) holds for `host`. */
export function credentialsFromAuthFile(text: string, host: string): Credentials | undefined {
  let auths: Record<string, { auth?: string }> | undefined;
  try {
    auths = JSON.parse(text).auths;
  } catch {
    return undefined;
  }
  if (!auths) return undefined;
  const keys = isDockerHub(host) ? [...DOCKER_HUB] : [host, `https://${host}`, `http://${host}`];
  for (const key of keys) {
    const auth = auths[key]?.auth;
    if (!auth) continue;
    const decoded = Buffer.from(auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** Credentials for `host`: Docker Hub's from the environment, else what a `login` stored. */
export function registryCredentials(host: string, env: Record<string, string | undefined>): Credentials | undefined {
  if (isDockerHub(host)) {
    const fromEnv = dockerHubCredentials(env);
    if (fromEnv) return fromEnv;
  }
  for (const file of authFiles(env)) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    const found = credentialsFromAuthFile(text, host);
    if (found) return found;
  }
  return undefined;
}
