import { getError } from "../errors.js";
import { HttpError, requestJson } from "../http.js";
import type { ProvenanceRetry } from "./options.js";

type Env = Record<string, string | undefined>;

/** Where this run's Sigstore identity comes from: a CI's OIDC ID token with the `sigstore` audience. */
export type SigstoreIdentity =
  | { kind: "github"; /** `owner/repo/.github/workflows/release.yml@refs/heads/main`, when the runner says. */ workflowRef?: string; repository?: string }
  | { kind: "gitlab"; /** `group/project`, when the runner says. */ project?: string; server: string };

/**
 * Pure: the OIDC identity this run can sign with, or undefined. GitHub Actions sets the
 * request URL and token only for jobs with `id-token: write` (and never for pull requests
 * from forks); GitLab puts a token declared under `id_tokens:` with `aud: sigstore` into
 * `SIGSTORE_ID_TOKEN` (docs.gitlab.com/ci/yaml/signing_examples).
 */
export function sigstoreIdentity(env: Env): SigstoreIdentity | undefined {
  if (env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    return { kind: "github", workflowRef: env.GITHUB_WORKFLOW_REF || undefined, repository: env.GITHUB_REPOSITORY || undefined };
  }
  if (env.SIGSTORE_ID_TOKEN) return { kind: "gitlab", project: env.CI_PROJECT_PATH || undefined, server: env.CI_SERVER_URL || "https://gitlab.com" };
  return undefined;
}

/** Pure: the identity in words, for logs and the plan. */
export function describeIdentity(identity: SigstoreIdentity): string {
  if (identity.kind === "github") return identity.workflowRef ? `GitHub Actions workflow ${identity.workflowRef}` : "GitHub Actions OIDC (id-token: write)";
  return identity.project ? `GitLab CI project ${identity.project} (SIGSTORE_ID_TOKEN)` : "GitLab CI (SIGSTORE_ID_TOKEN)";
}

/** Pure: the source repository URL a verifier names (`--repository`, `--repo`), when known. */
export function sourceRepository(identity: SigstoreIdentity): string | undefined {
  if (identity.kind === "github") {
    const repository = identity.repository ?? identity.workflowRef?.split("/.github/")[0];
    return repository ? `https://github.com/${repository}` : undefined;
  }
  return identity.project ? `${identity.server.replace(/\/+$/, "")}/${identity.project}` : undefined;
}

/**
 * A fresh ID token for Sigstore (audience `sigstore`). GitHub: `GET
 * $ACTIONS_ID_TOKEN_REQUEST_URL&audience=sigstore` with the request token as bearer
 * (what @actions/core getIDToken does); GitLab: `SIGSTORE_ID_TOKEN` as given. `onSecret` hears
 * the token before anything could print it.
 */
export async function fetchIdentityToken(identity: SigstoreIdentity, env: Env, retry: ProvenanceRetry, onSecret: (secret: string) => void): Promise<string> {
  if (identity.kind === "gitlab") {
    onSecret(env.SIGSTORE_ID_TOKEN!);
    return env.SIGSTORE_ID_TOKEN!;
  }
  const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL!);
  url.searchParams.set("audience", "sigstore");
  let response;
  try {
    response = await requestJson(url.href, { headers: { authorization: `bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}` }, timeoutMs: retry.timeoutMs }, retry);
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    throw getError("EPROVENANCE", { problem: "token", reason: error.message });
  }
  if (response.status !== 200 || typeof response.json?.value !== "string") {
    throw getError("EPROVENANCE", { problem: "token", reason: `HTTP ${response.status} from the ID-token endpoint` });
  }
  onSecret(response.json.value);
  return response.json.value;
}
