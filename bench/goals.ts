/**
 * The goals every ratio is held to (issue 15). A ratio is "ours / the reference": lower is
 * better, and a goal is met when the ratio is at most the goal.
 */
export const GOALS = {
  dryRunOverhead: 1.1,
  historyScaling: 8,
  publishOverhead: 1.1,
  publishOverheadProvenance: 1.2,
  signingOverhead: 1.1,
  peerRatio: 1.0,
  peerRatioUv: 0.6,
  uvBuildRatio: 0.7,
  psrRatio: 1.0,
  psrRatioLargeHistory: 1.0,
  matrixParallelism: 1.2,
  peakMemory: 1.2,
} as const;

export type GoalKey = keyof typeof GOALS;

export type Verdict = "met" | "missed" | "not measured";

/** Pure: whether a measured ratio meets its goal (at most the goal); null or NaN is "not measured". */
export function verdict(ratio: number | null | undefined, goal: number): Verdict {
  if (ratio === null || ratio === undefined || Number.isNaN(ratio)) return "not measured";
  return ratio <= goal ? "met" : "missed";
}
