import type { Context, PluginConfig } from "../context.js";
import { getError } from "../errors.js";
import { GitHubClient, githubApiUrl, githubProxy, githubToken, parseGitHubRepo, type GitHubClientOptions } from "../github/client.js";

/** Connection tuning for tests that call steps directly; production uses the client's defaults. */
export type ClientTuning = Pick<GitHubClientOptions, "attempts" | "retryDelayMs" | "timeoutMs" | "transferTimeoutMs">;

/**
 * The one way to a GitHub client for this release: the token @semantic-release/github uses
 * (GH_TOKEN, else GITHUB_TOKEN), the repository of `repositoryUrl`, its API URL and proxy.
 * Without a token: ENOGHTOKEN in a real run; null in a dry run, where the caller says
 * what it skips (a dry run needs no credentials).
 */
export function githubClientFor(
  pluginConfig: PluginConfig,
  context: Pick<Context, "env" | "options"> & Partial<Pick<Context, "logger">>,
  tuning: ClientTuning = {},
): GitHubClient | null {
  const token = githubToken(context.env);
  if (!token) {
    if (context.options.dryRun) return null;
    throw getError("ENOGHTOKEN");
  }
  const repository = parseGitHubRepo(String(context.options.repositoryUrl ?? ""));
  if (!repository) {
    throw getError("EINVALIDCONFIG", { problems: [{ key: "repositoryUrl", reason: `${context.options.repositoryUrl || "(none)"} names no GitHub owner/repository` }] });
  }
  return new GitHubClient({
    token,
    ...repository,
    apiUrl: githubApiUrl(pluginConfig, context.env),
    proxy: githubProxy(pluginConfig, context.env),
    warn: context.logger ? (message) => context.logger!.warn(message) : undefined,
    ...tuning,
  });
}
