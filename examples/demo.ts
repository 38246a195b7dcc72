/**
 * `npm run demo`: a throwaway git history of the example project, with a local bare
 * remote standing in for github.com/o/r, released in dry-run mode by the real
 * semantic-release CLI and the preset. No network, no credentials.
 */
import { exampleHistory, runSemanticRelease } from "../test/support/repo.js";

const repo = exampleHistory("1.1.0", {
  releaserc: {
    pypi: { python: "/usr/bin/python3" },
    images: {
      repository: "docker.io/llenergymeasure",
      matrix: { backend: ["pytorch", "vllm", "tensorrt"], cuda: ["cuda11", "cuda12"] },
      dockerfile: "docker/Dockerfile.{backend}",
      buildArgs: { CUDA: "{cuda}", VERSION: "{pep440}" },
      latest: { cuda: "cuda12" },
    },
  },
});
console.log(`Demo repository: ${repo.dir}\nHistory: v1.0.0, then "feat(backends): add the zeus energy backend" with pyproject.toml at 1.1.0\n`);
console.log("$ npx semantic-release --dry-run\n");
const run = await runSemanticRelease(repo.dir, ["--dry-run", "--no-ci"]);
process.stdout.write(run.output);
repo.cleanup();
if (run.code !== 0) {
  console.error(`\nThe dry run failed (exit ${run.code}).`);
  process.exit(run.code);
}
console.log("\nThe dry run above is the plan: versions agree, nothing was built, tagged or uploaded.");
