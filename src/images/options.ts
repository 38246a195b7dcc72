import { readChoice, readRetry, readUnknownKeys } from "../config/fields.js";
import type { ConfigProblem } from "../config/problem.js";
import type { RetryOptions } from "../http.js";
import { parseSemver } from "../version/semver.js";
import { parsePlatform } from "./platforms.js";

export type ImageBuilder = "buildx" | "podman";
export type Matrix = Record<string, string[]>;

export interface ImagesOptions {
  /** Registry + namespace, e.g. `docker.io/llenergymeasure`. */
  repository: string;
  /** Image name template under `repository`. */
  name: string;
  /** Axes → values, in the order written (the order names entries: `pytorch-cuda12`). */
  matrix: Matrix;
  dockerfile: string;
  context: string;
  buildArgs: Record<string, string>;
  tags: string[];
  /** Axis → value of the entries that also get `latestTags` on a stable release of the main release branch; `{}` selects every entry. */
  latest?: Record<string, string>;
  /** Tag templates the `latest` entries get (and nothing else is ever added beyond `tags`). */
  latestTags: string[];
  /** Build stage (`--target`) template per entry. */
  target?: string;
  /** `os/arch[/variant]` of every entry: two or more make each entry one image index. */
  platforms: string[];
  /** An image built and pushed first, handed to every entry by digest. */
  base?: BaseImageOptions;
  /** First version (semver) that ships images. */
  since?: string;
  builder: ImageBuilder;
  tlsVerify: boolean;
  /** buildx only: the builder instance (`docker buildx bake --builder`); else `BUILDX_BUILDER` or the current one. */
  buildxBuilder?: string;
  /** podman only: how many entries build at the same time. */
  concurrency: number;
  /** Tries and timeouts of every registry step and builder run that fails transiently. */
  retry: RetryOptions;
  /** The release job builds nothing: it hands the matrix to `pyrelease images build` jobs through `$GITHUB_OUTPUT`. */
  scaleOut: boolean;
}

export interface BaseImageOptions {
  /** Image name template under `repository` (version placeholders only: it is one image for every entry). */
  name: string;
  dockerfile: string;
  context: string;
  target?: string;
  buildArgs: Record<string, string>;
  /** The build arg (and bake named context) through which every entry gets `<repository>/<name>@<digest>`. */
  arg: string;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 3, delayMs: 5_000, requestTimeoutMs: 60_000, uploadTimeoutMs: 1_800_000 };
export const DEFAULT_LATEST_TAGS = ["{pep440}", "latest"];
export const DEFAULT_PLATFORMS = ["linux/amd64"];
export const DEFAULT_BASE_ARG = "BASE_IMAGE";

export const DEFAULT_DOCKERFILE = "docker/Dockerfile.{backend}";
export const DEFAULT_CONTEXT = ".";
export const RESERVED_PLACEHOLDERS = ["version", "pep440", "major", "minor", "patch"] as const;

const KNOWN_KEYS = [
  "repository", "name", "matrix", "dockerfile", "context", "buildArgs", "tags", "latest", "latestTags", "target", "platforms", "base",
  "since", "builder", "tlsVerify", "buildxBuilder", "concurrency", "retry", "scaleOut",
];
const BASE_KEYS = ["name", "dockerfile", "context", "target", "buildArgs", "arg"];
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;
const AXIS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const AXIS_VALUE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

/**
 * Pure: the `images` options with defaults and every problem with them (never the first
 * only). `undefined` options when `images` is absent: the project ships no images.
 */
