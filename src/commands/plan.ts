import { Writable } from "node:stream";
import { releasePep440 } from "../version/release.js";
import { planProvenance } from "../provenance/steps.js";
import { reportError, type CommandIO } from "./io.js";

/** Credentials a plan never uses: it shows what would happen, it does nothing. */
const CREDENTIALS = /^(GITHUB_TOKEN|GH_TOKEN|ACTIONS_ID_TOKEN_REQUEST_TOKEN|ACTIONS_ID_TOKEN_REQUEST_URL|PYPI_ID_TOKEN|TESTPYPI_ID_TOKEN|PYPI_TOKEN|DOCKERHUB_TOKEN|DOCKERHUB_USERNAME|SIGSTORE_ID_TOKEN)$/;

/** `pyrelease plan`: semantic-release's dry run with every credential removed, then a summary. */
export async function planCommand(_argv: string[], io: CommandIO): Promise<number> {
  const env = Object.fromEntries(Object.entries(io.env).filter(([key]) => !CREDENTIALS.test(key)));
  const sink = new Writable({ write: (chunk, _encoding, done) => (io.stdout(String(chunk)), done()) });
  try {
    const { default: semanticRelease } = await import("semantic-release");
    const result = await semanticRelease({ dryRun: true, ci: false }, { cwd: io.cwd, env, stdout: sink as NodeJS.WriteStream, stderr: sink as NodeJS.WriteStream });
    if (!result) {
      io.stdout("\nPlan: no release (no relevant commits since the last release, or not a release branch).\n");
      return 0;
    }
    const { nextRelease, lastRelease } = result;
    io.stdout(
      `\nPlan: ${lastRelease.version ? `${lastRelease.version} → ` : "first release "}${nextRelease.version} ` +
        `(PEP 440 ${releasePep440(nextRelease.version)}), ${nextRelease.type} release, tag ${nextRelease.gitTag}, ` +
        `channel ${nextRelease.channel ?? "default"}; the GitHub release will be a draft. Nothing was built, pushed or uploaded.\n`,
    );
    // Judged on the environment as given: the dry run above ran without its credentials.
    io.stdout(`${await planProvenance(io.cwd, io.env)}\n`);
    return 0;
  } catch (error) {
    return reportError(error, io);
  }
}
