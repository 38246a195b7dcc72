import SemanticReleaseError from "@semantic-release/error";

/**
 * Every failure a user can cause, in one table. Each entry turns the facts of one
 * failure into a one-line message and markdown details that say how to fix it.
 * Codes are stable: users search for them, the README lists them.
 */
type Facts = Record<string, any>;
type ErrorText = { message: string; details: string };

const DOCS = "https://www.npmjs.com/package/semantic-release-config-pyproject#error-codes";
const list = (items: readonly unknown[]) => items.map((item) => `- ${item}`).join("\n");
const code = (text: unknown) => `\`${text}\``;

export const errorTexts = {
  EINVALIDPYPROJECT: ({ path, reason }: Facts): ErrorText => ({
    message: `${path} cannot be read: ${reason}.`,
    details: `The release reads the version from ${code(path)}, and it could not be read: ${reason}.

Create it, fix the TOML syntax, or point the preset at another file with the ${code("pyproject.path")} option:

\`\`\`json
{ "pyproject": { "path": "packages/core/pyproject.toml" } }
\`\`\``,
  }),

  ENOPYPROJECTVERSION: ({ path }: Facts): ErrorText => ({
    message: `${path} declares no static version.`,
    details: `Neither ${code("[project].version")} nor ${code("[tool.poetry].version")} is set in ${code(path)}.

\`pyproject.toml\` is the single source of truth for the version. Add it:

\`\`\`toml
[project]
version = "0.1.0"
\`\`\``,
  }),

  EDYNAMICVERSION: ({ path, backend }: Facts): ErrorText => ({
    message: `${path} declares the version as dynamic; a release needs a static one.`,
    details: `${code('dynamic = ["version"]')} lets the build backend${backend ? ` (${code(backend)})` : ""} compute the version at build time, so the version released and the version built can differ.

Remove ${code('"version"')} from ${code("[project].dynamic")} and write it statically:

\`\`\`toml
[project]
version = "2.0.0"
\`\`\`

Your code can still read it at run time with ${code('importlib.metadata.version("<your-package>")')}.`,
  }),

  EINVALIDPEP440: ({ path, version }: Facts): ErrorText => ({
    message: `The version "${version}" in ${path} is not a valid PEP 440 version.`,
    details: `PyPI accepts only PEP 440 versions, such as ${code("2.0.0")}, ${code("2.0.0rc1")}, ${code("2.0.0b2")} or ${code("2.0.0.dev0")}. Fix ${code("version")} in ${code(path)}.

See https://peps.python.org/pep-0440/.`,
  }),

  EHARDCODEDVERSION: ({ findings }: Facts): ErrorText => ({
    message: `A hard-coded __version__ string was found in ${findings.length} place(s): ${findings.map((f: Facts) => `${f.file}:${f.line}`).join(", ")}.`,
    details: `pyproject.toml must be the only place the version is written; a second copy drifts.

${list(findings.map((f: Facts) => `${code(`${f.file}:${f.line}`)}: ${code(f.text)}`))}

Read the installed version instead:

\`\`\`python
from importlib.metadata import version

__version__ = version("<your-distribution-name>")
\`\`\`

To scan other folders, set ${code("pyproject.sources")}; to skip the scan, set it to ${code("[]")}.`,
  }),

  EPRERELEASEID: ({ identifiers }: Facts): ErrorText => ({
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

  EVERSIONMISMATCH: ({ path, pyprojectVersion, semver, pep440, releaseType, versionMode }: Facts): ErrorText => ({
    message: `The commits call for ${releaseType ?? "a"} release ${pep440} (semver ${semver}), but ${path} says ${pyprojectVersion}.`,
    details: `The version in ${code(path)} must be the version being released; nothing was built, tagged or published.

Two ways out:
1. Bump it in ${code(path)} and commit (for example ${code(`chore(release): prepare ${pep440}`)}):
   \`\`\`toml
   version = "${pep440}"
   \`\`\`
2. Let the release write it: set ${code('"pyproject": { "versionMode": "write" }')}${versionMode === "write" ? "" : " (the current mode is \`verify\`)"}.

If the commits' verdict (${releaseType ?? "unknown"}) is wrong, fix the commit messages instead.`,
  }),

  ETAGMISMATCH: ({ tag, tagVersion, pyprojectVersion, path }: Facts): ErrorText => ({
    message: `Tag ${tag} does not match the version ${pyprojectVersion} in ${path}.`,
    details: `This run was triggered by the tag ${code(tag)} (version ${code(tagVersion)}), but ${code(path)} holds ${code(pyprojectVersion)}. Publishing would ship files whose version disagrees with the tag.

Delete the tag, bump ${code("version")} in ${code(path)} to ${code(tagVersion)}, commit, and tag that commit:

\`\`\`sh
git push --delete origin ${tag} && git tag -d ${tag}
\`\`\``,
  }),

  ENOPYTHONTOOLS: ({ python, missing }: Facts): ErrorText => ({
    message: `The interpreter "${python}" cannot run ${missing.join(" and ")}.`,
    details: `Building and checking the distributions needs ${code("python -m build")} and ${code("python -m twine")}.

${list(missing.map((m: string) => `${code(m)} is missing`))}

Install them into the interpreter the release uses (${code("pypi.python")}):

\`\`\`sh
${python} -m pip install build twine        # any platform
sudo apt-get install python3-build twine    # Debian / Ubuntu
\`\`\``,
  }),

  ETWINEMETADATA: ({ twineVersion, metadataVersion, files }: Facts): ErrorText => ({
    message: `twine ${twineVersion} cannot read Metadata-Version ${metadataVersion}; twine >= 6.1 is needed.`,
    details: `The built files (${files.join(", ")}) declare core metadata ${code(metadataVersion)}, which this twine does not understand, so ${code("twine check")} and ${code("twine upload")} would fail or misreport.

Upgrade twine in the release interpreter: ${code("python -m pip install 'twine>=6.1'")}, or pin your build backend to one that writes an older metadata version.`,
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

  EOIDCEXCHANGE: ({ status, errors: pypiErrors, step }: Facts): ErrorText => ({
    message: `PyPI refused the OIDC token exchange (${step}${status ? `, HTTP ${status}` : ""})${pypiErrors?.length ? `: ${pypiErrors.map((e: Facts) => e.code).join(", ")}` : ""}.`,
    details: `${pypiErrors?.length ? list(pypiErrors.map((e: Facts) => `${code(e.code)}: ${e.description}${OIDC_HINTS[e.code] ? `\n  *Fix:* ${OIDC_HINTS[e.code]}` : ""}`)) : "PyPI gave no error code."}

Check the trusted publisher at https://pypi.org/manage/project/<name>/settings/publishing/: owner, repository, workflow file name and environment must match this run exactly.`,
  }),

  EDISTVERSION: ({ expected, name, files }: Facts): ErrorText => ({
    message: `Built files carry another name or version than ${name} ${expected}: ${files.map((f: Facts) => f.filename).join(", ")}.`,
    details: `${list(files.map((f: Facts) => `${code(f.filename)}: ${f.reason}`))}

A build plugin rewrote the version (hatch-vcs, setuptools-scm, a dynamic-version hook) or ${code("pypi.distDir")} holds stale files. Use the static version from pyproject.toml and remove the dynamic version plugin.`,
  }),

  ETWINECHECK: ({ output, files }: Facts): ErrorText => ({
    message: `twine check --strict rejected the distributions${files?.length ? ` (${files.join(", ")})` : ""}.`,
    details: `PyPI would refuse or render these files badly. twine said:

\`\`\`
${output}
\`\`\`

Most often the README's markup is invalid, or ${code("readme")}/${code("license")} metadata is missing in pyproject.toml.`,
  }),

  EFILEEXISTS: ({ files, index }: Facts): ErrorText => ({
    message: `${files.map((f: Facts) => f.filename).join(", ")} already on ${index} with other contents.`,
    details: `PyPI never lets a file name be reused, and the files already published differ from the ones built now:

${list(files.map((f: Facts) => `${code(f.filename)}: published sha256 ${code(f.published)}, built ${code(f.built)}`))}

A rebuild of the same tag is byte-identical (SOURCE_DATE_EPOCH is the commit time), so the release commit or the build environment changed. Release a new version instead; a published version cannot be replaced.`,
  }),

  EUPLOAD: ({ file, status, reason, attempts }: Facts): ErrorText => ({
    message: `Uploading ${file} failed${status ? ` (HTTP ${status})` : ""} after ${attempts} attempt(s).`,
    details: `${reason ? `The index said: ${reason}\n\n` : ""}Files already uploaded stay; rerunning uploads only the missing ones. Finish the release with:

\`\`\`sh
npx pyrelease resume --tag <tag>
\`\`\``,
  }),

  ENOBUILDER: ({ builder, command, hint }: Facts): ErrorText => ({
    message: `The image builder "${builder}" is not available (${command} failed).`,
    details: `${hint ?? ""}

- ${code("buildx")}: install Docker with the buildx plugin (${code("docker buildx version")} must work), or set ${code("BUILDX_BUILDER")} to a remote BuildKit builder. In GitHub Actions: ${code("docker/setup-buildx-action")}.
- ${code("podman")}: install podman (${code("apt-get install podman")}) and set ${code('"images": { "builder": "podman" }')}.`,
  }),

  ENODOCKERFILE: ({ missing }: Facts): ErrorText => ({
    message: `${missing.length} matrix entr${missing.length === 1 ? "y has" : "ies have"} no Dockerfile.`,
    details: `${list(missing.map((m: Facts) => `${code(m.entry)}: ${code(m.dockerfile)} does not exist`))}

Add the files or change ${code("images.dockerfile")} (a template such as ${code("docker/Dockerfile.{backend}")}).`,
  }),

  EIMAGEPUSH: ({ refs, reason, attempts }: Facts): ErrorText => ({
    message: `Pushing ${refs.join(", ")} failed after ${attempts} attempt(s).`,
    details: `${reason ? `The builder said:\n\n\`\`\`\n${reason}\n\`\`\`\n\n` : ""}No tag was moved: tags are created only when every image of the matrix is in the registry. Finish with ${code("npx pyrelease resume --tag <tag>")}.`,
  }),

  EINVALIDIMAGEREF: ({ refs }: Facts): ErrorText => ({
    message: `${refs.length} image reference(s) are not valid: ${refs.map((r: Facts) => r.ref).join(", ")}.`,
    details: `${list(refs.map((r: Facts) => `${code(r.ref)}${r.entry ? ` (entry ${code(r.entry)})` : ""}: ${r.reason}`))}

A reference is ${code("registry/namespace/name:tag")}: lower-case name components of letters, digits and ${code("._-")}; a tag of at most 128 characters from ${code("[A-Za-z0-9_.-]")}, not starting with ${code(".")} or ${code("-")}. Check ${code("images.repository")}, ${code("images.name")} and ${code("images.tags")}.`,
  }),

  ENODRAFTRELEASE: ({ tag }: Facts): ErrorText => ({
    message: `No GitHub release was found for ${tag}.`,
    details: `The artifacts section is written into the draft release that ${code("@semantic-release/github")} creates in the publish step, and none was found for ${code(tag)}.

Make sure the preset's ${code("./artifacts")} plugin is in ${code("plugins")} (it creates the draft), then run ${code(`npx pyrelease resume --tag ${tag}`)}, which creates the draft if it is absent.`,
  }),

  EINVALIDCONFIG: ({ problems }: Facts): ErrorText => ({
    message: `The configuration has ${problems.length} problem(s): ${problems.map((p: Facts) => p.key).join(", ")}.`,
    details: `${list(problems.map((p: Facts) => `${code(p.key)}: ${p.reason}`))}

See the options table in the README.`,
  }),

  EGITHUBAPI: ({ action, status, reason }: Facts): ErrorText => ({
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

  ERELEASEDRAFT: ({ tag }: Facts): ErrorText => ({
    message: `The GitHub release ${tag} is still a draft or does not exist; CHANGELOG.md was not touched.`,
    details: `${code("pyrelease changelog sync")} writes the curated, published text. Curate the draft on GitHub, publish it, then run the command again (the workflow on ${code("release: types: [published]")} does this for you).`,
  }),
  EBUILD: ({ command, output, exitCode }: Facts): ErrorText => ({
    message: `Building the distributions failed (${code(command)} exited with ${exitCode}).`,
    details: `Nothing was tagged or published. The build said:

\`\`\`
${output}
\`\`\`

Run the same command locally to reproduce it. In CI without access to a Python index, install the build backend beforehand and add ${code('"pypi": { "buildArgs": ["--no-isolation"] }')}.`,
  }),
  EIMAGEBUILD: ({ entries, output }: Facts): ErrorText => ({
    message: `Building the image(s) ${entries.join(", ")} failed.`,
    details: `${output ? `The builder said:\n\n\`\`\`\n${output}\n\`\`\`\n\n` : ""}No tag was moved: tags are created only when every image of the matrix is in the registry. Fix the Dockerfile or build args (try the build locally), then finish the release with ${code("npx pyrelease resume --tag <tag>")}.`,
  }),

  EIMAGEDIGESTS: ({ missing, dir, version }: Facts): ErrorText => ({
    message: `${missing.length} matrix entr${missing.length === 1 ? "y has" : "ies have"} no digest file for ${version} in ${dir}: ${missing.join(", ")}.`,
    details: `${code("pyrelease images finalize")} tags the images only when every entry was pushed. Each ${code("pyrelease images build --only …")} job writes one digest file; collect them all into ${code(dir)} (for example with ${code("actions/download-artifact")} and ${code("merge-multiple: true")}) before finalizing, or rerun the build jobs that failed:

${list(missing.map((m: string) => code(`npx pyrelease images build --only ${m} --version ${version}`)))}`,
  }),
  EMILESTONECHECK: ({ type, version, milestone, reason }: Facts): ErrorText => ({
    message: `Could not check the milestone ${milestone} that gates the ${type} release ${version}.`,
    details: `${reason ? `${reason}\n\n` : ""}With ${code(`"cadence": { "${type}": "milestone" }`)} a ${type} release waits until the GitHub milestone ${code(milestone)} is closed, and reading it failed, so nothing was released.

The token (${code("GITHUB_TOKEN")} or ${code("GH_TOKEN")}) must be able to read the repository's milestones (in GitHub Actions: ${code("issues: read")}, included in the default token). Rerun the job; to release without waiting for milestones, set ${code(`"cadence": { "${type}": "immediate" }`)}.`,
  }),
  ENORELEASETAG: ({ tag, reason }: Facts): ErrorText => ({
    message: `There is no release tag ${tag} to resume${reason ? ` (${reason})` : ""}.`,
    details: `${code("pyrelease resume --tag <tag>")} finishes a release whose tag already exists (semantic-release pushed it, or you tagged the release commit by hand). Check the name with ${code("git tag --list")} and ${code("git ls-remote --tags origin")}; the tag must match ${code("tagFormat")} (default ${code("v${version}")}). To start a new release, run semantic-release instead.`,
  }),
  // ---- provenance ----
  EPROVENANCE: (facts: Facts): ErrorText => provenanceText(facts),
} satisfies Record<string, (facts: Facts) => ErrorText>;

export type ErrorCode = keyof typeof errorTexts;

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
function provenanceText({ problem, ...facts }: Facts): ErrorText {
  const off = `To release without provenance, set ${code('"provenance": { "enabled": false }')}; ${code('"auto"')} signs only where an identity exists.`;
  const resume = `Nothing was tagged or published by this step; rerun the release (or ${code("npx pyrelease resume --tag <tag>")} once the tag exists).`;
  switch (problem) {
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

export function getError(errorCode: ErrorCode, facts: Facts = {}): SemanticReleaseError {
  const { message, details } = errorTexts[errorCode](facts);
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
