/**
 * `node dist/bench/spread.js A.json B.json`: how far each ratio moved between two runs of
 * the bench (two quick runs of the same code: how far a quick figure can move).
 */
import { readFileSync } from "node:fs";
import { ROW_ORDER, type Results } from "./report.js";
import { round2 } from "./stats.js";

export interface Movement {
  key: string;
  a: number | null;
  b: number | null;
  /** |a − b|, and as a share of the goal. */
  moved: number | null;
  ofGoal: number | null;
}

/** Pure: per goal key measured in both runs, the two ratios and how far apart they are. */
export function spread(a: Results, b: Results): Movement[] {
  return ROW_ORDER.filter((key) => a[key] && b[key]).map((key) => {
    const x = a[key]!.ratio;
    const y = b[key]!.ratio;
    const moved = x === null || y === null ? null : round2(Math.abs(x - y));
    return { key, a: x, b: y, moved, ofGoal: moved === null ? null : round2(moved / a[key]!.goal) };
  });
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const [a, b] = process.argv.slice(2, 4).map((file) => JSON.parse(readFileSync(file, "utf8")) as Results);
  const rows = spread(a, b).map((m) => `| \`${m.key}\` | ${m.a ?? "—"} | ${m.b ?? "—"} | ${m.moved ?? "—"} | ${m.ofGoal === null ? "—" : `${Math.round(m.ofGoal * 100)} %`} |`);
  process.stdout.write(["| key | run A | run B | moved | of the goal |", "|---|---|---|---|---|", ...rows, ""].join("\n"));
}
