import { randomUUID } from "node:crypto";
import { appendFile } from "node:fs/promises";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { loadReleaseConfig } from "../config/load.js";
import { getError } from "../errors.js";
import { readPyprojectOptions } from "../pyproject/options.js";
import { writeReleaseVersion } from "../pyproject/write.js";
import { releasePep440 } from "../version/pep440.js";
import { optionsOrThrow } from "../release/options.js";
import { reportError, withoutCredentials, type CommandIO } from "./io.js";

const USAGE = "usage: pyrelease bump [--verbose]\n";


/** Plugins that build, publish or record a release: a bump does none of that, so their checks (tools, tokens) do not apply. */
const PUBLISHING_PLUGINS = new Set([
  "semantic-release-config-pyproject/artifacts",
  "semantic-release-config-pyproject/pypi",
  "semantic-release-config-pyproject/images",
  "@semantic-release/github",
  "@semantic-release/npm",
  "@semantic-release/git",
]);

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const pluginName = (plugin: unknown) => (Array.isArray(plugin) ? plugin[0] : plugin);

/** The release PR's title, by the convention of teams that release through a PR. */
export const releaseTitle = (pep440: string) => `chore: release ${pep440}`;

/**
 * `pyrelease bump`: the next version, computed from the commits the way the release will
 * (semantic-release's own dry run with the project's configuration, in write mode, with no
 * credentials), written into pyproject.toml and the lock file's record of the project and
 * nowhere else; then the release PR's title and body (the draft notes) on stdout and, in
 * GitHub Actions, as the step outputs `version`, `pep440`, `tag`, `title`, `body`, `files`.
 */
export async function bumpCommand(argv: string[], io: CommandIO): Promise<number> {
  let verbose = false;
  try {
    verbose = Boolean(parseArgs({ args: argv, options: { verbose: { type: "boolean" } } }).values.verbose);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  let log = "";
  const sink = new Writable({ write: (chunk, _encoding, done) => ((log += String(chunk)), verbose && io.stderr(String(chunk)), done()) });
  try {
    const config = await loadReleaseConfig(io.cwd);
    const options = optionsOrThrow(readPyprojectOptions, config);
    if (options.versionMode === "scm") {
      throw getError("EINVALIDCONFIG", { problems: [{ key: "pyproject.versionMode", reason: '"scm" keeps no version in pyproject.toml, so `pyrelease bump` has nothing to write: the release tag is the version' }] });
    }
    const env = withoutCredentials(io.env);
    const plugins = Array.isArray(config.plugins) ? config.plugins.filter((plugin: unknown) => !PUBLISHING_PLUGINS.has(pluginName(plugin))) : undefined;
    const { default: semanticRelease } = await import("semantic-release");
    // The gates and the milestone cadence hold the release, which is the merge of this PR; the PR itself comes first.
    const holds = releaseHolds(config);
    if (holds.length) io.stderr(`Preparing the release PR regardless of ${holds.join(" and ")}: they hold the release once the PR is merged\n`);
    const result = await semanticRelease(
      // Write mode: the version may differ from pyproject's (that is the point), and nothing else is relaxed.
      {
        dryRun: true,
        ci: false,
        ...(plugins ? { plugins } : {}),
        pyproject: { ...(config.pyproject ?? {}), versionMode: "write" },
        // A malformed value is passed on as it is, for ./analyze to report.
        gates: isObject(config.gates) || config.gates === undefined ? { ...config.gates, checks: [] } : config.gates,
        cadence: isObject(config.cadence) || config.cadence === undefined ? { ...config.cadence, minor: "immediate", major: "immediate" } : config.cadence,
      },
      { cwd: io.cwd, env, stdout: sink as NodeJS.WriteStream, stderr: sink as NodeJS.WriteStream },
    );
    if (!result) {
      io.stderr(`No release is due, nothing written: ${lastLogLine(log)}\n`);
      await writeOutputs(io.env, { version: "", pep440: "", tag: "", title: "", body: "", files: "" });
      return 0;
    }
    const { nextRelease } = result;
    const pep440 = releasePep440(nextRelease.version);
    const written = await writeReleaseVersion(io.cwd, options.path, pep440);
    io.stderr(written.changed.length ? `Wrote ${pep440} into ${written.changed.join(" and ")} (was ${written.previous})\n` : `${options.path} already holds ${pep440}\n`);
    const title = releaseTitle(pep440);
    const body = (nextRelease.notes ?? "").trim();
    io.stdout(`${title}\n\n${body}\n`);
    await writeOutputs(io.env, { version: nextRelease.version, pep440, tag: nextRelease.gitTag, title, body, files: written.changed.join(" ") });
    return 0;
  } catch (error) {
    // semantic-release throws its own AggregateError class (the aggregate-error package): unwrap it into the built-in one.
    const errors = (error as { errors?: unknown }).errors;
    return reportError(Array.isArray(errors) && !(error instanceof AggregateError) ? new AggregateError(errors) : error, io);
  }
}

/** Pure: the configured holds a release PR does not wait for (by their option names). */
export function releaseHolds(config: { gates?: { checks?: unknown }; cadence?: { minor?: unknown; major?: unknown } }): string[] {
  const holds: string[] = [];
  if (Array.isArray(config.gates?.checks) && config.gates.checks.length) holds.push(`gates.checks (${config.gates.checks.join(", ")})`);
  if (config.cadence?.minor === "milestone" || config.cadence?.major === "milestone") holds.push("the milestone cadence");
  return holds;
}

/** semantic-release's last log line, without its timestamp and badge: why there is no release. */
function lastLogLine(log: string): string {
  const lines = log.split("\n").filter((line) => line.trim());
  return (lines.at(-1) ?? "").replace(/^\[[^\]]*\]\s*\[semantic-release\]\s*›\s*\S+\s+/, "").trim() || "semantic-release found nothing to release";
}

/** `$GITHUB_OUTPUT` lines; a value with line breaks uses the documented `name<<DELIMITER` form with a delimiter that cannot occur in it. */
async function writeOutputs(env: Record<string, string | undefined>, values: Record<string, string>): Promise<void> {
  if (!env.GITHUB_OUTPUT) return;
  const lines = Object.entries(values).map(([name, value]) => {
    if (!value.includes("\n")) return `${name}=${value}\n`;
    const delimiter = `ghadelimiter_${randomUUID()}`;
    return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
  });
  await appendFile(env.GITHUB_OUTPUT, lines.join(""));
}
