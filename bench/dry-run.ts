import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnv, SEMANTIC_RELEASE_BIN } from "../test/support/repo.js";

export const TIME_BIN = "/usr/bin/time";

export const PRESET_CONFIG = {
  extends: "semantic-release-config-pyproject",
  pypi: { python: "/usr/bin/python3", buildArgs: ["--no-isolation", "--skip-dependency-check"] },
  provenance: { enabled: false },
};
export const BARE_CONFIG = { plugins: ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator"] };

export interface DryRun {
  ms: number;
  /** Peak resident set of the semantic-release process (GNU time's %M), in KiB. */
  peakKiB: number;
  nextVersion?: string;
}

const IDENTITY = { GIT_AUTHOR_NAME: "Test Author", GIT_AUTHOR_EMAIL: "author@example.com", GIT_COMMITTER_NAME: "Test Author", GIT_COMMITTER_EMAIL: "author@example.com" };

/**
 * `semantic-release --dry-run --no-ci` in `cwd`, timed from spawn to exit, under GNU time
 * for the peak RSS. `nodeArgs` (e.g. --cpu-prof) go to node. Fails when the run fails.
 */
export function dryRun(cwd: string, nodeArgs: string[] = []): Promise<DryRun> {
  const scratch = mkdtempSync(join(tmpdir(), "pyrelease-bench-time-"));
  const timeFile = join(scratch, "time.txt");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(TIME_BIN, ["-f", "%M", "-o", timeFile, process.execPath, ...nodeArgs, SEMANTIC_RELEASE_BIN, "--dry-run", "--no-ci"], {
      cwd,
      env: cleanEnv(IDENTITY),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    child.on("error", reject);
    child.on("close", (code) => {
      const elapsed = performance.now() - started;
      try {
        if (code !== 0) return reject(new Error(`semantic-release --dry-run exited ${code} in ${cwd}:\n${output.slice(-4000)}`));
        const peakKiB = Number(readFileSync(timeFile, "utf8").trim().split("\n").pop());
        const nextVersion = /next release version is (\S+)/.exec(output)?.[1];
        if (!nextVersion) return reject(new Error(`semantic-release --dry-run found no release in ${cwd}:\n${output.slice(-4000)}`));
        resolve({ ms: elapsed, peakKiB, nextVersion });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}
