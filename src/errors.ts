import SemanticReleaseError from "@semantic-release/error";

/**
 * Every failure a user can cause, in one table. Each entry turns the facts of one
 * failure into a one-line message and markdown details that say how to fix it.
 * Codes are stable: users search for them, the README lists them.
 */
type ErrorText = { message: string; details: string };

/** A path an sdist carries that the release commit does not track (pypi/sdist-content.ts). */
export interface SdistStray {
  path: string;
  files: number;
  bytes: number;
  reason: "untracked" | ".git" | "node_modules";
  ignored?: boolean;
}

/** EPROVENANCE's facts: which way signing failed, and what is known about it. */
export type SigningFailure =
  | { problem: "no-identity" }
  | { problem: "old-twine"; twineVersion: string }
  | { problem: "token"; reason: string }
  | { problem: "fulcio" | "rekor"; url: string; subject: string; reason: string; attempts: number }
  | { problem: "trust"; url: string; reason: string }
  | { problem: "verify"; url: string; subject: string; reason: string }
  | { problem: "stale" | "partial"; files: readonly string[] }
  | { problem: "referrer"; image: string; reason: string }
  | { problem: "sign"; subject: string; reason: string };

const DOCS = "https://www.npmjs.com/package/semantic-release-config-pyproject#error-codes";
const list = (items: readonly unknown[]) => items.map((item) => `- ${item}`).join("\n");
const code = (text: unknown) => `\`${text}\``;

