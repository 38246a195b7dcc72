import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PACKAGE_ROOT } from "./paths.js";
import { TEST_CACHE } from "./python.js";
import { createRepo, git, type TempRepo } from "./repo.js";

/** One entry of test/corpus/projects.json. */
export interface CorpusProject {
  name: string;
  version: string;
  backend: string;
  versionSource: string;
  sdist: { filename: string; url: string; sha256: string };
  previous: string;
  commit: string;
  steps: CorpusStep[];
  byteIdentical: { sdist?: boolean; wheel?: boolean };
}

export interface CorpusStep {
  /** Merged into .releaserc.json (and committed) before the run. */
  config?: Record<string, Record<string, unknown>>;
  /** What the user changes in the project, following the previous step's error. */
  edit?: "importlib-metadata" | "static-version";
  env?: Record<string, string>;
  expect: { released: string[] } | { refused: string[] };
}

export function readCorpus(): CorpusProject[] {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, "test", "corpus", "projects.json"), "utf8")).projects;
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The sdist's bytes: from the cache, else from PyPI; the pinned sha256 is checked either way. */
export async function fetchSdist(project: CorpusProject): Promise<string> {
  const dir = join(TEST_CACHE, "sdists");
  const path = join(dir, `${project.sdist.sha256}-${project.sdist.filename}`);
  if (existsSync(path) && sha256(readFileSync(path)) === project.sdist.sha256) return path;
  mkdirSync(dir, { recursive: true });
  const response = await fetch(project.sdist.url);
  if (!response.ok) throw new Error(`GET ${project.sdist.url}: HTTP ${response.status}`);
  const data = Buffer.from(await response.arrayBuffer());
  const got = sha256(data);
  if (got !== project.sdist.sha256) throw new Error(`${project.sdist.filename}: sha256 ${got}, pinned ${project.sdist.sha256}`);
  const partial = `${path}.${process.pid}.part`;
  writeFileSync(partial, data);
  renameSync(partial, path);
  return path;
}

/**
 * The sdist's tree as its project's repository would hold it: what the build generated
 * (PKG-INFO, *.egg-info, setuptools' [egg_info] block, poetry-core 1's setup.py) removed,
 * and the gitlink file of a submodule that git cannot hold.
 */
export function extractSource(sdist: string): string {
  const dir = mkdtempSync(join(tmpdir(), "pyrelease-corpus-src-"));
  execFileSync("tar", ["-xzf", sdist, "--strip-components=1", "-C", dir]);
  rmSync(join(dir, "PKG-INFO"), { force: true });
  for (const entry of readdirSync(dir)) if (entry.endsWith(".egg-info")) rmSync(join(dir, entry), { recursive: true, force: true });
  for (const root of [dir, join(dir, "src")]) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) if (entry.endsWith(".egg-info")) rmSync(join(root, entry), { recursive: true, force: true });
  }
  const setupCfg = join(dir, "setup.cfg");
  if (existsSync(setupCfg)) {
    const kept = readFileSync(setupCfg, "utf8").replace(/\[egg_info\]\ntag_build = \ntag_date = 0\n*/, "").trim();
    if (kept) writeFileSync(setupCfg, `${kept}\n`);
    else rmSync(setupCfg);
  }
  const setupPy = join(dir, "setup.py");
  if (existsSync(setupPy) && readFileSync(setupPy, "utf8").includes("setup_kwargs = {")) rmSync(setupPy);
  execFileSync("find", [dir, "-mindepth", "2", "-name", ".git", "-type", "f", "-delete"]);
  return dir;
}

/** Pure: `text` with every quoted occurrence of version `from` replaced by `to` on the lines `where` matches. */
export function replaceVersionLiteral(text: string, from: string, to: string, where: RegExp): string {
  return text
    .split("\n")
    .map((line) => (where.test(line) ? line.replace(new RegExp(`(["'])${from.replace(/\./g, "\\.")}\\1`), `$1${to}$1`) : line))
    .join("\n");
}

