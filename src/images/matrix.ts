import type { Matrix } from "./options.js";

/** One combination of the matrix: axis → value, in the matrix' axis order. */
export type MatrixEntry = Record<string, string>;

/** Pure: every combination of the axes, the first axis varying slowest. */
export function expandMatrix(matrix: Matrix): MatrixEntry[] {
  let entries: MatrixEntry[] = [{}];
  for (const [axis, values] of Object.entries(matrix)) {
    entries = entries.flatMap((entry) => values.map((value) => ({ ...entry, [axis]: value })));
  }
  return entries;
}

/** `{ backend: "vllm", cuda: "cuda12" }` → `vllm-cuda12`: the entry's name in logs, bake targets and digest files. */
export function entryId(entry: MatrixEntry): string {
  return Object.values(entry).join("-").replace(/[^A-Za-z0-9_-]/g, "_");
}

/** `{ backend: "vllm", cuda: "cuda12" }` → `backend=vllm,cuda=cuda12`: the form `--only` takes. */
export function entryLabel(entry: MatrixEntry): string {
  return Object.entries(entry).map(([axis, value]) => `${axis}=${value}`).join(",");
}

/** Does `entry` have every axis → value of `selector`? */
export function entryMatches(entry: MatrixEntry, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([axis, value]) => entry[axis] === value);
}

/** `backend=vllm,cuda=cuda12` → `{ backend: "vllm", cuda: "cuda12" }`, or the reason it is not one. */
export function parseSelector(text: string): { ok: true; selector: Record<string, string> } | { ok: false; reason: string } {
  const selector: Record<string, string> = {};
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)=([^=\s]+)$/.exec(part);
    if (!match) return { ok: false, reason: `"${part}" is not axis=value` };
    if (match[1] in selector) return { ok: false, reason: `axis "${match[1]}" is given twice` };
    selector[match[1]] = match[2];
  }
  if (Object.keys(selector).length === 0) return { ok: false, reason: "no axis=value given" };
  return { ok: true, selector };
}
