import type { ConfigProblem } from "../config/problem.js";
import { getError } from "../errors.js";

/** Every `read…Options` reader's shape: the options with their defaults, and every problem with them. */
export type OptionsReader<T> = (config: Record<string, any>) => { options: T; problems: ConfigProblem[] };

/**
 * verifyConditions' form, which reports every problem of the step at once: the options
 * (defaults where they are wrong), and EINVALIDCONFIG listing their problems added to `errors`.
 */
export function optionsCollecting<T>(read: OptionsReader<T>, config: Record<string, any>, errors: Error[]): T {
  const { options, problems } = read(config);
  if (problems.length) errors.push(getError("EINVALIDCONFIG", { problems }));
  return options;
}

/** The options a reader finds in the config, or EINVALIDCONFIG listing every problem at once. */
export function optionsOrThrow<T>(read: OptionsReader<T>, config: Record<string, any>): T {
  const errors: Error[] = [];
  const options = optionsCollecting(read, config, errors);
  if (errors.length) throw errors[0];
  return options;
}
