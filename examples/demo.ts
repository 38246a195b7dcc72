/**
 * `npm run demo`: a throwaway git history of the example project, with a local bare
 * remote standing in for github.com/o/r, released by the real semantic-release CLI and
 * the preset. No network, no credentials.
 *
 * `npm run demo -- --full` goes on to a real release against loopback stand-ins for
 * GitHub and PyPI (OIDC trusted publishing included), and, where podman and
 * docker-registry are installed, real images pushed to a loopback registry.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exampleHistory, PACKAGE_ROOT, runSemanticRelease, TEST_PYPI_OPTIONS } from "../test/support/repo.js";
import { actionsReleaseEnv, podmanEnv, podmanFiles } from "../test/support/actions-env.js";
import { startGitHubServer } from "../test/support/github-server.js";
import { startProvenanceWorld } from "../test/support/provenance.js";
import { REGISTRY_BIN, startRegistry } from "../test/support/registry.js";
import { hasTool } from "../test/support/tools.js";

const full = process.argv.includes("--full");
/** The images of `.releaserc.example.json` (llenergymeasure's GHCR layout): three backends on a shared base, tagged v{pep440} and latest. */
const { repository: GHCR, ...IMAGES } = JSON.parse(readFileSync(join(PACKAGE_ROOT, ".releaserc.example.json"), "utf8")).images;
const HISTORY = 'v1.0.0, then "feat(backends): add the zeus energy backend" with pyproject.toml at 1.1.0';

async function dryRun(): Promise<number> {
  const repo = exampleHistory("1.1.0", { releaserc: { images: { repository: GHCR, ...IMAGES }, provenance: { enabled: "auto" } } });
  try {
    console.log(`Demo repository: ${repo.dir}\nHistory: ${HISTORY}\n\n$ npx semantic-release --dry-run\n`);
    const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
    process.stdout.write(run.output);
    if (run.code === 0) console.log("\nThat is the plan: versions agree; nothing was built, tagged or uploaded.");
    return run.code;
  } finally {
    repo.cleanup();
  }
}

async function fullRelease(): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), "pyrelease-demo-"));
  const github = await startGitHubServer();
  // PyPI with its attestation checks, and a loopback Sigstore (Fulcio, Rekor, TUF) to sign with.
  const world = await startProvenanceWorld();
  const pypi = world.pypi;
  const withImages = hasTool(["podman", "--version"]) && hasTool([REGISTRY_BIN, "--version"]);
  const registry = withImages ? await startRegistry() : undefined;
  for (const [name, text] of Object.entries(podmanFiles(work))) writeFileSync(join(work, name), text);
  const repo = exampleHistory("1.1.0", {
    releaserc: {
      pypi: { ...TEST_PYPI_OPTIONS, repositoryUrl: pypi.uploadUrl, indexUrl: pypi.indexUrl },
      provenance: world.provenance(),
      ...(registry ? { images: { repository: `${registry.host}/llenergymeasure`, builder: "podman", tlsVerify: false, ...IMAGES } } : {}),
    },
  });
  try {
    console.log(`\nDemo repository: ${repo.dir}\nHistory: ${HISTORY}`);
    console.log(`Stand-ins: GitHub API ${github.url}, PyPI ${pypi.url}, Sigstore ${world.sigstore.url}${registry ? `, registry ${registry.host}` : " (no podman/docker-registry: images skipped)"}\n\n$ npx semantic-release   # in a GitHub Actions-like environment\n`);
    const run = await runSemanticRelease(repo.dir, [], actionsReleaseEnv(github, pypi, "main", { GITHUB_WORKFLOW_REF: "o/r/.github/workflows/release.yml@refs/heads/main", ...podmanEnv(work) }));
    process.stdout.write(run.output);
    if (run.code !== 0) return run.code;
    console.log(`\nPyPI now holds: ${pypi.files().map((f) => `${f.filename} (sha256 ${f.sha256.slice(0, 12)}…${f.attestations ? ", with its PEP 740 attestation" : ""})`).join(", ")}`);
    for (const release of github.releases()) {
      console.log(`\nGitHub release ${release.tag_name} (draft: ${release.draft}) reads:\n\n${release.body}`);
    }
    return 0;
  } finally {
    repo.cleanup();
    await github.close();
    await world.close();
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

let code = await dryRun();
if (code === 0 && full) code = await fullRelease();
else if (code === 0) console.log("\nFor a whole release against loopback stand-ins (PyPI, GitHub, a registry): npm run demo -- --full");
process.exitCode = code;
