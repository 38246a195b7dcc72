/** Pure: the median of a list of numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Pure: the order in which the sides run in round `round`: the list rotated by one more
 * place every round, so over n rounds every side runs once in every position (with two
 * sides: AB, BA, AB, …) and none is always first (cold caches) or last.
 */
export function roundOrder<T>(sides: readonly T[], round: number): T[] {
  const shift = sides.length ? round % sides.length : 0;
  return [...sides.slice(shift), ...sides.slice(0, shift)];
}

/** Per side, one time per round, in round order. */
export type Interleaved<K extends string> = Record<K, number[]>;

/** Run every side once per round, in `roundOrder`, and collect each side's times (ms). */
export async function interleaved<K extends string>(rounds: number, sides: Record<K, () => Promise<number>>, onRound?: (round: number, times: Record<K, number>) => void): Promise<Interleaved<K>> {
  const names = Object.keys(sides) as K[];
  const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Interleaved<K>;
  for (let round = 0; round < rounds; round++) {
    const got = {} as Record<K, number>;
    for (const name of roundOrder(names, round)) got[name] = await sides[name]();
    for (const name of names) times[name].push(got[name]);
    onRound?.(round, got);
  }
  return times;
}

/** Pure: per-round ratios of two sides measured in the same rounds, and their median. */
export function ratioOf(numerator: readonly number[], denominator: readonly number[]): { ratio: number; ratios: number[] } {
  if (numerator.length !== denominator.length) throw new Error(`ratioOf: ${numerator.length} rounds against ${denominator.length}`);
  const ratios = numerator.map((value, i) => value / denominator[i]);
  return { ratio: median(ratios), ratios };
}

export interface PairedResult {
  /** One ratio per round: numerator / denominator measured back to back. */
  ratios: number[];
  ratio: number;
  numeratorMs: number[];
  denominatorMs: number[];
}

/** Two sides interleaved (AB, BA, …); the ratio is the median of per-round ratios. */
export async function paired(rounds: number, numerator: () => Promise<number>, denominator: () => Promise<number>): Promise<PairedResult> {
  const times = await interleaved(rounds, { numerator, denominator });
  return { ...ratioOf(times.numerator, times.denominator), numeratorMs: times.numerator, denominatorMs: times.denominator };
}

/** Pure: the lowest and highest value. */
export function range(values: readonly number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

export const round2 = (value: number) => Math.round(value * 100) / 100;
export const ms = (value: number) => Math.round(value);
