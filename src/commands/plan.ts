import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { isSemanticReleaseError } from "../errors.js";
import { PACKAGE_NAME } from "../release/plugins.js";
import { releasePep440 } from "../version/pep440.js";
import { planProvenance } from "../provenance/steps.js";
import { reportError, withoutCredentials, type CommandIO } from "./io.js";

const USAGE = "usage: pyrelease plan [--verbose]\n";
const VERBOSE_HINT = "`pyrelease plan --verbose` shows semantic-release's whole log.";

/**
 * `pyrelease plan`: semantic-release's dry run with every credential removed, told as a
 * short plan: the version, then what each of the preset's plugins says a real run would do,
 * and every warning. `--verbose` streams semantic-release's own log instead of hiding it.
 * A refusal is printed as its codes, messages and fixes, never as a stack trace.
 */
export async function planCommand(argv: string[], io: CommandIO): Promise<number> {
  let verbose: boolean;
  try {
    verbose = parseArgs({ args: argv, options: { verbose: { type: "boolean", short: "v" } } }).values.verbose === true;
  } catch {
    io.stderr(USAGE);
    return 2;
  }
  const env = withoutCredentials(io.env);
  let log = "";
  const sink = new Writable({
    write: (chunk, _encoding, done) => {
      if (verbose) io.stdout(String(chunk));
      else log += String(chunk);
      done();
    },
  });
  try {
    const { default: semanticRelease } = await import("semantic-release");
    const result = await semanticRelease({ dryRun: true, ci: false }, { cwd: io.cwd, env, stdout: sink as NodeJS.WriteStream, stderr: sink as NodeJS.WriteStream });
    const said = verbose ? [] : planLines(log, result ? "verifyRelease" : "analyzeCommits");
    if (!result) {
      io.stdout(["Plan: no release (no relevant commits since the last release, a held release, or not a release branch).", ...said.map((line) => `  ${line}`), ""].join("\n"));
      return 0;
    }
    const { nextRelease, lastRelease } = result;
    const head =
      `Plan: ${lastRelease.version ? `${lastRelease.version} → ` : "first release "}${nextRelease.version} ` +
      `(PEP 440 ${releasePep440(nextRelease.version)}), ${nextRelease.type} release, tag ${nextRelease.gitTag}, channel ${nextRelease.channel ?? "default"}.`;
    // Judged on the environment as given: the dry run above ran without its credentials.
    const provenance = await planProvenance(io.cwd, io.env);
    io.stdout([head, ...said.map((line) => `  ${line}`), `  ${provenance}`, `Nothing was built, pushed or uploaded.${verbose ? "" : ` ${VERBOSE_HINT}`}`, ""].join("\n"));
    return 0;
  } catch (error) {
    const errors = errorsOf(error);
    if (errors.every(isSemanticReleaseError)) {
      reportError(new AggregateError(errors), io);
    } else {
      // Not a user's mistake: the message here, the stack in the verbose log.
      for (const each of errors) io.stderr(`✖ ${each instanceof Error ? each.message : String(each)}\n`);
    }
    if (!verbose) io.stderr(`Nothing was built, pushed or uploaded. ${VERBOSE_HINT}\n`);
    return 1;
  }
}

/** Every error inside semantic-release's aggregate (the `aggregate-error` package's, not the built-in class). */
function errorsOf(error: unknown): unknown[] {
  const inner = (error as { errors?: unknown })?.errors;
  return Array.isArray(inner) && inner.length ? inner.flatMap(errorsOf) : [error];
}

const PLUGIN_LINE = new RegExp(`\\[semantic-release\\] \\[${PACKAGE_NAME.replace(/-/g, "\\-")}/(\\w+)\\] › (\\S+)\\s+(.*)$`);
const STEP_LINE = /\[semantic-release\] › \S+\s+Start step "(\w+)"/;
/** What the commit analyzer says of every single commit: the plan keeps only its summary. */
const PER_COMMIT = /^(Analyzing commit:|The release type for the commit is|The commit should not trigger a release)/;

/**
 * Pure: the lines of semantic-release's log that make the plan: what the preset's plugins
 * said in `step` (verifyRelease: what a real run would do; analyzeCommits: why there is no
 * release), then every warning they gave; each once.
 */
export function planLines(log: string, step: "verifyRelease" | "analyzeCommits"): string[] {
  const lines: string[] = [];
  const warnings: string[] = [];
  let current = "";
  for (const line of log.split("\n")) {
    const started = STEP_LINE.exec(line);
    if (started) {
      current = started[1];
      continue;
    }
    const said = PLUGIN_LINE.exec(line);
    if (!said) continue;
    const [, , level, text] = said;
    const warning = level === "⚠";
    if (!warning && (current !== step || PER_COMMIT.test(text))) continue;
    const list = warning ? warnings : lines;
    const entry = warning ? `⚠ ${text}` : text;
    if (!list.includes(entry)) list.push(entry);
  }
  return [...lines, ...warnings];
}
