import type { ConfigProblem } from "../config/problem.js";

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
  /** Axis → value of the entries that also get `{pep440}` and, on stable main releases, `latest`. */
  latest?: Record<string, string>;
  /** First version (semver) that ships images. */
  since?: string;
  builder: ImageBuilder;
  tlsVerify: boolean;
  /** buildx only: the builder instance (`docker buildx bake --builder`); else `BUILDX_BUILDER` or the current one. */
  buildxBuilder?: string;
  /** podman only: how many entries build at the same time. */
  concurrency: number;
  /** Attempts for a push or tag that fails with a transient registry error. */
  retries: number;
  /** The release job builds nothing: it hands the matrix to `pyrelease images build` jobs through `$GITHUB_OUTPUT`. */
  scaleOut: boolean;
}

export const DEFAULT_DOCKERFILE = "docker/Dockerfile.{backend}";
export const DEFAULT_CONTEXT = ".";
export const RESERVED_PLACEHOLDERS = ["version", "pep440", "major", "minor", "patch"] as const;

const KNOWN_KEYS = [
  "repository", "name", "matrix", "dockerfile", "context", "buildArgs", "tags", "latest", "since",
  "builder", "tlsVerify", "buildxBuilder", "concurrency", "retries", "scaleOut",
];
const AXIS_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const AXIS_VALUE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === "string" && value.trim() !== "";

/**
 * Pure: the `images` options with defaults and every problem with them (never the first
 * only). `undefined` options when `images` is absent: the project ships no images.
 */
export function readImagesOptions(config: { images?: unknown }): { options?: ImagesOptions; problems: ConfigProblem[] } {
  const raw = config.images;
  if (raw === undefined || raw === null || raw === false) return { problems: [] };
  if (!isObject(raw)) return { problems: [{ key: "images", reason: "must be an object" }] };
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

  const buildArgs: Record<string, string> = {};
  if (raw.buildArgs !== undefined) {
    if (!isObject(raw.buildArgs)) problem("buildArgs", "must be an object of NAME → template");
    else
      for (const [key, value] of Object.entries(raw.buildArgs)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) problem(`buildArgs.${key}`, "a build arg name is letters, digits and _");
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") buildArgs[key] = String(value);
        else problem(`buildArgs.${key}`, "must be a string template");
      }
  }

  let tags = "cuda" in matrix ? ["{pep440}-{cuda}"] : ["{pep440}"];
  if (raw.tags !== undefined) {
    if (Array.isArray(raw.tags) && raw.tags.length > 0 && raw.tags.every(isText)) tags = raw.tags as string[];
    else problem("tags", "must be a non-empty array of tag templates");
  }

  let latest: Record<string, string> | undefined;
  if (raw.latest !== undefined && raw.latest !== null) {
    if (!isObject(raw.latest) || Object.keys(raw.latest).length === 0) problem("latest", 'must be an object axis → value, e.g. { "cuda": "cuda12" }');
    else {
      latest = {};
      for (const [axis, value] of Object.entries(raw.latest)) {
        if (matrix[axis] === undefined) problem(`latest.${axis}`, `is not a matrix axis (${Object.keys(matrix).join(", ") || "none"})`);
        else if (typeof value !== "string" || !matrix[axis].includes(value)) problem(`latest.${axis}`, `must be one of ${matrix[axis].join(", ")}`);
        latest[axis] = String(value);
      }
    }
  }

  let since: string | undefined;
  if (raw.since !== undefined && raw.since !== null) {
    if (typeof raw.since === "string" && SEMVER.test(raw.since.replace(/^v/, ""))) since = raw.since.replace(/^v/, "");
    else problem("since", `must be a version such as "2.0.0", not ${JSON.stringify(raw.since)}`);
  }

  let builder: ImageBuilder = "buildx";
  if (raw.builder !== undefined) {
    if (raw.builder === "buildx" || raw.builder === "podman") builder = raw.builder;
    else problem("builder", `must be "buildx" or "podman", not ${JSON.stringify(raw.builder)}`);
  }

  let tlsVerify = true;
  if (raw.tlsVerify !== undefined) {
    if (typeof raw.tlsVerify === "boolean") tlsVerify = raw.tlsVerify;
    else problem("tlsVerify", "must be true or false");
  }

  let scaleOut = false;
  if (raw.scaleOut !== undefined) {
    if (typeof raw.scaleOut === "boolean") scaleOut = raw.scaleOut;
    else problem("scaleOut", "must be true or false");
  }

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
  const retries = count("retries", 3, 1);

  for (const key of Object.keys(raw)) if (!KNOWN_KEYS.includes(key)) problem(key, `is not an option (${KNOWN_KEYS.join(", ")})`);

  if (problems.length) return { problems };
  return {
    options: { repository, name, matrix, dockerfile, context, buildArgs, tags, latest, since, builder, tlsVerify, buildxBuilder, concurrency, retries, scaleOut },
    problems,
  };
}
