/** One thing wrong with an option: `key` is its dotted path (`images.matrix.cuda`). All of a step's problems become one EINVALIDCONFIG. */
export interface ConfigProblem {
  key: string;
  reason: string;
}