export const errorTexts = {
  EINVALIDPYPROJECT: ({ path, reason }: { path: string; reason: string }): ErrorText => ({
    message: `${path} cannot be read: ${reason}.`,
    details: `The release reads the version from ${code(path)}, and it could not be read: ${reason}.

Create it, fix the TOML syntax, or point the preset at another file with the ${code("pyproject.path")} option:

\`\`\`json
{ "pyproject": { "path": "packages/core/pyproject.toml" } }
\`\`\``,
  }),

  ENOPYPROJECTVERSION: ({ path }: { path: string }): ErrorText => ({
    message: `${path} declares no static version.`,
    details: `Neither ${code("[project].version")} nor ${code("[tool.poetry].version")} is set in ${code(path)}.

\`pyproject.toml\` is the single source of truth for the version. Add it:

\`\`\`toml
[project]
version = "0.1.0"
\`\`\``,
  }),

  EDYNAMICVERSION: ({ path, source, scmTool, lines, version, versionMode, name }: { path: string; source?: string; scmTool?: string; lines?: readonly { line: number; text: string; change: string }[]; version?: string; versionMode?: string; name?: string }): ErrorText => ({
    message: `${path} declares the version as dynamic (${source ?? "computed at build time"}); versionMode "${versionMode ?? "verify"}" needs a static one.`,
    details: `${code('dynamic = ["version"]')} lets ${source ?? "the build backend"} compute the version at build time, so the version released and the version built can differ.

${
      versionMode === "scm"
        ? `${code('"versionMode": "scm"')} pins the version of hatch-vcs, setuptools-scm, pdm-backend (${code('source = "scm"')}) and poetry-dynamic-versioning; ${source ?? "this backend"} is none of them. Make the version static:`
        : scmTool
          ? `**Keep the version in git tags**: set ${code('"pyproject": { "versionMode": "scm" }')}; the release then builds exactly the version it tags (${scmTool} is told which one).

**Or make it static**: change these lines of ${code(path)}:`
          : `Make it static: change these lines of ${code(path)}:`
    }

${lines?.length ? list(lines.map((l) => `line ${l.line} ${code(l.text)}: ${l.change}`)) : list([`add ${code(`version = "${version ?? "X.Y.Z"}"`)} to [project] and remove ${code('"version"')} from ${code("dynamic")}`])}

Your code can still read the version at run time with ${code(`importlib.metadata.version("${name ?? "<your-distribution>"}")`)}.`,
  }),

  EINVALIDPEP440: ({ path, version }: { path: string; version: string }): ErrorText => ({
    message: `The version "${version}" in ${path} is not a valid PEP 440 version.`,
    details: `PyPI accepts only PEP 440 versions, such as ${code("2.0.0")}, ${code("2.0.0rc1")}, ${code("2.0.0b2")} or ${code("2.0.0.dev0")}. Fix ${code("version")} in ${code(path)}.

See https://peps.python.org/pep-0440/.`,
  }),

  EHARDCODEDVERSION: ({ findings, name, versionMode }: { findings: readonly { file: string; line: number; text: string; generated?: string; tracked?: boolean }[]; name?: string; versionMode?: string }): ErrorText => ({
    message: `A hard-coded version was found in ${findings.length} place(s): ${findings.map((f) => `${f.file}:${f.line}`).join(", ")}.`,
    details: `pyproject.toml must be the only place the version is written; a second copy drifts, and ships in the wheel with the wrong version.

${list(findings.map((f) => `${code(`${f.file}:${f.line}`)}: ${code(f.text)}${f.generated ? ` (written by ${f.generated} at build time, but committed: the committed copy goes stale; ${code(`git rm --cached ${f.file}`)} and add it to .gitignore)` : f.tracked === false ? " (not committed: left by an earlier build; delete it)" : ""}`))}

Read the installed version instead:

\`\`\`python
from importlib.metadata import version

__version__ = version("${name ?? "<your-distribution-name>"}")
\`\`\`

${versionMode === "scm" ? `In ${code('"versionMode": "scm"')} a version file the tool writes at build time (setuptools-scm ${code("version_file")}, hatch-vcs ${code("version-file")}, pdm ${code("write_to")}) is fine when git ignores it. ` : ""}To scan other folders, set ${code("pyproject.sources")}; to skip the scan, set it to ${code("[]")}.`,
  }),

  EPRERELEASEID: ({ identifiers }: { identifiers: readonly string[] }): ErrorText => ({
    message: `Prerelease identifier(s) ${identifiers.map((i: string) => `"${i}"`).join(", ")} have no PEP 440 equivalent.`,
    details: `PyPI only knows four kinds of prerelease. Name the prerelease of each branch one of:

| semver identifier | PEP 440 |
|---|---|
| ${code("alpha")}, ${code("a")} | ${code("aN")} |
| ${code("beta")}, ${code("b")} | ${code("bN")} |
| ${code("rc")}, ${code("c")}, ${code("pre")}, ${code("preview")} | ${code("rcN")} |
| ${code("dev")} | ${code(".devN")} |

For example: ${code('{ "name": "next", "prerelease": "rc" }')}. Build metadata (${code("+…")}) is refused too: PyPI rejects local versions.`,
  }),

  EVERSIONMISMATCH: ({ path, pyprojectVersion, semver, pep440, releaseType, versionMode }: { path: string; pyprojectVersion: string; semver: string; pep440: string; releaseType?: string; versionMode?: string }): ErrorText => ({
    message: `The commits call for ${releaseType ?? "a"} release ${pep440} (semver ${semver}), but ${path} says ${pyprojectVersion}.`,
    // No fenced block inside a list item: semantic-release prints details through marked-terminal,
    // whose list items (marked-terminal 7.3 Renderer.prototype.listitem) run every line of a nested block together.
    details: `The version in ${code(path)} must be the version being released; nothing was built, tagged or published.

Bump it in ${code(path)} and commit (for example ${code(`chore: release ${pep440}`)}; ${code("npx pyrelease bump")} writes it, and the lock file's record, for you):

\`\`\`toml
version = "${pep440}"
\`\`\`

Or let the release write it: set ${code('"pyproject": { "versionMode": "write" }')}${versionMode === "write" ? "" : " (the current mode is \`verify\`)"}.

If the commits' verdict (${releaseType ?? "unknown"}) is wrong, fix the commit messages instead.`,
  }),

  ETAGMISMATCH: ({ tag, tagVersion, pyprojectVersion, path, commit }: { tag: string; tagVersion: string; pyprojectVersion: string; path: string; commit?: string }): ErrorText => ({
    message: `Tag ${tag} does not match the version ${pyprojectVersion} in ${path}${commit ? ` at ${String(commit).slice(0, 12)}` : ""}.`,
    details: `The tag ${code(tag)} names version ${code(tagVersion)}, but ${code(path)}${commit ? ` in the tagged commit ${code(String(commit).slice(0, 12))}` : ""} holds ${code(pyprojectVersion)}. Publishing would ship files whose version disagrees with the tag, so nothing was published.

Leave the tag where it is: a pushed tag may already have been fetched or published from, and a version that reached PyPI can never be uploaded again. Release the right version with a new tag instead: set ${code("version")} in ${code(path)} to the next version that was never released (${code("npx pyrelease bump")} computes it from the commits), commit it, and tag that commit:

\`\`\`sh
git commit -am "chore: release <next version>"
git tag v<next version> && git push origin HEAD v<next version>
\`\`\`

With semantic-release running on the branch, push the commit and let it create the tag.`,
  }),

  ENOPYTHONTOOLS: ({ python, missing }: { python: string; missing: readonly string[] }): ErrorText => ({
    message: `The interpreter "${python}" cannot run ${missing.join(" and ")}.`,
    details: `Building needs ${code("python -m build")} (or ${code("uv build")} with ${code('"pypi": { "builder": "uv" }')}); checking and uploading need ${code("python -m twine")}.

${list(missing.map((m: string) => `${code(m)} is missing`))}

Install them into the interpreter the release uses (${code("pypi.python")}):

\`\`\`sh
${python} -m pip install --upgrade build twine    # tested: build 1.6, twine 7.0
\`\`\`

Debian 12's ${code("python3-build twine")} (build 0.9, twine 4.0.2) work too, but that twine reads core metadata only up to 2.2: current backends (hatchling >= 1.32 writes 2.5) need twine >= 7.0.`,
  }),

  ETWINEMETADATA: ({ twineVersion, metadataVersion, files, reads }: { twineVersion?: string; metadataVersion: string; files: readonly string[]; reads?: readonly string[] }): ErrorText => ({
    message: `twine ${twineVersion ?? "(unknown version)"} cannot read Metadata-Version ${metadataVersion}${reads?.length ? ` (it reads ${reads.join(", ")})` : ""}.`,
    details: `The built files (${files.join(", ")}) declare core metadata ${code(metadataVersion)}, and the release interpreter's twine, asked directly, cannot read it: ${code("twine check")} and ${code("twine upload")} would fail.

Upgrade twine in that interpreter: ${code("python -m pip install --upgrade twine")} (measured: twine 7.0 reads 1.0–2.6 except 2.0; twine 6.1 and 6.2 stop at 2.4; Debian 12's twine 4.0.2 at 2.2). Or build with a backend release that writes a Metadata-Version this twine reads.`,
  }),

  ENOPYPIAUTH: (): ErrorText => ({
    message: "No way to authenticate to PyPI was found.",
    details: `Publishing uses PyPI trusted publishing (OIDC): no stored token. One of these must be present:

- **GitHub Actions**: give the job the ${code("id-token: write")} permission:
  \`\`\`yaml
  permissions:
    contents: write
    id-token: write
  \`\`\`
  GitHub then sets ${code("ACTIONS_ID_TOKEN_REQUEST_URL")} and ${code("ACTIONS_ID_TOKEN_REQUEST_TOKEN")}. Pull requests from forks never get an ID token: release from the main repository only.
- **GitLab CI**: declare an ID token with audience ${code("pypi")} named ${code("PYPI_ID_TOKEN")} (${code("TESTPYPI_ID_TOKEN")} for TestPyPI).
- **Fallback**: an API token in ${code("PYPI_TOKEN")} (stored secrets need rotation; prefer OIDC).

Register the trusted publisher once at https://pypi.org/manage/account/publishing/. To build without uploading, set ${code('"pypi": { "publish": false }')}.`,
  }),

  EOIDCEXCHANGE: ({ status, errors: pypiErrors, step }: { step: string; status?: number; errors?: readonly { code: string; description: string }[] }): ErrorText => ({
    message: `PyPI refused the OIDC token exchange (${step}${status ? `, HTTP ${status}` : ""})${pypiErrors?.length ? `: ${pypiErrors.map((e) => e.code).join(", ")}` : ""}.`,
    details: `${pypiErrors?.length ? list(pypiErrors.map((e) => `${code(e.code)}: ${e.description}${OIDC_HINTS[e.code] ? `\n  *Fix:* ${OIDC_HINTS[e.code]}` : ""}`)) : "PyPI gave no error code."}

Check the trusted publisher at https://pypi.org/manage/project/<name>/settings/publishing/: owner, repository, workflow file name and environment must match this run exactly.`,
  }),

  EDISTVERSION: ({ expected, name, files }: { expected: string; name: string; files: readonly { filename: string; reason: string }[] }): ErrorText => ({
    message: `Built files carry another name or version than ${name} ${expected}: ${files.map((f) => f.filename).join(", ")}.`,
    details: `${list(files.map((f) => `${code(f.filename)}: ${f.reason}`))}

The build computed another version than the release's: a version plugin (hatch-vcs, setuptools-scm, a dynamic-version hook) derived it from git, or the project name in pyproject.toml is not the one built. Keep the static version in pyproject.toml (or use ${code('"pyproject": { "versionMode": "scm" }')} where the backend reads it from git), and check ${code("[project].name")}.`,
  }),

  ETWINECHECK: ({ output, files }: { output: string; files?: readonly string[] }): ErrorText => ({
    message: `twine check --strict rejected the distributions${files?.length ? ` (${files.join(", ")})` : ""}.`,
    details: `PyPI would refuse or render these files badly. twine said:

\`\`\`
${output}
\`\`\`

Most often the README's markup is invalid, or ${code("readme")}/${code("license")} metadata is missing in pyproject.toml.`,
  }),

  EFILEEXISTS: ({ files, index }: { files: readonly { filename: string; published: string; built: string }[]; index: string }): ErrorText => ({
    message: `${files.map((f) => f.filename).join(", ")} already on ${index} with other contents.`,
    details: `PyPI never lets a file name be reused, and the files already published differ from the ones built now:

${list(files.map((f) => `${code(f.filename)}: published sha256 ${code(f.published)}, built ${code(f.built)}`))}

A rebuild of the same tag is byte-identical (SOURCE_DATE_EPOCH is the commit time), so the release commit or the build environment changed. Release a new version instead; a published version cannot be replaced.`,
  }),

  EUPLOAD: ({ file, status, reason, attempts }: { file: string; status?: number; reason?: string; attempts: number }): ErrorText => ({
    message: `Uploading ${file} failed${status ? ` (HTTP ${status})` : ""} after ${attempts} attempt(s).`,
    details: `${reason ? `The index said: ${reason}\n\n` : ""}Files already uploaded stay; rerunning uploads only the missing ones. Finish the release with:

\`\`\`sh
npx pyrelease resume --tag <tag>
\`\`\``,
  }),

  ENOBUILDER: ({ builder, command, hint }: { builder: string; command: string; hint?: string }): ErrorText => ({
    message: `The image builder "${builder}" is not available (${command} failed).`,
    details: `${hint ?? ""}

- ${code("buildx")}: install Docker with the buildx plugin (${code("docker buildx version")} must work), or set ${code("BUILDX_BUILDER")} to a remote BuildKit builder. In GitHub Actions: ${code("docker/setup-buildx-action")}.
- ${code("podman")}: install podman (${code("apt-get install podman")}) and set ${code('"images": { "builder": "podman" }')}.`,
  }),

  ENODOCKERFILE: ({ missing }: { missing: readonly { entry: string; dockerfile: string }[] }): ErrorText => ({
    message: `${missing.length} matrix entr${missing.length === 1 ? "y has" : "ies have"} no Dockerfile.`,
    details: `${list(missing.map((m) => `${code(m.entry)}: ${code(m.dockerfile)} does not exist`))}

Add the files or change ${code("images.dockerfile")} (a template such as ${code("docker/Dockerfile.{backend}")}).`,
  }),

  EIMAGEPUSH: ({ refs, reason, attempts }: { refs: readonly string[]; reason?: string; attempts: number }): ErrorText => ({
    message: `Pushing ${refs.join(", ")} failed after ${attempts} attempt(s).`,
    details: `${reason ? `The builder said:\n\n\`\`\`\n${reason}\n\`\`\`\n\n` : ""}No tag was moved: tags are created only when every image of the matrix is in the registry. Finish with ${code("npx pyrelease resume --tag <tag>")}.`,
  }),

  EINVALIDIMAGEREF: ({ refs }: { refs: readonly { ref: string; entry?: string; reason: string }[] }): ErrorText => ({
    message: `${refs.length} image reference(s) are not valid: ${refs.map((r) => r.ref).join(", ")}.`,
    details: `${list(refs.map((r) => `${code(r.ref)}${r.entry ? ` (entry ${code(r.entry)})` : ""}: ${r.reason}`))}

A reference is ${code("registry/namespace/name:tag")}: lower-case name components of letters, digits and ${code("._-")}; a tag of at most 128 characters from ${code("[A-Za-z0-9_.-]")}, not starting with ${code(".")} or ${code("-")}. Check ${code("images.repository")}, ${code("images.name")} and ${code("images.tags")}.`,
  }),

  ENODRAFTRELEASE: ({ tag }: { tag: string }): ErrorText => ({
    message: `No GitHub release was found for ${tag}.`,
    details: `The artifacts section is written into the draft release that ${code("@semantic-release/github")} creates in the publish step, and none was found for ${code(tag)}.

Make sure the preset's ${code("./artifacts")} plugin is in ${code("plugins")} (it creates the draft), then run ${code(`npx pyrelease resume --tag ${tag}`)}, which creates the draft if it is absent.`,
  }),

  EINVALIDCONFIG: ({ problems }: { problems: readonly { key: string; reason: string }[] }): ErrorText => ({
    message: `The configuration has ${problems.length} problem(s): ${problems.map((p) => p.key).join(", ")}.`,
    details: `${list(problems.map((p) => `${code(p.key)}: ${p.reason}`))}

See the options table in the README.`,
  }),

  EGITHUBAPI: ({ action, status, reason }: { action: string; status?: number; reason?: string }): ErrorText => ({
    message: `The GitHub API failed to ${action}${status ? ` (HTTP ${status})` : ""}.`,
    details: `${reason ? `GitHub said: ${reason}\n\n` : ""}Check that ${code("GITHUB_TOKEN")} (or ${code("GH_TOKEN")}) is set and that the job has ${code("contents: write")} permission. For GitHub Enterprise set ${code("GITHUB_API_URL")}.`,
  }),

  ENOGHTOKEN: (): ErrorText => ({
    message: "No GitHub token was found in GITHUB_TOKEN or GH_TOKEN.",
    details: `The draft release is created through the GitHub API. In GitHub Actions pass the built-in token:

\`\`\`yaml
env:
  GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
\`\`\`

A dry run (${code("npx semantic-release --dry-run")}) works without one.`,
  }),

  ERELEASEDRAFT: ({ tag }: { tag: string }): ErrorText => ({
    message: `The GitHub release ${tag} is still a draft or does not exist; CHANGELOG.md was not touched.`,
    details: `${code("pyrelease changelog sync")} writes the curated, published text. Curate the draft on GitHub, publish it, then run the command again (the workflow on ${code("release: types: [published]")} does this for you).`,
  }),
  EBUILD: ({ command, output, exitCode, builder, python, isolated, requires }: { command: string; output: string; exitCode: number; builder?: string; python?: string; isolated?: boolean; requires?: readonly string[] }): ErrorText => ({
    message: `Building the distributions failed (${code(command)} exited with ${exitCode}).`,
    details: `Nothing was tagged or published. The build said:

\`\`\`
${output}
\`\`\`

Run the same command locally to reproduce it. ${
      isolated === false
        ? `The build runs without isolation, so the build backend and every build requirement must already be installed in ${code(python ?? "pypi.python")}${requires?.length ? `: ${code(`${python ?? "python"} -m pip install ${requires.map((r: string) => `"${r}"`).join(" ")}`)}` : ""}.`
        : `An isolated build installs the build requirements${requires?.length ? ` (${requires.map(code).join(", ")})` : ""} from a Python index; in CI without access to one, install them into ${code(python ?? "pypi.python")} and add ${code(`"pypi": { "buildArgs": ["${builder === "uv" ? "--no-build-isolation" : "--no-isolation"}"] }`)}.`
    }`,
  }),
  EIMAGEBUILD: ({ entries, output }: { entries: readonly string[]; output?: string }): ErrorText => ({
    message: `Building the image(s) ${entries.join(", ")} failed.`,
    details: `${output ? `The builder said:\n\n\`\`\`\n${output}\n\`\`\`\n\n` : ""}No tag was moved: tags are created only when every image of the matrix is in the registry. Fix the Dockerfile or build args (try the build locally), then finish the release with ${code("npx pyrelease resume --tag <tag>")}.`,
  }),

  EIMAGEDIGESTS: ({ missing, dir, version }: { missing: readonly string[]; dir: string; version: string }): ErrorText => ({
    message: `${missing.length} matrix entr${missing.length === 1 ? "y has" : "ies have"} no digest file for ${version} in ${dir}: ${missing.join(", ")}.`,
    details: `${code("pyrelease images finalize")} tags the images only when every entry was pushed. Each ${code("pyrelease images build --only …")} job writes one digest file; collect them all into ${code(dir)} (for example with ${code("actions/download-artifact")} and ${code("merge-multiple: true")}) before finalizing, or rerun the build jobs that failed:

${list(missing.map((m: string) => code(`npx pyrelease images build --only ${m} --version ${version}`)))}`,
  }),
  EMILESTONECHECK: ({ type, version, milestone, reason }: { type: string; version: string; milestone: string; reason?: string }): ErrorText => ({
    message: `Could not check the milestone ${milestone} that gates the ${type} release ${version}.`,
    details: `${reason ? `${reason}\n\n` : ""}With ${code(`"cadence": { "${type}": "milestone" }`)} a ${type} release waits until the GitHub milestone ${code(milestone)} is closed, and reading it failed, so nothing was released.

The token (${code("GITHUB_TOKEN")} or ${code("GH_TOKEN")}) must be able to read the repository's milestones (in GitHub Actions: ${code("issues: read")}, included in the default token). Rerun the job; to release without waiting for milestones, set ${code(`"cadence": { "${type}": "immediate" }`)}.`,
  }),
  ENORELEASETAG: ({ tag, reason }: { tag: string; reason?: string }): ErrorText => ({
    message: `There is no release tag ${tag} to resume${reason ? ` (${reason})` : ""}.`,
    details: `${code("pyrelease resume --tag <tag>")} finishes a release whose tag already exists (semantic-release pushed it, or you tagged the release commit by hand). Check the name with ${code("git tag --list")} and ${code("git ls-remote --tags origin")}; the tag must match ${code("tagFormat")} (default ${code("v${version}")}). To start a new release, run semantic-release instead.`,
  }),
  // ---- flow: release gates ----
  EGATEFAILED: ({ version, sha, failed }: { version: string; sha: string; failed: readonly { name: string; detail?: string; url?: string }[] }): ErrorText => ({
    message: `The release ${version} is stopped: required check${failed.length === 1 ? "" : "s"} ${failed.map((c) => `${c.name} (${c.detail})`).join(", ")} failed on ${String(sha).slice(0, 7)}.`,
    details: `${code("gates.checks")} must all be green on the release commit ${code(sha)} before anything is released, and these are not:

${list(failed.map((c) => `${code(c.name)}: ${c.detail}${c.url ? ` — ${c.url}` : ""}`))}

Nothing was tagged, built or published. Fix the cause and merge the fix (the new commit runs the checks and the release again), or re-run the failed check and then this job. A check that concluded \`success\`, \`neutral\` or \`skipped\` counts as passed, as in GitHub's branch protection.`,
  }),
  EGATETIMEOUT: ({ version, sha, pending, waited }: { version: string; sha: string; pending: readonly { name: string; state: string; detail?: string; url?: string }[]; waited: string }): ErrorText => ({
    message: `The release ${version} is stopped: after ${waited}, ${pending.map((c) => c.name).join(", ")} ${pending.length === 1 ? "has" : "have"} not finished on ${String(sha).slice(0, 7)}.`,
    details: `${list(pending.map((c) => `${code(c.name)}: ${c.state === "missing" ? "no check run or commit status of this name has been reported on the commit yet" : c.detail}${c.url ? ` — ${c.url}` : ""}`))}

Nothing was tagged, built or published. Re-run this job when the checks are done, or:
- wait longer: ${code('"gates": { "timeout": "2h" }')};
- release from the event that ends the check instead of waiting in this job: add ${code("workflow_run: { workflows: [<its workflow>], types: [completed] }")} to the release workflow's triggers and set ${code('"gates": { "onTimeout": "wait" }')}, so a run that finds the check still pending ends green with a notice;
- check that the name is exactly the check run's name (the job name) or the status context: a name that is never reported always times out.`,
  }),
  EGATECHECK: ({ version, reason }: { version: string; reason?: string }): ErrorText => ({
    message: `Could not read the checks that gate the release ${version}.`,
    details: `${reason ? `${reason}\n\n` : ""}With ${code("gates.checks")} the release reads the check runs and commit statuses of the release commit, and that failed, so nothing was released. In GitHub Actions give the job ${code("checks: read")} and ${code("statuses: read")} (a job that lists its ${code("permissions")} gets no others), then rerun it.`,
  }),

  // ---- images ----
  EREGISTRYAUTH: ({ refusals, beforeTag }: { refusals: readonly { repository: string; reason: string; source: string }[]; beforeTag?: boolean }): ErrorText => ({
    message: `The registry refused to let this run push to ${refusals.map((r) => r.repository).join(", ")}.`,
    details: `${list(refusals.map((r) => `${code(r.repository)}: ${r.reason} (credentials: ${r.source})`))}

${beforeTag ? "This run checks push access before it builds, tags or publishes anything, so nothing was released: fix the credentials and run it again." : `No tag was moved. Fix the credentials, then finish the release with ${code("npx pyrelease resume --tag <tag>")}.`}

Credentials are taken, first found first, from:
- ${code("PYRELEASE_REGISTRY_<HOST>_USERNAME")} and ${code("PYRELEASE_REGISTRY_<HOST>_PASSWORD")} (host upper-cased, every other character ${code("_")}: ${code("PYRELEASE_REGISTRY_GHCR_IO_PASSWORD")}); for Docker Hub also ${code("DOCKERHUB_USERNAME")}/${code("DOCKERHUB_TOKEN")} (an access token with Read & Write scope);
- what a ${code("docker login")}/${code("podman login")} stored: ${code("$REGISTRY_AUTH_FILE")}, ${code("${XDG_RUNTIME_DIR}/containers/auth.json")}, ${code("~/.config/containers/auth.json")}, ${code("~/.docker/config.json")}, credential helpers included;
- for ghcr.io, the job's ${code("GITHUB_TOKEN")} as ${code("GITHUB_ACTOR")}: the workflow needs ${code("permissions: packages: write")}, and a package that already exists must grant this repository write access (package settings → Manage Actions access).`,
  }),

  EREGISTRYUNREACHABLE: ({ registries, reason, attempts }: { registries: readonly string[]; reason?: string; attempts: number }): ErrorText => ({
    message: `The registry ${registries.join(", ")} could not be reached to check push access (${attempts} attempt(s)).`,
    details: `${reason ? `The last try said: ${reason}\n\n` : ""}Nothing was tagged or published: the release checks that every image repository accepts a push before it tags. Check ${code("images.repository")} (and ${code("images.tlsVerify")} for a plain-HTTP registry), then run the release again once the registry answers.`,
  }),

  // ---- dists ----
  EDISTMISSING: ({ dists, missing, unwanted, built, command }: { dists: readonly string[]; missing: readonly string[]; unwanted: readonly { filename: string; reason: string }[]; built: readonly string[]; command: string }): ErrorText => ({
    message: `The built files do not match pypi.dists ${JSON.stringify(dists)}: ${[...missing.map((kind: string) => `no ${kind} was built`), ...unwanted.map((f) => `${f.filename} is ${f.reason.split(",")[0]}`)].join("; ")}.`,
    details: `${code(command)} built: ${built.length ? built.map(code).join(", ") : "nothing"}.

${list([...missing.map((kind: string) => `no ${kind}, though ${code("pypi.dists")} asks for one`), ...unwanted.map((f) => `${code(f.filename)}: ${f.reason}`)])}

Which distributions a release builds, checks and uploads is ${code("pypi.dists")}: ${code('["sdist", "wheel"]')} (the default), ${code('["sdist"]')} (for example a C extension whose wheels PyPI would refuse) or ${code('["wheel"]')}. If the backend should have built the missing file, run the command locally to see why it did not.`,
  }),

  EDISTNAME: ({ files }: { files: readonly { filename: string; reason: string }[] }): ErrorText => ({
    message: `PyPI would refuse ${files.length === 1 ? "the file name" : `${files.length} file names`}: ${files.map((f) => f.filename).join(", ")}.`,
    details: `${list(files.map((f) => `${code(f.filename)} ${f.reason}`))}

PyPI takes only normalized file names: the project name lower-cased with every run of ${code("-")}, ${code("_")} and ${code(".")} written as one ${code("_")}, then the normalized version (PEP 625 for sdists, which must also be ${code(".tar.gz")}; PEP 427 and PEP 503 for wheels). Older build backends write the name as spelled in ${code("[project].name")} (old setuptools: ${code("MarkupSafe-3.1.0.tar.gz")}). Require a current backend in ${code("[build-system].requires")} (for example ${code('"setuptools>=77"')}) and release again; nothing was tagged or uploaded.`,
  }),

  EWHEELPLATFORM: ({ files, backend }: { files: readonly { filename: string; tags: readonly string[] }[]; backend?: string }): ErrorText => ({
    message: `PyPI refuses the platform tag${files.flatMap((f) => f.tags).length === 1 ? "" : "s"} ${[...new Set(files.flatMap((f) => f.tags))].join(", ")} of ${files.map((f) => f.filename).join(", ")}.`,
    details: `${list(files.map((f) => `${code(f.filename)}: ${f.tags.map(code).join(", ")}`))}

A compiled wheel built on this machine is tagged for it alone (${code("linux_x86_64")}, ${code("linux_aarch64")}), and PyPI accepts only portable platform tags: ${code("manylinux_*")}/${code("manylinux2014_*")}, ${code("musllinux_*")}, ${code("macosx_*")}, ${code("win*")} or ${code("any")}. Nothing was tagged or uploaded. Ways out:

1. Release the sdist only, and let installers compile it: ${code('"pypi": { "dists": ["sdist"] }')}.
2. Build portable wheels with cibuildwheel (https://cibuildwheel.pypa.io) in their own CI jobs and upload them from there, releasing the sdist here with option 1.
3. Make this build portable: ${backend === "maturin" ? `maturin's PEP 517 build skips the manylinux check unless told: set ${code('MATURIN_PEP517_ARGS="--compatibility pypi"')} in the release's environment (on a manylinux-compatible build host)` : `${code("auditwheel repair")} turns a ${code("linux_*")} wheel into a ${code("manylinux_*")} one (it needs ${code("patchelf")}); this plugin uploads what the build made and does not run it, so do that in a cibuildwheel job (option 2)`}.`,
  }),

  EDISTSIZE: ({ files, limitMB }: { files: readonly { filename: string; size: number }[]; limitMB: number }): ErrorText => ({
    message: `${files.map((f) => f.filename).join(", ")} ${files.length === 1 ? "is" : "are"} over PyPI's upload limit of ${limitMB} MB.`,
    details: `${list(files.map((f) => `${code(f.filename)}: ${(f.size / 1048576).toFixed(1)} MB (${f.size} bytes)`))}

PyPI refuses a file over the project's limit ("File too large"): 100 MB (MiB) unless PyPI granted the project more (https://docs.pypi.org/project-management/storage-limits/). Nothing was tagged or uploaded. Keep data, model weights and test fixtures out of the distributions (an sdist over the limit often carries files it should not: see ${code("ESDISTCONTENT")}), or, once PyPI has raised the project's limit, set ${code('"pypi": { "uploadLimitMB": <the new limit> }')}.`,
  }),

  EDISTMETADATA: ({ files }: { files: readonly { filename: string; problems: readonly string[] }[] }): ErrorText => ({
    message: `PyPI would refuse the metadata or layout of ${files.map((f) => f.filename).join(", ")}.`,
    details: `${files.map((f) => `${code(f.filename)}:\n${list(f.problems).replace(/^/gm, "  ")}`).join("\n")}

These are PyPI's own upload checks (Warehouse's ${code("forklift")} metadata and archive rules), run on the built files before anything is tagged. Fix the fields in ${code("[project]")} of pyproject.toml (summary, classifiers, URLs, dependencies, license), or require a current build backend, and release again.`,
  }),

  ESDISTCONTENT: ({ filename, groups, files, bytes, backend, projectPath }: { filename: string; groups: readonly SdistStray[]; files: number; bytes: number; backend?: string; projectPath: string }): ErrorText => {
    const shown = groups.slice(0, 10);
    const mb = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MB` : `${(n / 1024).toFixed(1)} kB`);
    const why: Record<SdistStray["reason"], string> = { ".git": "a git folder or submodule pointer", node_modules: "a JavaScript install", untracked: "not tracked by git at the release commit" };
    const exclude = shown.map((g) => `"${g.path.replace(/\/$/, "")}"`).join(", ");
    const fixes: Record<string, string> = {
      "hatchling.build": `${code(`[tool.hatch.build.targets.sdist] exclude = [${exclude}]`)}, or list them in ${code(".gitignore")} (hatchling reads it)`,
      maturin: `${code(`[tool.maturin] exclude = [${exclude}]`)}, or list them in ${code(".gitignore")}`,
      "flit_core.buildapi": `${code(`[tool.flit.sdist] exclude = [${exclude}]`)}`,
      "poetry.core.masonry.api": `${code(`[tool.poetry] exclude = [${exclude}]`)}`,
      "pdm.backend": `${code(`[tool.pdm.build] excludes = [${exclude}]`)}`,
    };
    const setuptools = `${code("MANIFEST.in")} lines such as ${shown.map((g) => code(g.path.endsWith("/") ? `prune ${g.path.slice(0, -1)}` : `exclude ${g.path}`)).join(", ")}`;
    const hatchTrap = backend === "hatchling.build" && groups.some((g) => g.ignored);
    return {
      message: `${filename} carries ${files} file(s) (${mb(bytes)}) the release commit does not track: ${shown.slice(0, 3).map((g) => g.path).join(", ")}${groups.length > 3 ? ", …" : ""}.`,
      details: `An sdist must hold the project's committed sources; these came from the working folder instead. Biggest first:

| path | files | size | why |
|---|---|---|---|
${shown.map((g) => `| ${code(g.path)} | ${g.files} | ${mb(g.bytes)} | ${why[g.reason]}${g.ignored ? " (.gitignore lists it)" : ""} |`).join("\n")}
${groups.length > shown.length ? `\n…and ${groups.length - shown.length} more.\n` : ""}
Nothing was tagged or uploaded. Keep them out of the sdist with ${(backend && fixes[backend]) || (backend?.startsWith("setuptools") ? setuptools : `your build backend's exclude setting, or ${code(".gitignore")}`)}; commit a file that belongs in the release; or delete local leftovers (the release builds the working folder).${
        hatchTrap
          ? `

${code(".gitignore")} lists these, yet hatchling packed them: hatchling drops **every** ${code(".gitignore")} rule when the project's own path (${code(projectPath)}) matches one of them (for example ${code("tmp*")} and a checkout under ${code("/tmp/tmpXYZ")}, or ${code("build")} in a parent folder's name). Hatch's ${code("exclude")} above does not depend on ${code(".gitignore")}; or change the pattern that matches the project's path.`
          : ""
      }`,
    };
  },

  // ---- version truth ----
  ESTRAYVERSION: ({ strays, expected }: { strays: readonly { file: string; reason?: string; pattern?: string; line?: number; found?: string }[]; expected: string }): ErrorText => ({
    message: `${strays.length} file(s) repeat the version and disagree with ${expected}: ${strays.map((s) => s.file).join(", ")}.`,
    details: `Every file that repeats the version must hold the one being released (${code(expected)}); a copy that disagrees ships beside the real one.

${list(
      strays.map((s) =>
        s.reason === "missing"
          ? `${code(s.file)}: listed in ${code("pyproject.versionFiles")} but does not exist`
          : s.reason === "no-version"
            ? `${code(s.file)}: no version found${s.pattern ? ` by the pattern ${code(s.pattern)}` : " (a plain version file holds one version and nothing else)"}`
            : `${code(`${s.file}:${s.line}`)}: holds ${code(s.found)}`,
      ),
    )}

Delete a leftover file, or write ${code(expected)} into it. Better still, let it not repeat the version: code reads it with ${code("importlib.metadata.version(…)")}. Which files are checked is ${code("pyproject.versionFiles")} (default: ${code("VERSION")} and ${code("version.txt")} beside pyproject.toml; ${code("[]")} checks none; ${code('{ "path": "docs/conf.py", "pattern": "release = \\"(.+)\\"" }')} checks a line of a file).`,
  }),

  ESTALELOCK: ({ file, name, recorded, expected, folder, reason }: { file: string; name?: string; recorded?: string; expected?: string; folder?: string; reason?: string }): ErrorText => {
    const command = folder && folder !== "." ? `uv lock --directory ${folder}` : "uv lock";
    return {
      message: reason ? `${file} cannot be updated: ${reason}.` : `${file} records ${name} ${recorded}, but pyproject.toml holds ${expected}.`,
      details: `${reason ? `The lock file's record of the project itself could not be ${reason.startsWith("it is not") ? "read" : "updated"}: ${reason}.` : `The lock file still records the project's own version as ${code(recorded)}; ${code("uv lock --check")} (and ${code("uv sync --locked")}) fail until it is updated.`}

Update it, commit it, and release again:

\`\`\`sh
${command}
git commit -m "chore: update ${file}" ${file}
\`\`\`

${code("uv lock")} keeps every pinned dependency it can and rewrites the project's own entry. ${code("npx pyrelease bump")} writes the next version into pyproject.toml and the lock file together, and ${code('"versionMode": "write"')} updates both at release time.`,
    };
  },

  EDIRTYTREE: ({ files, more }: { files: readonly { path: string; status: string }[]; more?: number }): ErrorText => ({
    message: `${files.length + (more ?? 0)} tracked file(s) have uncommitted changes: ${files.slice(0, 5).map((f) => f.path).join(", ")}${files.length + (more ?? 0) > 5 ? ", …" : ""}.`,
    details: `A release builds and publishes the working tree, but tags the commit: these changes would ship without being in the tagged commit.

${list(files.map((f) => `${f.path} (${describeChange(f.status)})`))}${more ? `\n- … and ${more} more` : ""}

Commit them, or discard them (${code("git stash")}, ${code("git checkout -- <file>")}), then release again. A step of your CI that changes tracked files (a formatter, a lock update, a generated file) should commit its change or write outside the repository. A dry run (${code("--dry-run")}, ${code("pyrelease plan")}) only warns.`,
  }),
  // ---- lifecycle ----
  EDRAFTASSET: ({ tag, url, expected, files }: { tag: string; url: string; expected: string; files: readonly { name: string; draft: string; expected: string }[] }): ErrorText => ({
    message: `The draft release of ${tag} holds other bytes for ${files.map((f) => f.name).join(", ")} than ${expected}.`,
    details: `The draft release (${url}) keeps the files of the release as its durable record, and a kept file is never replaced:

${list(files.map((f) => `${code(f.name)}: the draft's sha256 ${code(f.draft)}, expected ${code(f.expected)}`))}

Nothing was uploaded to PyPI. Either the release was rebuilt and the build is not byte-identical (setuptools and pdm-backend sdists, compiled wheels), or an asset was replaced by hand. Check which copy PyPI has (the sha256 on the project's "Download files" page). If the draft's copy is wrong, delete that asset from the draft on GitHub and run ${code(`npx pyrelease resume --tag ${tag}`)}: it keeps what is there and rebuilds only what is missing.`,
  }),

  EGITHUBPERMISSION: ({ owner, repo }: { owner: string; repo: string }): ErrorText => ({
    message: `The GitHub token may not create releases in ${owner}/${repo}; nothing was tagged.`,
    details: `GitHub refused a release write (HTTP 403), so this release would have stopped after pushing its tag. Give the token write access to the repository's contents:

\`\`\`yaml
permissions:
  contents: write   # tag + draft release
\`\`\`

A fine-grained personal access token needs "Contents: Read and write"; a classic one the ${code("repo")} scope (${code("public_repo")} for a public repository).`,
  }),

  // ---- provenance ----
  EPROVENANCE: (facts: SigningFailure): ErrorText => provenanceText(facts),
} satisfies Record<string, (facts: never) => ErrorText>;

