import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A stand-in `docker` executable for the buildx contract: it records every argv (and
 * whether a password arrived on stdin), validates the bake file the way bake would
 * refuse it, and replays recorded `--metadata-file` results per target, failing the
 * targets the scenario says fail.
 */
export interface StandinScenario {
  /** Target → recorded metadata (written when the target succeeds). */
  recorded: Record<string, Record<string, unknown>>;
  /** Target → error output, for the first `times` bake runs that include it (every run when absent). */
  failures?: Record<string, { message: string; times?: number }>;
  /** `buildx version` fails: no buildx plugin. */
  noBuildx?: boolean;
  /** `imagetools inspect --raw <repo>@<digest>` answers: digest → the index bake pushed for a multi-platform target. */
  indexes?: Record<string, unknown>;
}

export interface RecordedCall {
  argv: string[];
  stdin?: string;
  env: { BUILDX_BUILDER?: string };
  cwd: string;
}

export interface DockerStandin {
  /** Folder to put first on PATH. */
  bin: string;
  calls(): RecordedCall[];
  /** The last bake file received. */
  lastBake(): any;
  /** Every bake file received since the scenario was set, in order. */
  bakes(): any[];
  setScenario(scenario: StandinScenario): void;
  cleanup(): void;
}

const SCRIPT = String.raw`
const fs = require("node:fs");
const path = require("node:path");
const dir = __dirname;
const argv = process.argv.slice(2);
const scenario = JSON.parse(fs.readFileSync(path.join(dir, "scenario.json"), "utf8"));
const call = { argv, env: { BUILDX_BUILDER: process.env.BUILDX_BUILDER }, cwd: process.cwd() };
const record = () => fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify(call) + "\n");
const fail = (message) => { process.stderr.write(message + "\n"); process.exit(1); };
const option = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };

if (argv[0] === "login") {
  call.stdin = argv.includes("--password-stdin") ? fs.readFileSync(0, "utf8") : undefined;
  record();
  if (!call.stdin) fail("Error: Cannot perform an interactive login from a non TTY device");
  process.stdout.write("Login Succeeded\n");
  process.exit(0);
}
record();
if (argv[0] !== "buildx") fail("stand-in docker: only login and buildx are recorded");
if (argv[1] === "version") {
  if (scenario.noBuildx) fail("docker: 'buildx' is not a docker command.");
  process.stdout.write("github.com/docker/buildx v0.20.0 standin\n");
  process.exit(0);
}
if (argv[1] === "bake") {
  const file = option("-f");
  const metadataFile = option("--metadata-file");
  if (!file || !metadataFile) fail("ERROR: bake needs -f and --metadata-file here");
  const bake = JSON.parse(fs.readFileSync(file, "utf8"));
  fs.writeFileSync(path.join(dir, "last-bake.json"), JSON.stringify(bake));
  fs.appendFileSync(path.join(dir, "bakes.jsonl"), JSON.stringify(bake) + "\n");
  const valueFlags = new Set(["-f", "--file", "--metadata-file", "--progress", "--builder", "--set"]);
  const positional = argv.slice(2).filter((a, i, all) => !a.startsWith("-") && !valueFlags.has(all[i - 1]));
  const targets = positional.length ? positional : bake.group.default.targets;
  for (const name of targets) {
    const target = bake.target[name];
    if (!target) fail("ERROR: failed to find target " + name);
    if (target.tags) fail("ERROR: target " + name + " has tags: they would be pushed before the matrix is complete");
    // buildx util/buildflags/attests.go: an attest value is type=<provenance|sbom> with key=value options.
    for (const attest of target.attest || []) {
      if (typeof attest !== "string" || !/^type=(provenance|sbom)(,[a-z-]+=[^,]+)*$/.test(attest)) fail("ERROR: target " + name + ": invalid attest " + JSON.stringify(attest));
    }
    const output = (target.output || []).join(";");
    for (const need of ["type=image", "push-by-digest=true", "name-canonical=true", "push=true", "name="]) {
      if (!output.includes(need)) fail("ERROR: target " + name + " output lacks " + need);
    }
    // Platforms as containerd parses them (containerd/platforms, Parse): os/arch[/variant].
    for (const platform of target.platforms || []) {
      if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform)) fail("ERROR: failed to parse platform " + platform + ": unknown operating system or architecture: invalid argument");
    }
    // Named contexts (docs.docker.com/build/bake/contexts): an image must be pinned here, as docker-image://<ref>.
    for (const [name, value] of Object.entries(target.contexts || {})) {
      if (!/^(docker-image:\/\/|target:|https?:\/\/|oci-layout:\/\/|\.|\/)/.test(value)) fail("ERROR: invalid context " + name + "=" + value);
    }
    if (target.target !== undefined && (typeof target.target !== "string" || !target.target)) fail("ERROR: target " + name + ": invalid build stage");
    const dockerfile = path.resolve(process.cwd(), target.context, target.dockerfile);
    if (!fs.existsSync(dockerfile)) fail("ERROR: failed to solve: failed to read dockerfile: open " + target.dockerfile + ": no such file or directory");
  }
  const state = path.join(dir, "failures-seen.json");
  const seen = fs.existsSync(state) ? JSON.parse(fs.readFileSync(state, "utf8")) : {};
  const metadata = {};
  const errors = [];
  for (const name of targets) {
    const failure = (scenario.failures || {})[name];
    seen[name] = (seen[name] || 0) + 1;
    if (failure && (failure.times === undefined || seen[name] <= failure.times)) errors.push("ERROR: target " + name + ": " + failure.message);
    else metadata[name] = scenario.recorded[name];
  }
  fs.writeFileSync(state, JSON.stringify(seen));
  fs.writeFileSync(metadataFile, JSON.stringify(metadata, null, 2));
  if (errors.length) fail(errors.join("\n"));
  process.exit(0);
}
if (argv[1] === "imagetools" && argv[2] === "inspect") {
  if (!argv.includes("--raw")) fail("stand-in docker: inspect is recorded with --raw only");
  const ref = argv[argv.length - 1];
  const digest = ref.slice(ref.indexOf("@") + 1);
  const index = (scenario.indexes || {})[digest];
  if (!index) fail("ERROR: " + ref + ": not found");
  process.stdout.write(JSON.stringify(index));
  process.exit(0);
}
if (argv[1] === "imagetools" && argv[2] === "create") {
  if (!argv.includes("-t")) fail("ERROR: no tag");
  process.stdout.write("created\n");
  process.exit(0);
}
fail("stand-in docker: unexpected " + argv.join(" "));
`;

