import { getError } from "../errors.js";
import type { ConfigProblem } from "../config/problem.js";
import { entryId, entryLabel, entryMatches, expandMatrix, type MatrixEntry } from "./matrix.js";
import type { ImagesOptions } from "./options.js";
import { checkName, checkTag } from "./reference.js";
import { entryTags } from "./tags.js";
import { renderTemplate, type VersionVars } from "./template.js";

/** Everything needed to build, push and tag one matrix entry. */
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
  buildArgs: Record<string, string>;
  /** Tag names (without the repository) to create once every entry is pushed. */
  tags: string[];
}

export interface PlanInput {
  vars: VersionVars;
  /** May `latest` move (see latestAllowed)? */
  latest: boolean;
}

/**
 * Pure: one plan per matrix entry, with every template resolved. All problems at once:
 * unknown placeholders (EINVALIDCONFIG), invalid references (EINVALIDIMAGEREF), two
 * entries claiming the same `repository:tag` (EINVALIDCONFIG).
 */
export function planImages(options: ImagesOptions, input: PlanInput): { plans: ImagePlan[]; errors: Error[] } {
  const problems: ConfigProblem[] = [];
  const badRefs: { ref: string; entry?: string; reason: string }[] = [];
  const plans: ImagePlan[] = [];
  const reported = new Set<string>();

  for (const axes of expandMatrix(options.matrix)) {
    const label = entryLabel(axes);
    const vars: Record<string, string> = { ...input.vars, ...axes };
    const render = (key: string, template: string): string => {
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

    const name = render("name", options.name);
    const repository = `${options.repository}/${name}`;
    const nameCheck = checkName(repository);
    if (!nameCheck.ok) badRefs.push({ ref: repository, entry: label, reason: nameCheck.reason });

    const rendered = options.tags.map((tag, i) => render(`tags[${i}]`, tag));
    const isLatestEntry = options.latest !== undefined && entryMatches(axes, options.latest);
    const tags = entryTags(rendered, { isLatestEntry, pep440: input.vars.pep440, latest: input.latest });
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
      buildArgs,
      tags,
    });
  }

  const owners = new Map<string, string>();
  for (const plan of plans) {
    for (const tag of plan.tags) {
      const ref = `${plan.repository}:${tag}`;
      const owner = owners.get(ref);
      if (owner) problems.push({ key: "images.tags", reason: `${ref} would be claimed by both ${owner} and ${plan.label}; add an axis placeholder to the tag or name` });
      else owners.set(ref, plan.label);
    }
  }

  const errors: Error[] = [];
  if (problems.length) errors.push(getError("EINVALIDCONFIG", { problems }));
  if (badRefs.length) errors.push(getError("EINVALIDIMAGEREF", { refs: badRefs }));
  return { plans, errors };
}

/** Pure: every reference a release pushes or moves, for dry runs and logs. */
export function describePlan(plan: ImagePlan): string {
  return `${plan.label}: ${plan.repository}@<digest> → ${plan.tags.map((t) => `${plan.repository}:${t}`).join(", ")}`;
}