const VERSION_LINE = /^\s*version\s*=/;
const DUNDER_VERSION = /^__version__\s*(:\s*str\s*)?=\s*["']/;

/** Files of the source tree (not .git) whose lines match `pattern`. */
function filesWith(dir: string, pattern: RegExp, names: RegExp): string[] {
  const found: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === ".git" || entry.name === "node_modules") continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (names.test(entry.name) && readFileSync(path, "utf8").split("\n").some((line) => pattern.test(line))) found.push(path);
    }
  };
  walk(dir);
  return found;
}

/** Set the version everywhere the project itself writes it: pyproject.toml, Cargo.toml, and `__version__` literals. */
export function setProjectVersion(dir: string, from: string, to: string): void {
  for (const [file, where] of [
    [join(dir, "pyproject.toml"), VERSION_LINE],
    [join(dir, "Cargo.toml"), VERSION_LINE],
    ...filesWith(dir, DUNDER_VERSION, /\.py$/).map((path) => [path, DUNDER_VERSION] as const),
  ] as const) {
    if (existsSync(file)) writeFileSync(file, replaceVersionLiteral(readFileSync(file, "utf8"), from, to, where));
  }
}

/** What the EHARDCODEDVERSION advice says: read `__version__` from the installed metadata. */
export function useImportlibMetadata(dir: string, distribution: string): string[] {
  const files = filesWith(dir, DUNDER_VERSION, /\.py$/);
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    const edited = lines.map((line) => (DUNDER_VERSION.test(line) ? `from importlib.metadata import version as _distribution_version\n\n__version__ = _distribution_version(${JSON.stringify(distribution)})` : line));
    writeFileSync(file, edited.join("\n"));
  }
  return files;
}

/** Move a dynamic version into a static `[project].version` (the EDYNAMICVERSION advice). */
export function makeVersionStatic(dir: string, version: string): void {
  const file = join(dir, "pyproject.toml");
  const text = readFileSync(file, "utf8")
    .replace(/^dynamic\s*=\s*\[\s*"version"\s*\]\s*$/m, "")
    .replace(/^dynamic\s*=\s*\[([^\]]*)\]/m, (_, inner: string) => `dynamic = [${inner.split(",").filter((item) => !/"version"/.test(item)).join(",")}]`)
    .replace(/^\[project\]\s*$/m, `[project]\nversion = "${version}"`);
  writeFileSync(file, text);
}

/**
 * A repository of the project whose last release is `previous` (tagged, pushed), then
 * the release commit: for a static version the bump to `version`, as its maintainer
 * would make it in verify mode; for a dynamic one only the commit.
 */
export function corpusRepo(project: CorpusProject, source: string, releaserc: Record<string, unknown>): TempRepo {
  const repo = createRepo({ template: source, releaserc });
  setProjectVersion(repo.dir, project.version, project.previous);
  repo.commit(`chore: import ${project.name} ${project.previous}`);
  repo.tag(`v${project.previous}`);
  const dynamic = /^\s*dynamic\s*=\s*\[[^\]]*"version"/m.test(repo.read("pyproject.toml"));
  if (!dynamic || existsSync(join(repo.dir, "Cargo.toml"))) {
    const pyproject = replaceVersionLiteral(repo.read("pyproject.toml"), project.previous, project.version, VERSION_LINE);
    writeFileSync(join(repo.dir, "pyproject.toml"), pyproject);
    const cargo = join(repo.dir, "Cargo.toml");
    if (existsSync(cargo)) writeFileSync(cargo, replaceVersionLiteral(readFileSync(cargo, "utf8"), project.previous, project.version, VERSION_LINE));
  }
  repo.commit(project.commit);
  return repo;
}

/** Record the repository's state after an edit, as the user would commit it. */
export function commitAll(repo: TempRepo, message: string): void {
  git(repo.dir, ["add", "-A"]);
  repo.commit(message);
}

/** Pure: whether the project compiles an extension (its wheels are platform wheels). */
export function isCompiled(project: Pick<CorpusProject, "backend">): boolean {
  return /C extension|Rust extension/.test(project.backend);
}
