/** Pure: the median of a list of numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export interface PairedResult {
  /** One ratio per round: numerator / denominator measured back to back. */
  ratios: number[];
  ratio: number;
  numeratorMs: number[];
  denominatorMs: number[];
}

/**
 * Paired, interleaved runs: A, B, A, B… The order inside a round alternates (AB, BA, …)
 * so neither side always runs on a warmer cache; the ratio is the median of per-round ratios.
 */
export async function paired(rounds: number, numerator: () => Promise<number>, denominator: () => Promise<number>): Promise<PairedResult> {
  const ratios: number[] = [];
  const numeratorMs: number[] = [];
  const denominatorMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let a: number;
    let b: number;
    if (round % 2 === 0) {
      a = await numerator();
      b = await denominator();
    } else {
      b = await denominator();
      a = await numerator();
    }
    numeratorMs.push(a);
    denominatorMs.push(b);
    ratios.push(a / b);
  }
  return { ratios, ratio: median(ratios), numeratorMs, denominatorMs };
}

export const round2 = (value: number) => Math.round(value * 100) / 100;
export const ms = (value: number) => Math.round(value);
