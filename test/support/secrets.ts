import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Secret hygiene: look for every secret of a run (request token, ID tokens, minted
 * tokens, PYPI_TOKEN, registry password, GitHub token) in its full output and in every
 * file the plugins wrote. `::add-mask::` lines are the one place a secret may appear: they
 * are how GitHub Actions learns to hide it, and Actions never prints them.
 */

export interface SecretHit {
  /** Which secret (by its label, never its value). */
  secret: string;
  /** `output:<label>` or the file path. */
  where: string;
}

export interface Scan {
  secrets: Record<string, string>;
  outputs?: Record<string, string>;
  /** Files and folders (searched recursively, `.git` and `node_modules` skipped). */
  paths?: string[];
}

/** Encodings a secret could leak in besides itself: Basic auth of `__token__:<secret>`, base64, URL-encoding. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(`__token__:${secret}`).toString("base64"), Buffer.from(secret).toString("base64"), encodeURIComponent(secret)];
}

function visible(text: string): string {
  return text.split("\n").filter((line) => !line.startsWith("::add-mask::")).join("\n");
}

function* files(path: string): Generator<string> {
  if (!existsSync(path)) return;
  const stat = statSync(path);
  if (stat.isFile()) {
    yield path;
    return;
  }
  if (!stat.isDirectory()) return;
  for (const entry of readdirSync(path)) {
    if (entry === ".git" || entry === "node_modules") continue;
    yield* files(join(path, entry));
  }
}

export function scanForSecrets(scan: Scan): SecretHit[] {
  const hits: SecretHit[] = [];
  const targets: { where: string; text: string }[] = [];
  for (const [label, text] of Object.entries(scan.outputs ?? {})) targets.push({ where: `output:${label}`, text: visible(text) });
  for (const root of scan.paths ?? []) for (const file of files(root)) targets.push({ where: file, text: visible(readFileSync(file).toString("latin1")) });
  for (const [label, secret] of Object.entries(scan.secrets)) {
    if (!secret || secret.length < 6) continue;
    for (const target of targets) {
      if (forms(secret).some((form) => target.text.includes(form))) hits.push({ secret: label, where: target.where });
    }
  }
  return hits;
}

/** A readable failure message: which secret, where; never the value. */
export function describeHits(hits: readonly SecretHit[]): string {
  return hits.map((h) => `${h.secret} found in ${h.where}`).join("\n");
}