export function readImagesOptions(config: { images?: unknown }): { options: ImagesOptions | undefined; problems: ConfigProblem[] } {
  const raw = config.images;
  if (raw === undefined || raw === null || raw === false) return { options: undefined, problems: [] };
  if (!isObject(raw)) return { options: undefined, problems: [{ key: "images", reason: "must be an object" }] };
  const problems: ConfigProblem[] = [];
  const problem = (key: string, reason: string) => problems.push({ key: `images.${key}`, reason });

  const repository = isText(raw.repository) ? raw.repository.trim().replace(/\/+$/, "") : "";
  if (!repository) problem("repository", "is required: the registry and namespace, e.g. \"docker.io/llenergymeasure\"");

  const matrix: Matrix = {};
  if (!isObject(raw.matrix) || Object.keys(raw.matrix).length === 0) {
    problem("matrix", 'is required: axes → values, e.g. { "backend": ["pytorch", "vllm"], "cuda": ["cuda12"] }');
  } else {
    for (const [axis, values] of Object.entries(raw.matrix)) {
      if (!AXIS_NAME.test(axis)) problem(`matrix.${axis}`, "an axis name is letters, digits and _ (it is used as the placeholder {" + axis + "})");
      else if ((RESERVED_PLACEHOLDERS as readonly string[]).includes(axis)) problem(`matrix.${axis}`, `"${axis}" is a version placeholder; name the axis otherwise`);
      if (!Array.isArray(values) || values.length === 0) {
        problem(`matrix.${axis}`, "must be a non-empty array of strings");
        continue;
      }
      const bad = values.filter((v) => typeof v !== "string" || !AXIS_VALUE.test(v));
      if (bad.length) problem(`matrix.${axis}`, `values must be letters, digits, "_", "." or "-": ${bad.map((v) => JSON.stringify(v)).join(", ")}`);
      const duplicates = values.filter((v, i) => values.indexOf(v) !== i);
      if (duplicates.length) problem(`matrix.${axis}`, `duplicate values: ${duplicates.join(", ")}`);
      matrix[axis] = values.map(String);
    }
  }

  const template = (key: string, fallback: string): string => {
    if (raw[key] === undefined) return fallback;
    if (isText(raw[key])) return raw[key] as string;
    problem(key, "must be a non-empty string template");
    return fallback;
  };
  const name = template("name", "{backend}");
  const dockerfile = template("dockerfile", DEFAULT_DOCKERFILE);
  const context = template("context", DEFAULT_CONTEXT);

  const readBuildArgs = (key: string, value: unknown): Record<string, string> => {
    const args: Record<string, string> = {};
    if (value === undefined) return args;
    if (!isObject(value)) {
      problem(key, "must be an object of NAME → template");
      return args;
    }
    for (const [name, template] of Object.entries(value)) {
      if (!BUILD_ARG.test(name)) problem(`${key}.${name}`, "a build arg name is letters, digits and _");
      if (typeof template === "string" || typeof template === "number" || typeof template === "boolean") args[name] = String(template);
      else problem(`${key}.${name}`, "must be a string template");
    }
    return args;
  };
  const buildArgs = readBuildArgs("buildArgs", raw.buildArgs);

  const templates = (key: string, fallback: string[], allowEmpty: boolean): string[] => {
    const value = raw[key];
    if (value === undefined) return fallback;
    if (Array.isArray(value) && (allowEmpty || value.length > 0) && value.every(isText)) return value as string[];
    problem(key, `must be a${allowEmpty ? "n" : " non-empty"} array of tag templates`);
    return fallback;
  };
  const tags = templates("tags", "cuda" in matrix ? ["{pep440}-{cuda}"] : ["{pep440}"], false);
  const latestTags = templates("latestTags", DEFAULT_LATEST_TAGS, true);

  let latest: Record<string, string> | undefined;
  if (raw.latest !== undefined && raw.latest !== null) {
    if (!isObject(raw.latest)) problem("latest", 'must be an object axis → value, e.g. { "cuda": "cuda12" }, or {} for every entry');
    else {
      latest = {};
      for (const [axis, value] of Object.entries(raw.latest)) {
        if (matrix[axis] === undefined) problem(`latest.${axis}`, `is not a matrix axis (${Object.keys(matrix).join(", ") || "none"})`);
        else if (typeof value !== "string" || !matrix[axis].includes(value)) problem(`latest.${axis}`, `must be one of ${matrix[axis].join(", ")}`);
        latest[axis] = String(value);
      }
    }
  }

  const target = raw.target === undefined ? undefined : template("target", "");

  const platforms = [...DEFAULT_PLATFORMS];
  if (raw.platforms !== undefined) {
    if (!Array.isArray(raw.platforms) || raw.platforms.length === 0) problem("platforms", 'must be a non-empty array such as ["linux/amd64", "linux/arm64"]');
    else {
      const bad = raw.platforms.filter((p) => typeof p !== "string" || !parsePlatform(p));
      if (bad.length) problem("platforms", `${bad.map((p) => JSON.stringify(p)).join(", ")} is not os/architecture[/variant], e.g. "linux/arm64"`);
      const duplicates = raw.platforms.filter((p, i, all) => all.indexOf(p) !== i);
      if (duplicates.length) problem("platforms", `duplicate platforms: ${duplicates.join(", ")}`);
      platforms.splice(0, platforms.length, ...raw.platforms.map(String));
    }
  }

  let base: BaseImageOptions | undefined;
  if (raw.base !== undefined && raw.base !== null) {
    if (!isObject(raw.base)) problem("base", 'must be an object, e.g. { "dockerfile": "docker/Dockerfile.base" }');
    else {
      const rawBase = raw.base;
      const baseText = (key: string, fallback: string | undefined): string | undefined => {
        if (rawBase[key] === undefined) return fallback;
        if (isText(rawBase[key])) return rawBase[key] as string;
        problem(`base.${key}`, "must be a non-empty string template");
        return fallback;
      };
      const dockerfile = baseText("dockerfile", undefined);
      if (dockerfile === undefined && rawBase.dockerfile === undefined) problem("base.dockerfile", 'is required: the base image\'s Dockerfile, e.g. "docker/Dockerfile.base"');
      const arg = baseText("arg", DEFAULT_BASE_ARG)!;
      if (!BUILD_ARG.test(arg)) problem("base.arg", "a build arg name is letters, digits and _");
      readUnknownKeys("images.base", rawBase, BASE_KEYS, problems);
      base = {
        name: baseText("name", "base")!,
        dockerfile: dockerfile ?? "",
        context: baseText("context", DEFAULT_CONTEXT)!,
        target: baseText("target", undefined),
        buildArgs: readBuildArgs("base.buildArgs", rawBase.buildArgs),
        arg,
      };
    }
  }

  let since: string | undefined;
  if (raw.since !== undefined && raw.since !== null) {
    const written = typeof raw.since === "string" ? raw.since.replace(/^v/, "") : "";
    if (parseSemver(written)?.build.length === 0) since = written;
    else problem("since", `must be a version such as "2.0.0", not ${JSON.stringify(raw.since)}`);
  }

  const builder = readChoice<ImageBuilder, ImageBuilder>("images", raw, "builder", ["buildx", "podman"], "buildx", problems);
  const tlsVerify = readChoice("images", raw, "tlsVerify", [true, false], true, problems);
  const scaleOut = readChoice("images", raw, "scaleOut", [true, false], false, problems);

  let buildxBuilder: string | undefined;
  if (raw.buildxBuilder !== undefined) {
    if (isText(raw.buildxBuilder)) buildxBuilder = raw.buildxBuilder;
    else problem("buildxBuilder", "must be the name of a buildx builder instance");
  }

  const count = (key: string, fallback: number, min: number): number => {
    if (raw[key] === undefined) return fallback;
    if (Number.isInteger(raw[key]) && (raw[key] as number) >= min) return raw[key] as number;
    problem(key, `must be an integer >= ${min}`);
    return fallback;
  };
  const concurrency = count("concurrency", 2, 1);

  const retry = readRetry("images", raw, DEFAULT_RETRY, problems);

  readUnknownKeys("images", raw, KNOWN_KEYS, problems);

  if (problems.length) return { options: undefined, problems };
  return {
    options: {
      repository, name, matrix, dockerfile, context, buildArgs, tags, latest, latestTags, target, platforms, base,
      since, builder, tlsVerify, buildxBuilder, concurrency, retry, scaleOut,
    },
    problems,
  };
}
