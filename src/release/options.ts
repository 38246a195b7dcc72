import type { ConfigProblem } from "../config/problem.js";
import { getError } from "../errors.js";

/** Every `read…Options` reader's shape: the options with their defaults, and every problem with them. */
export type OptionsReader<T> = (config: Record<string, any>) => { options: T; problems: ConfigProblem[] };

/** The options a reader finds in the config, or EINVALIDCONFIG listing every problem at once. */
export function optionsOrThrow<T>(read: OptionsReader<T>, config: Record<string, any>): T {
  const { options, problems } = read(config);
  if (problems.length) throw getError("EINVALIDCONFIG", { problems });
  return options;
}
