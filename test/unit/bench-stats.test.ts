import { test, expect } from "@jest/globals";
import assert from "node:assert/strict";
import { interleaved, median, paired, range, ratioOf, roundOrder } from "../../bench/stats.js";
import { GOALS, verdict } from "../../bench/goals.js";

const medians: [number[], number][] = [
  [[3], 3],
  [[3, 1, 2], 2],
  [[4, 1, 3, 2], 2.5],
  [[1.1, 0.9, 5, 1.0, 1.2], 1.1],
  [[-1, 1], 0],
];
for (const [values, expected] of medians) {
  test(`median of ${JSON.stringify(values)} is ${expected}`, () => {
    assert.equal(median(values), expected);
  });
}

test("the median of nothing is NaN, and the input is not reordered", () => {
  assert.ok(Number.isNaN(median([])));
  const values = [3, 1, 2];
  median(values);
  expect(values).toEqual([3, 1, 2]);
});

test("roundOrder rotates one place a round: every side runs once in every position", () => {
  expect([0, 1, 2, 3].map((r) => roundOrder(["A", "B"], r).join(""))).toEqual(["AB", "BA", "AB", "BA"]);
  const three = [0, 1, 2].map((r) => roundOrder(["A", "B", "C"], r));
  expect(three.map((o) => o.join(""))).toEqual(["ABC", "BCA", "CAB"]);
  for (const position of [0, 1, 2]) expect(three.map((o) => o[position]).sort()).toEqual(["A", "B", "C"]);
  expect(roundOrder([], 3)).toEqual([]);
});

test("interleaved runs the sides in roundOrder and files each time under its side", async () => {
  const calls: string[] = [];
  const side = (name: string, ms: number) => async () => (calls.push(name), ms);
  const seen: Record<string, number>[] = [];
  const times = await interleaved(4, { a: side("a", 10), b: side("b", 20), c: side("c", 30) }, (_round, got) => seen.push(got));
  expect(calls.join("")).toEqual("abc" + "bca" + "cab" + "abc");
  expect(times).toEqual({ a: [10, 10, 10, 10], b: [20, 20, 20, 20], c: [30, 30, 30, 30] });
  assert.equal(seen.length, 4);
});

test("paired alternates AB, BA and takes the median of per-round ratios, not the ratio of medians", async () => {
  const order: string[] = [];
  const numerators = [10, 30, 12];
  const denominators = [10, 10, 6];
  let n = 0;
  let d = 0;
  const result = await paired(
    3,
    async () => (order.push("n"), numerators[n++]),
    async () => (order.push("d"), denominators[d++]),
  );
  expect(order).toEqual(["n", "d", "d", "n", "n", "d"]);
  expect(result.ratios).toEqual([1, 3, 2]);
  assert.equal(result.ratio, 2);
  expect(result.numeratorMs).toEqual(numerators);
  expect(result.denominatorMs).toEqual(denominators);
});

test("ratioOf refuses sides measured in a different number of rounds", () => {
  expect(ratioOf([2, 4], [1, 2])).toEqual({ ratio: 2, ratios: [2, 2] });
  assert.throws(() => ratioOf([1, 2], [1]), /2 rounds against 1/);
});

test("range is the lowest and highest value", () => {
  expect(range([1.2, 0.9, 1.5])).toEqual([0.9, 1.5]);
});

const verdicts: [number | null | undefined, number, string][] = [
  [1.05, 1.1, "met"],
  [1.1, 1.1, "met"],
  [1.11, 1.1, "missed"],
  [0.4, 0.6, "met"],
  [null, 1, "not measured"],
  [undefined, 1, "not measured"],
  [Number.NaN, 1, "not measured"],
];
for (const [ratio, goal, expected] of verdicts) {
  test(`ratio ${ratio} against goal ${goal}: ${expected}`, () => {
    assert.equal(verdict(ratio, goal), expected);
  });
}

test("the goals are issue 15's", () => {
  expect(GOALS).toEqual({
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
  });
});