export type ErrorCode = keyof typeof errorTexts;

/** A `git status --porcelain` code in words: `M ` → "modified, staged". */
function describeChange(status: string): string {
  const words: Record<string, string> = { M: "modified", A: "added", D: "deleted", R: "renamed", C: "copied", T: "type changed", U: "unmerged" };
  const [index, tree] = status;
  const kind = words[tree !== " " && tree !== undefined ? tree : index] ?? "changed";
  return index !== " " && tree === " " ? `${kind}, staged` : kind;
}

const OIDC_HINTS: Record<string, string> = {
  "invalid-publisher":
    "no trusted publisher matches this token: the repository owner and name, the workflow file name (e.g. `release.yml`) and the GitHub environment must be exactly those registered on PyPI.",
  "invalid-payload": "the ID token could not be decoded: request it with the audience PyPI announced at `/_/oidc/audience`.",
  "invalid-token": "the ID token was rejected: it may have expired or been used already; rerun the job.",
  "invalid-pending-publisher": "the pending publisher does not match this run, or the project name is already taken.",
  "not-enabled": "trusted publishing is disabled on this index.",
  "invalid-reuse-token": "this ID token was already exchanged once (a JWT is single use): request a fresh one; rerunning the job does.",
};

/** EPROVENANCE's texts, one per way signing can fail (`problem`). */
function provenanceText(facts: SigningFailure): ErrorText {
  const off = `To release without provenance, set ${code('"provenance": { "enabled": false }')}; ${code('"auto"')} signs only where an identity exists.`;
  const resume = `Nothing was tagged or published by this step; rerun the release (or ${code("npx pyrelease resume --tag <tag>")} once the tag exists).`;
  switch (facts.problem) {
    case "no-identity":
      return {
        message: "provenance.enabled is true, but this run has no OIDC identity to sign with.",
        details: `Sigstore signs with the CI's OpenID Connect identity, and none was found:

- **GitHub Actions**: grant the job ${code("id-token: write")} (GitHub then sets ${code("ACTIONS_ID_TOKEN_REQUEST_URL")} and ${code("ACTIONS_ID_TOKEN_REQUEST_TOKEN")}). Pull requests from forks never get one.
- **GitLab CI**: declare an ID token for Sigstore:
  \`\`\`yaml
  id_tokens:
    SIGSTORE_ID_TOKEN:
      aud: sigstore
  \`\`\`

${off}`,
      };
    case "old-twine":
      return {
        message: `twine ${facts.twineVersion} cannot upload PEP 740 attestations; twine >= 5.1 can.`,
        details: `With ${code('"provenance": { "enabled": true }')} every file is uploaded with its attestation, and ${code("twine upload --attestations")} first appeared in twine 5.1.0. Nothing was built or uploaded.

Upgrade twine in the release interpreter (${code("pypi.python")}): ${code("python -m pip install 'twine>=5.1'")}. ${off}`,
      };
    case "token":
      return {
        message: `The CI refused an ID token for Sigstore (audience "sigstore"): ${facts.reason}.`,
        details: `The token is requested from ${code("ACTIONS_ID_TOKEN_REQUEST_URL")} with the audience ${code("sigstore")}. Check that the job has ${code("id-token: write")}, then rerun it. ${off}`,
      };
    case "fulcio":
      return {
        message: `Fulcio (${facts.url}) gave no signing certificate for ${facts.subject}: ${facts.reason}.`,
        details: `The certificate request was tried ${facts.attempts} time(s) (5xx and timeouts are retried). A 4xx means Fulcio refused this identity token: check ${code("provenance.fulcioUrl")}, and that the token comes from a CI Fulcio trusts. When Sigstore is down (https://status.sigstore.dev), try again later. ${resume}`,
      };
    case "rekor":
      return {
        message: `Rekor (${facts.url}) did not log the signature of ${facts.subject}: ${facts.reason}.`,
        details: `Every signature must be in the transparency log before PyPI or a verifier accepts it. 5xx and timeouts were retried (${facts.attempts} tries); a 4xx means Rekor refused the entry. Check ${code("provenance.rekorUrl")} and https://status.sigstore.dev. ${resume}`,
      };
    case "trust":
      return {
        message: `The trusted root of the Sigstore instance could not be read from ${facts.url}: ${facts.reason}.`,
        details: `Every signature is checked against the instance's trusted root (distributed by TUF) before it is written or pushed, and that root could not be fetched or did not verify. For Sigstore's public instance this is https://tuf-repo-cdn.sigstore.dev (see https://status.sigstore.dev); for another instance set ${code("provenance.tufMirrorUrl")} and its initial ${code("provenance.tufRootPath")}. ${resume}`,
      };
    case "verify":
      return {
        message: `The signature of ${facts.subject} does not verify against the trusted root from ${facts.url}: ${facts.reason}.`,
        details: `Nothing was written or pushed: PyPI and every verifier would refuse this signature too. ${code("provenance.fulcioUrl")}, ${code("provenance.rekorUrl")} and ${code("provenance.tufMirrorUrl")} must name one Sigstore instance (pypi.org verifies against the public one: leave all three at their defaults to publish there). ${resume}`,
      };
    case "stale":
      return {
        message: `Attestation file(s) beside the dists attest other files: ${facts.files.join("; ")}.`,
        details: `PyPI refuses an attestation whose subject is not the uploaded file's name and sha256, so nothing was uploaded. They are left from another build: delete them (the release signs the files again when provenance is on), or rebuild from the tag that made them.`,
      };
    case "partial":
      return {
        message: `Some dists have no attestation beside them: ${facts.files.join(", ")}.`,
        details: `The other files of this release have ${code("<file>.publish.attestation")} beside them, and an attestation can never be added to a file after its first upload, so nothing was uploaded. Turn provenance on for this run so the missing ones are signed, or remove every attestation file to publish unsigned.`,
      };
    case "referrer":
      return {
        message: `Attaching the signed provenance to ${facts.image} failed: ${facts.reason}.`,
        details: `Every image gets its provenance bundle as an OCI referrer (artifactType ${code("application/vnd.dev.sigstore.bundle.v0.3+json")}) before any tag moves; no tag was moved. Check the registry login and that the registry accepts OCI artifact manifests, then ${code("npx pyrelease resume --tag <tag>")}.`,
      };
    default:
      return {
        message: `Signing ${facts.subject ?? "the release"} failed: ${facts.reason}.`,
        details: `${resume} ${off}`,
      };
  }
}

