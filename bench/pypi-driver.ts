/**
 * Runs in its own process: loads one PyPI plugin (ours or semantic-release-pypi) and runs
 * the given lifecycle steps with a semantic-release-like context, then prints one JSON
 * line `{ steps: { name: ms }, totalMs }` (totalMs: the timed steps only). Its own process because the peer reads
 * `process.env` and resolves paths against `process.cwd()`.
 *
 * argv[2]: JSON DriverRequest
 */
import { Writable } from "node:stream";
import { format } from "node:util";
import { pathToFileURL } from "node:url";

export interface DriverRequest {
  module: string;
  steps: string[];
  /** Steps run first and reported, but left out of totalMs (verifyConditions: in a real run it has already run in this process). */
  untimed?: string[];
  cwd: string;
  env: Record<string, string>;
  pluginConfig: Record<string, unknown>;
  version: string;
  gitHead: string;
}

async function main() {
  const request = JSON.parse(process.argv[2]) as DriverRequest;
  process.chdir(request.cwd);
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, request.env);
  let log = "";
  const sink = new Writable({ write: (chunk, _encoding, done) => ((log += chunk), done()) });
  const line = (level: string) => (...args: unknown[]) => void (log += `[${level}] ${format(...args)}\n`);
  const context = {
    cwd: request.cwd,
    env: { ...request.env },
    logger: { log: line("log"), warn: line("warn"), error: line("error"), success: line("success") },
    stdout: sink,
    stderr: sink,
    options: { dryRun: false, tagFormat: "v${version}", repositoryUrl: "https://github.com/o/r.git" },
    branch: { name: "main", type: "release", main: true },
    lastRelease: {},
    nextRelease: { version: request.version, gitTag: `v${request.version}`, gitHead: request.gitHead, channel: null, type: "major", notes: "" },
    commits: [],
    releases: [],
  };
  const plugin = await import(pathToFileURL(request.module).href);
  const steps: Record<string, number> = {};
  let totalMs = 0;
  try {
    for (const step of [...(request.untimed ?? []), ...request.steps]) {
      const t = performance.now();
      await plugin[step](request.pluginConfig, context);
      steps[step] = performance.now() - t;
      if (request.steps.includes(step)) totalMs += steps[step];
    }
  } catch (error) {
    process.stderr.write(`${log}\n${(error as Error)?.stack ?? error}\n${(error as { details?: string }).details ?? ""}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ steps, totalMs })}\n`);
}

await main();
