import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { format } from "node:util";
import type { Context } from "../../src/context.js";
import { EXAMPLE_DIR, GITHUB_REPO_URL, git } from "./repo.js";
import { CURRENT_PYTHON } from "./tools.js";

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
 * A `python` that records its argv as JSON lines and otherwise runs a real interpreter
 * (`base`: the current toolchain unless told), except that `-m build` "builds" hand-made
 * dists with the name, version and core metadata version of our choice (the metadata a
 * future backend writes, say). They are real enough for twine 7 and PyPI's rules: an sdist
 * with one top-level folder holding PKG-INFO and the project's pyproject.toml; a wheel
 * with METADATA, WHEEL and RECORD. `--sdist`/`--wheel` build one kind, as build does.
 */
export function fakePython(options: { base?: string; dist?: FakeDist; dirName?: string } = {}): FakePython {
  const base = options.base ?? CURRENT_PYTHON;
  const root = mkdtempSync(join(tmpdir(), "pyrelease-python-"));
  const dir = join(root, options.dirName ?? "bin");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify({ dist: options.dist }));
  const script = `#!${base}
import base64, hashlib, io, json, os, sys, tarfile, zipfile
HERE = os.path.dirname(os.path.abspath(__file__))
args = sys.argv[1:]
with open(os.path.join(HERE, "argv.jsonl"), "a") as log:
    log.write(json.dumps(args) + "\\n")
cfg = json.load(open(os.path.join(HERE, "config.json")))
if args[:2] == ["-m", "build"] and "--outdir" in args and cfg.get("dist"):
    d = cfg["dist"]
    out = args[args.index("--outdir") + 1]
    project = args[-1]
    stem = "%s-%s" % (d["name"].replace("-", "_"), d["version"])
    meta = "Metadata-Version: %s\\nName: %s\\nVersion: %s\\nSummary: demo\\nDescription-Content-Type: text/plain\\n\\nA demo.\\n" % (d["metadataVersion"], d["name"], d["version"])
    if "--sdist" not in args:
        files = {stem + ".dist-info/METADATA": meta, stem + ".dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: fake\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
        record = "".join("%s,sha256=%s,%d\\n" % (n, base64.urlsafe_b64encode(hashlib.sha256(c.encode()).digest()).rstrip(b"=").decode(), len(c)) for n, c in files.items())
        files[stem + ".dist-info/RECORD"] = record + stem + ".dist-info/RECORD,,\\n"
        with zipfile.ZipFile(os.path.join(out, stem + "-py3-none-any.whl"), "w", zipfile.ZIP_DEFLATED) as z:
            for n, c in files.items():
                z.writestr(n, c)
    if "--wheel" not in args:
        with tarfile.open(os.path.join(out, stem + ".tar.gz"), "w:gz") as t:
            folder = tarfile.TarInfo(stem)
            folder.type = tarfile.DIRTYPE
            folder.mode = 0o755
            t.addfile(folder)
            for name, data in (("PKG-INFO", meta.encode()), ("pyproject.toml", open(os.path.join(project, "pyproject.toml"), "rb").read())):
                info = tarfile.TarInfo(stem + "/" + name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    print("Successfully built " + stem)
    sys.exit(0)
os.execv(${JSON.stringify(base)}, [${JSON.stringify(base)}] + args)
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