export function createDockerStandin(): DockerStandin {
  const bin = mkdtempSync(join(tmpdir(), "pyrelease-docker-"));
  writeFileSync(join(bin, "standin.cjs"), SCRIPT);
  writeFileSync(join(bin, "docker"), `#!/bin/sh\nexec "${process.execPath}" "${join(bin, "standin.cjs")}" "$@"\n`);
  chmodSync(join(bin, "docker"), 0o755);
  const standin: DockerStandin = {
    bin,
    calls: () =>
      existsSync(join(bin, "calls.jsonl"))
        ? readFileSync(join(bin, "calls.jsonl"), "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line))
        : [],
    lastBake: () => JSON.parse(readFileSync(join(bin, "last-bake.json"), "utf8")),
    bakes: () =>
      existsSync(join(bin, "bakes.jsonl")) ? readFileSync(join(bin, "bakes.jsonl"), "utf8").trim().split("\n").filter(Boolean).map((line) => JSON.parse(line)) : [],
    setScenario(scenario) {
      writeFileSync(join(bin, "scenario.json"), JSON.stringify(scenario));
      rmSync(join(bin, "calls.jsonl"), { force: true });
      rmSync(join(bin, "failures-seen.json"), { force: true });
      rmSync(join(bin, "bakes.jsonl"), { force: true });
    },
    cleanup: () => rmSync(bin, { recursive: true, force: true }),
  };
  standin.setScenario({ recorded: {} });
  return standin;
}

/** A target's metadata as `docker buildx bake --metadata-file` records it (docs.docker.com, bake reference). */
export function recordedMetadata(digest: string, configDigest: string): Record<string, unknown> {
  return {
    "buildx.build.provenance": {},
    "buildx.build.ref": "remote-builder/remote-builder0/0fjb6ubs52xx3vygf6fgdl611",
    "containerimage.config.digest": configDigest,
    "containerimage.descriptor": {
      annotations: { "config.digest": configDigest, "org.opencontainers.image.created": "2026-01-02T03:04:05Z" },
      digest,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      size: 506,
    },
    "containerimage.digest": digest,
  };
}
