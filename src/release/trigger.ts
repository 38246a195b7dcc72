/** The tag that triggered this CI run (GitHub Actions' GITHUB_REF_TYPE/GITHUB_REF_NAME, GitLab's CI_COMMIT_TAG), if any. */
export function triggeringTag(env: Record<string, string | undefined>): string | undefined {
  if (env.GITHUB_REF_TYPE === "tag" && env.GITHUB_REF_NAME) return env.GITHUB_REF_NAME;
  if (env.CI_COMMIT_TAG) return env.CI_COMMIT_TAG;
  return undefined;
}
