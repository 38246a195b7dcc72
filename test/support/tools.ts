import { execFileSync } from "node:child_process";
import type { TestContext } from "node:test";

/**
 * A test that needs a system tool skips, naming the Debian package, when the tool is
 * absent. With PYRELEASE_TEST_NO_SKIP=1 (set by .ci/run) an absent tool fails instead:
 * CI installs everything, so a skip there is a broken install.
 */
export function hasTool(argv: string[]): boolean {
  try {
    execFileSync(argv[0], argv.slice(1), { stdio: "ignore", timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

/** Returns true when the tool is there; otherwise skips `t` (or throws in CI) and returns false. */
export function needTool(t: TestContext, argv: string[], debianPackage: string): boolean {
  if (hasTool(argv)) return true;
  const message = `needs \`${argv.join(" ")}\`: apt-get install ${debianPackage}`;
  if (process.env.PYRELEASE_TEST_NO_SKIP === "1") throw new Error(`${message} (PYRELEASE_TEST_NO_SKIP=1 forbids skipping)`);
  t.skip(message);
  return false;
}

/** The Python that sees Debian's python3-build, twine and hatchling. */
export const SYSTEM_PYTHON = "/usr/bin/python3";

export function needPythonTools(t: TestContext): boolean {
  return (
    needTool(t, [SYSTEM_PYTHON, "-c", "import build"], "python3-build") &&
    needTool(t, [SYSTEM_PYTHON, "-m", "twine", "--version"], "twine") &&
    needTool(t, [SYSTEM_PYTHON, "-c", "import hatchling"], "python3-hatchling")
  );
}
