/**
 * Pure parts of registry authentication: the `WWW-Authenticate` challenge (RFC 6750 §3,
 * as the Docker token spec uses it: https://distribution.github.io/distribution/spec/auth/token/),
 * resource scopes (spec/auth/scope), and what a granted token says it allows (spec/auth/jwt).
 */

export interface Challenge {
  scheme: "basic" | "bearer" | "other";
  params: Record<string, string>;
}

/** `Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push"` → its parts. */
export function parseChallenge(header: string): Challenge {
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return { scheme: "other", params: {} };
  const scheme = match[1].toLowerCase();
  const params: Record<string, string> = {};
  for (const param of match[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[param[1].toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, "$1") : param[3];
  }
  return { scheme: scheme === "basic" || scheme === "bearer" ? scheme : "other", params };
}

/** `repository:<name>:<actions>`: the scope a request on repository `name` needs. */
export const repositoryScope = (name: string, actions: readonly string[]) => `repository:${name}:${actions.join(",")}`;

/**
 * Pure: the scopes to ask the token server for: those the challenge names (space-separated,
 * spec/auth/token "scope" parameter) and ours, one per resource, actions merged.
 */
export function mergeScopes(...lists: (string | undefined)[][]): string[] {
  const actions = new Map<string, Set<string>>();
  for (const scope of lists.flat()) {
    for (const item of (scope ?? "").split(" ").filter(Boolean)) {
      const last = item.lastIndexOf(":");
      if (last <= 0) continue;
      const resource = item.slice(0, last);
      const set = actions.get(resource) ?? new Set<string>();
      for (const action of item.slice(last + 1).split(",").filter(Boolean)) set.add(action);
      actions.set(resource, set);
    }
  }
  return [...actions].map(([resource, set]) => `${resource}:${[...set].sort().join(",")}`).sort();
}

/**
 * Pure: the actions a token grants on repository `name`, when the token is a JWT with an
 * `access` claim (spec/auth/jwt); undefined when it is opaque, so only a request can tell.
 */
export function grantedActions(token: string, name: string): string[] | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { access?: { type?: string; name?: string; actions?: string[] }[] };
    if (!Array.isArray(claims.access)) return undefined;
    return claims.access.filter((a) => a?.type === "repository" && a.name === name).flatMap((a) => (Array.isArray(a.actions) ? a.actions : []));
  } catch {
    return undefined;
  }
}

/** `Basic base64(user:password)`. */
export const basicAuthorization = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
