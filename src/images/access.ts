import type { Logger } from "../context.js";
import { getError, isSemanticReleaseError } from "../errors.js";
import { HttpError } from "../http.js";
import { RegistryError } from "./http.js";
import type { RegistryClient } from "./registry.js";
import type { ImageRunner } from "./runner.js";

/**
 * Registry access as a release needs it before anything moves: may this run push to
 * every repository of the matrix (the pre-tag probe), and is the builder logged in with
 * the credentials the environment gives.
 */

/** A failed registry step as users see it: EREGISTRYAUTH when credentials were refused, else EIMAGEPUSH naming `refs`. */
export async function registryFailure(error: unknown, refs: string[], client: RegistryClient, options: { beforeTag?: boolean } = {}): Promise<Error> {
  if (error instanceof RegistryError && error.auth) {
    const repository = refs[0]?.replace(/[@:][^/]*$/, "") ?? `${error.auth.host}/${error.auth.repository}`;
    const resolved = await client.credentialsFor(repository).catch(() => undefined);
    const source = resolved ? `${resolved.credentials ? `${resolved.credentials.username} from ` : ""}${resolved.source.description}` : "unknown";
    return getError("EREGISTRYAUTH", { refusals: [{ repository, reason: error.message, source }], beforeTag: options.beforeTag === true });
  }
  if (isSemanticReleaseError(error)) return error as Error;
  return getError("EIMAGEPUSH", { refs, attempts: (error as HttpError)?.attempts ?? 1, reason: (error as Error)?.message ?? String(error) });
}

/**
 * The pre-tag probe: the auth handshake with push scope, and an upload session opened
 * and cancelled, on every repository. All refusals are reported together (EREGISTRYAUTH,
 * naming each repository and where its credentials came from); a registry that cannot be
 * reached at all is EREGISTRYUNREACHABLE.
 */
export async function probePushAccess(repositories: string[], client: RegistryClient): Promise<Error[]> {
  const refusals: { repository: string; reason: string; source: string }[] = [];
  const unreachable = new Map<string, { reason: string; attempts: number }>();
  await Promise.all(
    [...new Set(repositories)].map(async (repository) => {
      try {
        await client.checkPush(repository);
      } catch (error) {
        if (error instanceof RegistryError && error.auth) {
          const resolved = await client.credentialsFor(repository);
          refusals.push({ repository, reason: error.message, source: `${resolved.credentials ? `${resolved.credentials.username} from ` : ""}${resolved.source.description}` });
        } else if (error instanceof HttpError && error.status === undefined) {
          unreachable.set(client.endpoint(repository).host, { reason: error.message, attempts: error.attempts ?? 1 });
        } else {
          refusals.push({ repository, reason: (error as Error).message, source: (await client.credentialsFor(repository)).source.description });
        }
      }
    }),
  );
  const errors: Error[] = [];
  if (refusals.length) errors.push(getError("EREGISTRYAUTH", { refusals: refusals.sort((a, b) => a.repository.localeCompare(b.repository)), beforeTag: true }));
  if (unreachable.size) {
    const [first] = unreachable.values();
    errors.push(getError("EREGISTRYUNREACHABLE", { registries: [...unreachable.keys()], reason: first.reason, attempts: first.attempts }));
  }
  return errors;
}

/** Log the builder in to each registry whose credentials this run's environment gives (a stored login it already reads itself). */
export async function loginBuilder(runner: ImageRunner, repositories: string[], client: RegistryClient, logger: Pick<Logger, "log">): Promise<void> {
  const hosts = new Map<string, string>();
  for (const repository of repositories) hosts.set(client.endpoint(repository).host, repository);
  for (const [host, repository] of hosts) {
    const resolved = await client.credentialsFor(repository);
    if (resolved.source.kind !== "env" || !resolved.credentials) continue;
    await runner.login(host, resolved.credentials);
    logger.log(`Images: logged in to ${host} as ${resolved.credentials.username} (${resolved.source.description})`);
  }
}
