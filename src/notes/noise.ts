/** A rule that keeps a commit out of the notes' sections; `name` tells the curator why. */
export interface IgnoreRule {
  name: string;
  pattern: RegExp;
}

/**
 * The built-in noise, tested against the commit header (its first line). A conventional
 * type does not save a commit: `fix: typo in docstring` is still a typo fix.
 */
export const BUILTIN_IGNORE_RULES: Readonly<Record<string, RegExp>> = Object.freeze({
  wip: /(^|[\s:(])wip\b/i,
  typo: /\btypos?\b/i,
  merge: /^Merge (branch|pull request|remote-tracking branch|tag|commit) /,
  fixup: /^(fixup|squash|amend)! /,
});

/** A built-in rule by name, or a `/pattern/flags` string; undefined when it is neither. */
export function parseIgnoreRule(text: string): IgnoreRule | undefined {
  const builtin = BUILTIN_IGNORE_RULES[text];
  if (builtin) return { name: text, pattern: builtin };
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(text);
  if (!literal) return undefined;
  try {
    // `g`/`y` make RegExp.test stateful: the same rule would match every other commit.
    return { name: text, pattern: new RegExp(literal[1], literal[2].replace(/[gy]/g, "")) };
  } catch {
    return undefined;
  }
}

/** The first rule whose pattern matches the header. */
export function matchIgnoreRule(header: string, rules: readonly IgnoreRule[]): IgnoreRule | undefined {
  return rules.find((rule) => rule.pattern.test(header));
}
