import { getError } from "../errors.js";
import type { ConfigProblem } from "../config/problem.js";
import { entryId, entryLabel, entryMatches, expandMatrix, type MatrixEntry } from "./matrix.js";
import type { ImagesOptions } from "./options.js";
import { checkName, checkTag } from "./reference.js";
import { entryTags } from "./tags.js";
import { renderTemplate } from "../config/template.js";
import type { VersionVars } from "../version/placeholders.js";

/** Everything needed to build, push and tag one matrix entry (or the base image). */
export interface ImagePlan {
  /** `pytorch-cuda12`: bake target, digest file and log name. */
  id: string;
  /** `backend=pytorch,cuda=cuda12`. */
  label: string;
  axes: MatrixEntry;
  /** The repository the image is pushed to, without tag: `docker.io/llenergymeasure/pytorch`. */
  repository: string;
  dockerfile: string;
  context: string;
  /** The build stage (`--target`), when one is set. */
  target?: string;
  buildArgs: Record<string, string>;
  /** `os/arch[/variant]`: one platform is one image manifest; more are one image index. */
  platforms: string[];
  /** Tag names (without the repository) to create once every entry is pushed. */
  tags: string[];
  /** The base image this entry is built on, once it is pushed: its name and `repository@digest`. */
  base?: { name: string; ref: string };
}

export interface PlanInput {
  vars: VersionVars;
  /** May `latest` move (see latestAllowed)? */
  latest: boolean;
}

export const BASE_ID = "base";

/**
 * Pure: one plan per matrix entry (and the base image's, when there is one), with every
 * template resolved. All problems at once: unknown placeholders (EINVALIDCONFIG), invalid
 * references (EINVALIDIMAGEREF), two entries claiming the same `repository:tag` (EINVALIDCONFIG).
 */
export function planImages(options: ImagesOptions, input: PlanInput): { plans: ImagePlan[]; base?: ImagePlan; errors: Error[] } {
  const problems: ConfigProblem[] = [];
  const badRefs: { ref: string; entry?: string; reason: string }[] = [];
  const plans: ImagePlan[] = [];
  const reported = new Set<string>();

  const renderer = (vars: Record<string, string>) => (key: string, template: string): string => {
    const rendered = renderTemplate(template, vars);
    if (rendered.ok) return rendered.value;
    const problemKey = `images.${key}`;
    // The same unknown placeholder fails for every entry: say it once.
    if (!reported.has(problemKey + template)) {
      reported.add(problemKey + template);
      problems.push({
        key: problemKey,
        reason: `${JSON.stringify(template)} uses unknown placeholder(s) ${rendered.unknown.join(", ")}; known: ${Object.keys(vars).map((k) => `{${k}}`).join(", ")}`,
      });
    }
    return template;
  };
  const checkRepository = (repository: string, label: string) => {
    const nameCheck = checkName(repository);
    if (!nameCheck.ok) badRefs.push({ ref: repository, entry: label, reason: nameCheck.reason });
  };

  for (const axes of expandMatrix(options.matrix)) {
    const label = entryLabel(axes);
    const render = renderer({ ...input.vars, ...axes });
    const repository = `${options.repository}/${render("name", options.name)}`;
    checkRepository(repository, label);

    const rendered = options.tags.map((tag, i) => render(`tags[${i}]`, tag));
    const latestRendered = options.latestTags.map((tag, i) => render(`latestTags[${i}]`, tag));
    const isLatestEntry = options.latest !== undefined && entryMatches(axes, options.latest);
    const tags = entryTags(rendered, latestRendered, { isLatestEntry, latest: input.latest });
    for (const tag of tags) {
      const reason = checkTag(tag);
      if (reason && !tag.includes("{")) badRefs.push({ ref: `${repository}:${tag}`, entry: label, reason });
    }

    const buildArgs: Record<string, string> = {};
    for (const [key, template] of Object.entries(options.buildArgs)) buildArgs[key] = render(`buildArgs.${key}`, template);

    plans.push({
      id: entryId(axes),
      label,
      axes,
      repository,
      dockerfile: render("dockerfile", options.dockerfile),
      context: render("context", options.context),
      ...(options.target !== undefined ? { target: render("target", options.target) } : {}),
      buildArgs,
      platforms: [...options.platforms],
      tags,
    });
  }

  let base: ImagePlan | undefined;
  if (options.base) {
    // One base for every entry: only the version placeholders, no axis.
    const render = renderer({ ...input.vars });
    const repository = `${options.repository}/${render("base.name", options.base.name)}`;
    checkRepository(repository, BASE_ID);
    const buildArgs: Record<string, string> = {};
    for (const [key, template] of Object.entries(options.base.buildArgs)) buildArgs[key] = render(`base.buildArgs.${key}`, template);
    base = {
      id: BASE_ID,
      label: BASE_ID,
      axes: {},
      repository,
      dockerfile: render("base.dockerfile", options.base.dockerfile),
      context: render("base.context", options.base.context),
      ...(options.base.target !== undefined ? { target: render("base.target", options.base.target) } : {}),
      buildArgs,
      platforms: [...options.platforms],
      tags: [],
    };
    if (plans.some((plan) => plan.repository === repository)) {
      problems.push({ key: "images.base.name", reason: `${repository} is also a matrix entry's repository; give the base image a name of its own` });
    }
  }

  const owners = new Map<string, string>();
  for (const plan of plans) {
    for (const tag of plan.tags) {
      const ref = `${plan.repository}:${tag}`;
      const owner = owners.get(ref);
      if (owner) {
        problems.push({
          key: "images.tags",
          reason: `${ref} would be claimed by both ${owner} and ${plan.label}; add an axis placeholder to the tag or name${options.latestTags.length ? ", or select one entry per image name with images.latest" : ""}`,
        });
      } else owners.set(ref, plan.label);
    }
  }

  const errors: Error[] = [];
  if (problems.length) errors.push(getError("EINVALIDCONFIG", { problems }));
  if (badRefs.length) errors.push(getError("EINVALIDIMAGEREF", { refs: badRefs }));
  return { plans, base, errors };
}

/** Pure: `plans` built on the pushed base image: its `repository@digest` as the build arg `arg`. */
export function onBase(plans: ImagePlan[], base: { name: string; arg: string; ref: string }): ImagePlan[] {
  return plans.map((plan) => ({ ...plan, buildArgs: { ...plan.buildArgs, [base.arg]: base.ref }, base: { name: base.name, ref: base.ref } }));
}

/** Pure: every reference a release pushes or moves, for dry runs and logs. */
export function describePlan(plan: ImagePlan): string {
  const platforms = plan.platforms.length > 1 ? ` (index of ${plan.platforms.join(", ")})` : "";
  if (plan.tags.length === 0) return `${plan.label}: ${plan.repository}@<digest>${platforms}, untagged`;
  return `${plan.label}: ${plan.repository}@<digest>${platforms} → ${plan.tags.map((t) => `${plan.repository}:${t}`).join(", ")}`;
}
