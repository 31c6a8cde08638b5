import { InvalidArgumentError, type Rng } from '@topk/core';
import { withItems } from './dataset.js';
import type { Dataset, DatasetItem } from './types.js';

/** A train/validation split; both keep the dataset's vocabulary and the items' listed order. */
export interface DatasetSplit {
  readonly train: Dataset;
  readonly valid: Dataset;
}

/** Options shared by the train/validation splits. */
export interface SplitOptions {
  /**
   * Fraction of the data in the validation set (the T-shirt write-up's 80/20 split).
   * @defaultValue 0.2
   */
  readonly validFraction?: number;
  /** Seeded randomness. */
  readonly rng: Rng;
}

/** Throws unless `fraction` is in (0, 1). */
export function checkFraction(fn: string, fraction: number): void {
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction < 1)) {
    throw new InvalidArgumentError(fn, 'options.validFraction', 'a number in (0, 1)', fraction);
  }
}

/** Items with `fold[i] === which` into one dataset, the rest into the other, order kept. */
export function splitByFold(dataset: Dataset, fold: ArrayLike<number>, which: number): DatasetSplit {
  const train: DatasetItem[] = [];
  const valid: DatasetItem[] = [];
  dataset.items.forEach((item, i) => {
    (fold[i] === which ? valid : train).push(item);
  });
  return { train: withItems(dataset, train), valid: withItems(dataset, valid) };
}

/**
 * Hamilton's largest-remainder apportionment: integer shares of `total` proportional to `weights`, each
 * the floor or the ceiling of its exact quota; leftover units go to the largest fractional parts, ties
 * to the lower index.
 */
export function largestRemainder(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (sum > 0 ? (w * total) / sum : 0));
  const shares = quotas.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = quotas
    .map((q, i) => ({ i, frac: q - Math.floor(q) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i]!++;
    left--;
  }
  return shares;
}

/**
 * Iterative stratification for multi-label data (Sechidis, Tsoumakas and Vlahavas, "On the
 * stratification of multi-label data", ECML PKDD 2011, Algorithm 1): labels are handled from the rarest
 * up; each example carrying the current label goes to the fold that most wants that label (then the
 * fold that most wants examples, then at random); examples without labels go last, to the folds that
 * want examples most.
 *
 * @returns the fold of each example.
 */
export function iterativeStratification(
  labelSets: readonly (readonly number[])[],
  classCount: number,
  fractions: readonly number[],
  rng: Rng,
): Int32Array {
  const n = labelSets.length;
  const k = fractions.length;
  const fold = new Int32Array(n).fill(-1);
  const wanted = fractions.map((r) => r * n);
  const perLabel: number[][] = Array.from({ length: classCount }, () => []);
  labelSets.forEach((labels, i) => {
    for (const l of labels) perLabel[l]!.push(i);
  });
  const wantedPerLabel = fractions.map((r) => Float64Array.from(perLabel, (list) => r * list.length));
  const remaining = Int32Array.from(perLabel, (list) => list.length);
  const pickFold = (label: number | undefined): number => {
    let best: number[] = [];
    let bestKey: [number, number] = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (let j = 0; j < k; j++) {
      const key: [number, number] = [
        label === undefined ? wanted[j]! : wantedPerLabel[j]![label]!,
        wanted[j]!,
      ];
      if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
        best = [j];
        bestKey = key;
      } else if (key[0] === bestKey[0] && key[1] === bestKey[1]) best.push(j);
    }
    return best.length === 1 ? best[0]! : rng.choice(best);
  };
  const assign = (i: number, j: number) => {
    fold[i] = j;
    wanted[j]!--;
    for (const l of labelSets[i]!) {
      wantedPerLabel[j]![l]!--;
      remaining[l]!--;
    }
  };
  for (;;) {
    // The rarest label still carried by an unassigned example (ties: the lower index).
    let label = -1;
    for (let l = 0; l < classCount; l++) {
      if (remaining[l]! > 0 && (label < 0 || remaining[l]! < remaining[label]!)) label = l;
    }
    if (label < 0) break;
    const examples = rng.shuffle(perLabel[label]!.filter((i) => fold[i] === -1));
    for (const i of examples) assign(i, pickFold(label));
  }
  const unlabelled: number[] = [];
  for (let i = 0; i < n; i++) if (fold[i] === -1) unlabelled.push(i);
  for (const i of rng.shuffle(unlabelled)) assign(i, pickFold(undefined));
  return fold;
}
