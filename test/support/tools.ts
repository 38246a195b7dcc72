import { execFileSync } from "node:child_process";
import { CURRENT_PYTHON, OLDEST_PYTHON } from "./python.js";

export { CURRENT_PYTHON, OLDEST_PYTHON };

/**
 * A test that needs a system tool fails at once, naming the Debian package, when the tool
 * is absent: `.ci/run` installs every one, and a test that quietly skipped would hide a
 * broken install.
 */
export function hasTool(argv: string[]): boolean {
  try {
    execFileSync(argv[0], argv.slice(1), { stdio: "ignore", timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Returns true when the tool is there; otherwise throws, naming the package that brings it. */
export function needTool(argv: string[], debianPackage: string): true {
  if (hasTool(argv)) return true;
  throw new Error(`needs \`${argv.join(" ")}\`: apt-get install ${debianPackage} (or run .ci/run, which installs every tool the tests use)`);
}

/** The current toolchain's venv (jest's global setup makes it) and Debian's python3-build, twine and hatchling. */
export function needPythonTools(): true {
  return (
    needTool([CURRENT_PYTHON, "-c", "import build, twine, hatchling"], "python3-venv (jest's global setup then installs test/python/requirements-current.txt)") &&
    needTool([OLDEST_PYTHON, "-c", "import build, twine, hatchling"], "python3-build twine python3-hatchling")
  );
}
