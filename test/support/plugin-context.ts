import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { format } from "node:util";
import type { Context } from "../../src/context.js";
import { EXAMPLE_DIR, GITHUB_REPO_URL, git } from "./repo.js";
import { OLDEST_PYTHON } from "./tools.js";

/**
 * What the fast tests need to call plugin steps directly the way semantic-release does:
 * a committed copy of the example project, a context whose logger and stdout are captured,
 * and a stand-in Python interpreter that records its argv and can fake a build.
 */

export interface Project {
  dir: string;
  gitHead: string;
  cleanup(): void;
}

/** A git-committed copy of the example project; `null` deletes a file, a string writes it. */
export function makeProject(files: Record<string, string | null> = {}): Project {
  const root = mkdtempSync(join(tmpdir(), "pyrelease-project-"));
  const dir = join(root, "project");
  cpSync(EXAMPLE_DIR, dir, { recursive: true, filter: (src) => !/(^|\/)(dist|__pycache__|\.venv)$/.test(src) });
  for (const [path, content] of Object.entries(files)) {
    const full = join(dir, path);
    if (content === null) rmSync(full, { force: true });
    else {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
  }
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "--allow-empty", "-m", "feat: demo"]);
  return { dir, gitHead: git(dir, ["rev-parse", "HEAD"]), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export interface CapturedContext {
  context: Context;
  /** Everything the steps logged or wrote to stdout. */
  output(): string;
}

export interface ContextOptions {
  cwd: string;
  gitHead?: string;
  version?: string;
  env?: Record<string, string | undefined>;
  options?: Record<string, unknown>;
  branch?: Context["branch"];
}

export function pluginContext(options: ContextOptions): CapturedContext {
  let buffer = "";
  const line = (level: string) => (...args: unknown[]) => void (buffer += `[${level}] ${format(...args)}\n`);
  const version = options.version ?? "2.0.0";
  const context: Context = {
    cwd: options.cwd,
    env: options.env ?? {},
    logger: { log: line("log"), warn: line("warn"), error: line("error"), success: line("success") },
    stdout: { write: (text: string) => ((buffer += text), true) } as unknown as NodeJS.WriteStream,
    stderr: { write: (text: string) => ((buffer += text), true) } as unknown as NodeJS.WriteStream,
    options: { dryRun: false, tagFormat: "v${version}", repositoryUrl: GITHUB_REPO_URL, ...(options.options ?? {}) },
    branch: options.branch ?? { name: "main", type: "release", main: true },
    nextRelease: { version, gitTag: `v${version}`, gitHead: options.gitHead ?? "0".repeat(40), channel: null, type: "major", notes: "## Notes\n" },
    releases: [],
  };
  return { context, output: () => buffer };
}

export interface ErrorFacts {
  code: string;
  message: string;
  details: string;
  stack: string;
}

/** Every error a step threw (an AggregateError is unpacked). */
export function errorsOf(error: unknown): ErrorFacts[] {
  const list = error instanceof AggregateError ? error.errors : [error];
  return list.map((e: any) => ({ code: String(e?.code ?? ""), message: String(e?.message ?? e), details: String(e?.details ?? ""), stack: String(e?.stack ?? "") }));
}

/** A frame of a stack trace: a user mistake must not print one. */
export const STACK_FRAME = /\n\s+at .+:\d+:\d+/;

export interface FakeDist {
  name: string;
  version: string;
  metadataVersion: string;
}

export interface FakePython {
  /** The executable to give as `pypi.python`. */
  path: string;
  /** Every argv (without the program) it was run with, in order. */
  calls(): string[][];
  cleanup(): void;
}

/**
 * A `python` that records its argv as JSON lines and otherwise runs the system Python,
 * except that it can claim another twine version and "build" hand-made dists with the
 * core metadata version of our choice (the metadata a current hatchling writes, say).
 */
export function fakePython(options: { twine?: string; dist?: FakeDist; dirName?: string } = {}): FakePython {
  const root = mkdtempSync(join(tmpdir(), "pyrelease-python-"));
  const dir = join(root, options.dirName ?? "bin");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify({ twine: options.twine, dist: options.dist }));
  const script = `#!${OLDEST_PYTHON}
import io, json, os, sys, tarfile, zipfile
HERE = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
with open(os.path.join(HERE, "argv.jsonl"), "a") as log:
    log.write(json.dumps(args) + "\\n")
cfg = json.load(open(os.path.join(HERE, "config.json")))
if args[:2] == ["-m", "twine"] and args[2:] == ["--version"] and cfg.get("twine"):
    print("twine version %s (pkginfo: 1.8.2)" % cfg["twine"])
    sys.exit(0)
if args[:2] == ["-m", "build"] and "--outdir" in args and cfg.get("dist"):
    d = cfg["dist"]
    out = args[args.index("--outdir") + 1]
    stem = "%s-%s" % (d["name"].replace("-", "_"), d["version"])
    meta = "Metadata-Version: %s\\nName: %s\\nVersion: %s\\nSummary: demo\\nDescription-Content-Type: text/plain\\n\\nA demo.\\n" % (d["metadataVersion"], d["name"], d["version"])
    with zipfile.ZipFile(os.path.join(out, stem + "-py3-none-any.whl"), "w") as z:
        z.writestr(stem + ".dist-info/METADATA", meta)
        z.writestr(stem + ".dist-info/WHEEL", "Wheel-Version: 1.0\\nGenerator: fake\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
        z.writestr(stem + ".dist-info/RECORD", "")
    with tarfile.open(os.path.join(out, stem + ".tar.gz"), "w:gz") as t:
        data = meta.encode()
        info = tarfile.TarInfo(stem + "/PKG-INFO")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    print("Successfully built " + stem)
    sys.exit(0)
os.execv(${JSON.stringify(OLDEST_PYTHON)}, [${JSON.stringify(OLDEST_PYTHON)}] + args)
`;
  const path = join(dir, "python3");
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  const log = join(dir, "argv.jsonl");
  return {
    path,
    calls: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
