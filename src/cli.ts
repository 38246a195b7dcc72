#!/usr/bin/env node
import type { Command, CommandIO } from "./commands/io.js";

const USAGE = `usage: pyrelease <command>

  plan [--verbose]                       what the next release would do (no credentials used)
  check-version --tag vX.Y.Z             exit 1 (ETAGMISMATCH) unless pyproject.toml holds that version
  resume --tag vX.Y.Z                    finish a release whose tag exists but whose publish failed halfway
  images build --only axis=value,… --version V
  images finalize --version V            the image matrix split across CI jobs
  changelog sync --tag vX.Y.Z            write the published GitHub release into CHANGELOG.md
  bump                                   write the next version into pyproject.toml and uv.lock; print the release PR's title and body
`;

const COMMANDS: Record<string, () => Promise<Command>> = {
  plan: async () => (await import("./commands/plan.js")).planCommand,
  "check-version": async () => (await import("./commands/check-version.js")).checkVersionCommand,
  resume: async () => (await import("./commands/resume.js")).resumeCommand,
  images: async () => (await import("./commands/images.js")).imagesCommand,
  changelog: async () => (await import("./commands/changelog.js")).changelogCommand,
  bump: async () => (await import("./commands/bump.js")).bumpCommand,
};

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  const load = name ? COMMANDS[name] : undefined;
  if (!load) {
    (name && name !== "--help" && name !== "-h" ? io.stderr : io.stdout)(USAGE);
    return name && name !== "--help" && name !== "-h" ? 2 : 0;
  }
  return (await load())(rest, io);
}

const io: CommandIO = {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};
process.exitCode = await main(process.argv.slice(2), io);
