import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OLDEST_PYTHON, TEST_CACHE } from "../test/support/python.js";
import { cleanEnv, PACKAGE_ROOT } from "../test/support/repo.js";
import { TIME_BIN, type DryRun } from "./dry-run.js";

const REQUIREMENTS = join(PACKAGE_ROOT, "bench", "requirements-psr.txt");

/** What python-semantic-release needs in pyproject.toml to read and write the version (its `version_toml` setting). */
export const PSR_TABLE = '\n[tool.semantic_release]\nversion_toml = ["pyproject.toml:project.version"]\n';

/** A venv with the pinned python-semantic-release, made once and cached by the requirements file's hash (beside the tests' toolchain). */
export function ensurePsr(): string {
  const hash = createHash("sha256").update(readFileSync(REQUIREMENTS)).digest("hex").slice(0, 16);
  const dir = join(TEST_CACHE, `bench-psr-${hash}`);
  const bin = join(dir, "bin", "semantic-release");
  if (existsSync(join(dir, ".complete"))) return bin;
  mkdirSync(TEST_CACHE, { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  execFileSync(OLDEST_PYTHON, ["-m", "venv", dir], { stdio: "inherit" });
  execFileSync(join(dir, "bin", "python"), ["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", REQUIREMENTS], { stdio: "inherit" });
  writeFileSync(join(dir, ".complete"), `${new Date().toISOString()}\n`);
  return bin;
}

/**
 * `semantic-release --noop version --print` (python-semantic-release: compute the next
 * version from the commits since the last tag, print it, change nothing), timed from
 * spawn to exit under GNU time. Fails unless it prints a version.
 */
export function psrNextVersion(bin: string, cwd: string): Promise<DryRun> {
  const scratch = mkdtempSync(join(tmpdir(), "pyrelease-bench-psr-"));
  const timeFile = join(scratch, "time.txt");
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(TIME_BIN, ["-f", "%M", "-o", timeFile, bin, "--noop", "version", "--print"], { cwd, env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.on("data", (c) => ((stdout += c), (output += c)));
    child.stderr.on("data", (c) => (output += c));
    child.on("error", reject);
    child.on("close", (code) => {
      const elapsed = performance.now() - started;
      try {
        const nextVersion = stdout.trim().split("\n").pop()?.trim();
        if (code !== 0 || !nextVersion || !/^\d+\.\d+\.\d+/.test(nextVersion)) return reject(new Error(`python-semantic-release exited ${code} in ${cwd}:\n${output.slice(-4000)}`));
        resolve({ ms: elapsed, peakKiB: Number(readFileSync(timeFile, "utf8").trim().split("\n").pop()), nextVersion });
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    });
  });
}
