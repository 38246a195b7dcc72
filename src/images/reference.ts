/**
 * The Docker reference grammar (github.com/distribution/reference, grammar in reference.go):
 *
 *   reference       := name [ ":" tag ] [ "@" digest ]
 *   name            := [domain '/'] remote-name
 *   domain          := host [':' port-number]
 *   host            := domain-name | IPv4address | '[' IPv6address ']'
 *   domain-name     := domain-component ['.' domain-component]*
 *   domain-component:= /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   remote-name     := path-component ['/' path-component]*
 *   path-component  := alpha-numeric [separator alpha-numeric]*
 *   alpha-numeric   := /[a-z0-9]+/
 *   separator       := /[_.]|__|[-]+/
 *   tag             := /[\w][\w.-]{0,127}/
 *   digest          := algorithm ":" encoded
 *
 * The first component is a domain when it has a "." or ":" or is "localhost"; otherwise
 * the name is on docker.io. A name is at most 255 characters.
 */
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const NAME_MAX = 255;

export interface ParsedName {
  /** The registry host as written (`docker.io` when none is). */
  domain: string;
  /** The repository path on that registry. */
  path: string;
}

export type NameCheck = ({ ok: true } & ParsedName) | { ok: false; reason: string };

/** Pure: is `name` (no tag, no digest) a valid repository name? */
export function checkName(name: string): NameCheck {
  if (name.length === 0) return { ok: false, reason: "the name is empty" };
  if (name.length > NAME_MAX) return { ok: false, reason: `the name is longer than ${NAME_MAX} characters` };
  const parts = name.split("/");
  let domain = "docker.io";
  if (parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost")) {
    domain = parts.shift()!;
    if (!DOMAIN.test(domain)) return { ok: false, reason: `"${domain}" is not a registry host[:port]` };
  }
  for (const part of parts) {
    if (part !== part.toLowerCase()) return { ok: false, reason: `repository names must be lower-case ("${part}")` };
    if (!PATH_COMPONENT.test(part))
      return { ok: false, reason: `"${part}" is not a name component (letters a-z, digits, separated by ".", "_", "__" or "-")` };
  }
  return { ok: true, domain, path: parts.join("/") };
}

/** Pure: the reason `tag` is not a valid tag, or undefined when it is one. */
export function checkTag(tag: string): string | undefined {
  if (tag.length > 128) return "a tag is at most 128 characters";
  if (!TAG.test(tag)) return 'a tag is letters, digits, "_", "." and "-", not starting with "." or "-"';
  return undefined;
}

/** Pure: the reason `reference` (`name[:tag][@digest]`) is invalid, or undefined when it is valid. */
export function checkReference(reference: string): string | undefined {
  let rest = reference;
  const at = rest.indexOf("@");
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    if (!DIGEST.test(digest)) return `"${digest}" is not a digest (algorithm:hex)`;
    rest = rest.slice(0, at);
  }
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    const reason = checkTag(rest.slice(colon + 1));
    if (reason) return reason;
    rest = rest.slice(0, colon);
  }
  const name = checkName(rest);
  return name.ok ? undefined : name.reason;
}
