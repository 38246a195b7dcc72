/** The parts of semantic-release's plugin context this package reads. */
export interface Logger {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  success(...args: unknown[]): void;
}

export interface Branch {
  name: string;
  type?: "release" | "prerelease" | "maintenance";
  main?: boolean;
  channel?: string | false | null;
  /** The prerelease identifier (semantic-release resolves `prerelease: true` to the branch name). */
  prerelease?: string | boolean;
  range?: string;
}

export interface NextRelease {
  version: string;
  gitTag: string;
  gitHead: string;
  channel?: string | null;
  type?: string;
  notes?: string;
  name?: string;
}

export interface ReleaseRecord {
  name?: string;
  url?: string;
  pluginName?: string;
  [key: string]: unknown;
}

export interface Context {
  cwd: string;
  env: Record<string, string | undefined>;
  logger: Logger;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  options: { dryRun?: boolean; tagFormat?: string; repositoryUrl?: string; branches?: unknown; [key: string]: unknown };
  branch?: Branch;
  branches?: Branch[];
  lastRelease?: { version?: string; gitTag?: string; gitHead?: string };
  nextRelease?: NextRelease;
  commits?: { hash: string; message: string; subject?: string; [key: string]: unknown }[];
  releases?: ReleaseRecord[];
  errors?: Error[];
}

/** What every plugin step receives first: the user's whole configuration merged with the step's own options. */
export type PluginConfig = Record<string, any>;
