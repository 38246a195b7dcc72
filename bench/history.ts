import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRepo, exampleVersionFiles, git, type TempRepo } from "../test/support/repo.js";
import { PSR_TABLE } from "./psr.js";

const TYPES = ["feat", "fix", "fix", "chore", "docs", "refactor", "perf", "test", "ci", "build"];
const SCOPES = ["backends", "cli", "energy", "docker", "", "notes", "deps"];

/** Pure: the conventional commit message of history commit `i` (no breaking changes: the next release is a minor). */
export function historyMessage(i: number): string {
  const type = TYPES[i % TYPES.length];
  const scope = SCOPES[(i * 7) % SCOPES.length];
  const body = i % 5 === 0 ? `\n\nMeasure the energy of batch ${i} with the sampled power readings.\n\nRefs: #${1000 + i}` : "";
  return `${type}${scope ? `(${scope})` : ""}: change ${i} to the measurement loop${body}`;
}

/** The example's pyproject.toml (with python-semantic-release's table) and uv.lock at `version`. */
function versionFiles(version: string): Record<string, string> {
  const files = exampleVersionFiles(version);
  return { ...files, "pyproject.toml": `${files["pyproject.toml"]}${PSR_TABLE}` };
}

function data(text: string): string {
  return `data ${Buffer.byteLength(text)}\n${text}\n`;
}

/**
 * The example project released as v1.0.0, then `commits` conventional commits written
 * with one `git fast-import` (each touches one of a few files; the last also bumps
 * pyproject.toml to 1.1.0, as a maintainer does in verify mode), pushed to the bare remote.
 * pyproject.toml also carries python-semantic-release's table, so both tools run on one history.
 */
export function historyRepo(commits: number, releaserc: Record<string, unknown>): TempRepo {
  const repo = createRepo({ files: versionFiles("1.0.0"), releaserc });
  // Dates only move forward from the tagged commit: `git tag --merged` cuts its walk off by commit date.
  const start = Date.UTC(2025, 0, 1) / 1000;
  const dated = { GIT_AUTHOR_DATE: `${start} +0000`, GIT_COMMITTER_DATE: `${start} +0000` };
  git(repo.dir, ["add", "-A"]);
  git(repo.dir, ["commit", "-q", "-m", "feat: first release"], dated);
  git(repo.dir, ["push", "-q", "origin", "HEAD:main"]);
  repo.tag("v1.0.0");
  const chunks: string[] = [];
  for (let i = 1; i <= commits; i++) {
    const when = `${start + i * 60} +0000`;
    chunks.push(`commit refs/heads/main\nauthor Test Author <author@example.com> ${when}\ncommitter Test Author <author@example.com> ${when}\n`);
    chunks.push(data(historyMessage(i)));
    if (i === 1) chunks.push(`from ${git(repo.dir, ["rev-parse", "HEAD"])}\n`);
    chunks.push(`M 100644 inline src/llenergymeasure_demo/history_${i % 8}.txt\n${data(`change ${i}\n`)}`);
    if (i === commits) for (const [path, text] of Object.entries(versionFiles("1.1.0"))) chunks.push(`M 100644 inline ${path}\n${data(text)}`);
    chunks.push("\n");
  }
  execFileSync("git", ["fast-import", "--quiet", "--force"], { cwd: repo.dir, input: chunks.join(""), stdio: ["pipe", "ignore", "inherit"], maxBuffer: 1 << 30 });
  git(repo.dir, ["reset", "-q", "--hard", "main"]);
  git(repo.dir, ["push", "-q", "origin", "main"]);
  return repo;
}

/** Point the repository at another release config without committing it (semantic-release reads the file, not git). */
export function useConfig(repo: TempRepo, releaserc: Record<string, unknown>): void {
  writeFileSync(join(repo.dir, ".releaserc.json"), JSON.stringify(releaserc, null, 2));
}
