import type { GitHubServer } from "./github-server.js";
import type { PypiServer } from "./pypi-server.js";

/**
 * What GitHub Actions gives a release job with `contents: write` and `id-token: write`
 * on a push to `branch`, pointed at the loopback stand-ins. env-ci needs GITHUB_REF,
 * GITHUB_EVENT_NAME and GITHUB_REPOSITORY, or semantic-release sees no branch.
 */
export function actionsReleaseEnv(github: GitHubServer, pypi: PypiServer, branch = "main", extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_ACTIONS: "true",
    GITHUB_REF: `refs/heads/${branch}`,
    GITHUB_REF_NAME: branch,
    GITHUB_REF_TYPE: "branch",
    GITHUB_EVENT_NAME: "push",
    GITHUB_REPOSITORY: `${github.owner}/${github.repo}`,
    GITHUB_TOKEN: github.token,
    GITHUB_API_URL: github.url,
    ACTIONS_ID_TOKEN_REQUEST_URL: pypi.idTokenRequestUrl,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: pypi.requestToken,
    ...extra,
  };
}

/** Rootful podman with its own vfs storage and auth file under `dir`: nothing of the machine's own is used. */
export function podmanEnv(dir: string): Record<string, string> {
  return { CONTAINERS_STORAGE_CONF: `${dir}/storage.conf`, REGISTRY_AUTH_FILE: `${dir}/auth.json` };
}

/** The two files podmanEnv points at. */
export function podmanFiles(dir: string): Record<string, string> {
  return {
    "storage.conf": `[storage]\ndriver = "vfs"\ngraphroot = "${dir}/storage"\nrunroot = "${dir}/run"\n`,
    "auth.json": '{ "auths": {} }\n',
  };
}