/** The facts an error's text is made from: what `getError(code, facts)` must be given, checked by the compiler. */
export type FactsOf<C extends ErrorCode> = Parameters<(typeof errorTexts)[C]>[0];

/** `getError(code, facts)`, or `getError(code)` for a code whose text needs no facts. */
type FactsArgument<C extends ErrorCode> = Parameters<(typeof errorTexts)[C]> extends [] ? [] : [facts: FactsOf<C>];

export function getError<C extends ErrorCode>(errorCode: C, ...[facts]: FactsArgument<C>): SemanticReleaseError {
  const text = errorTexts[errorCode] as (facts: FactsOf<C> | undefined) => ErrorText;
  const { message, details } = text(facts);
  const error = new SemanticReleaseError(message, errorCode, `${details}\n\n[${errorCode} in the README](${DOCS})`);
  // A user's mistake is explained by its message and details; our call stack would only bury them.
  error.stack = `${error.name}: ${message}`;
  return error;
}

/** Throw every problem of a step at once: one error as itself, several as an AggregateError. */
export function throwAll(errors: Error[]): void {
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join("\n"));
}

export function isSemanticReleaseError(error: unknown): error is SemanticReleaseError {
  return Boolean(error && typeof error === "object" && (error as { semanticRelease?: boolean }).semanticRelease);
}
