import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "./paths.js";

/**
 * The two Python toolchains the tests release with:
 * - the oldest supported: Debian 12's python3-build 0.9 and twine 4.0.2, on /usr/bin/python3;
 * - the current one: the versions pinned in test/python/requirements-current.txt, installed
 *   from PyPI into a venv that jest's global setup creates once and caches by the file's hash.
 */
export const OLDEST_PYTHON = "/usr/bin/python3";

const REQUIREMENTS = join(PACKAGE_ROOT, "test", "python", "requirements-current.txt");

/** Where the tests cache what they fetch (the venv, real projects' sdists): outside the work tree, shared by checkouts. */
export const TEST_CACHE = process.env.PYRELEASE_TEST_CACHE ?? join(homedir(), ".cache", "pyrelease-test");

const requirementsHash = () => createHash("sha256").update(readFileSync(REQUIREMENTS)).digest("hex").slice(0, 16);
const venvDir = () => join(TEST_CACHE, `python-current-${requirementsHash()}`);

/** The interpreter of the current toolchain's venv. */
export const CURRENT_PYTHON = join(venvDir(), "bin", "python");
/** `uv` from the same venv. */
export const CURRENT_UV = join(venvDir(), "bin", "uv");

/**
 * Create the current toolchain's venv unless it is complete. A lock folder keeps two test
 * runs (two checkouts) from building it at once; a venv holds absolute paths, so it is built
 * in place and marked complete last.
 */
export function ensureCurrentToolchain(): void {
  const dir = venvDir();
  const done = join(dir, ".complete");
  if (existsSync(done)) return;
  mkdirSync(TEST_CACHE, { recursive: true });
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(done)) return;
      // A lock older than ten minutes belongs to a run that died.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 10 minutes for ${lock}`);
      execFileSync("sleep", ["1"]);
    }
  }
  try {
    if (existsSync(done)) return;
    rmSync(dir, { recursive: true, force: true });
    execFileSync(OLDEST_PYTHON, ["-m", "venv", dir], { stdio: "inherit" });
    execFileSync(join(dir, "bin", "python"), ["-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", REQUIREMENTS], { stdio: "inherit" });
    writeFileSync(done, `${new Date().toISOString()}\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
