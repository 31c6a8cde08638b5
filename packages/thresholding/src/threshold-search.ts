import type { PredictionTable } from '@topk/core';
import { checkBoolean, checkInteger, checkOneOf, checkOptions, InvalidArgumentError } from '@topk/core';
import type { ClassThresholds } from './thresholds.js';
import { createClassThresholds, decide } from './thresholds.js';
import { argmaxAt, checkMultiHot, checkNonEmptyTable } from './validate.js';

/** The F1 averages a threshold search can maximise. */
export type ThresholdAverage = 'micro' | 'macro';

/** Options of {@link searchGlobalThreshold} and {@link searchClassThresholds}. */
export interface ThresholdSearchOptions {
  /**
   * F1 to maximise: `'micro'` (counts summed over classes, iMaterialist's metric) or `'macro'` (mean of
   * per-class F1 over all classes).
   * @defaultValue 'micro'
   */
  readonly average?: ThresholdAverage;
  /**
   * Threshold values to try, in [0, 1]; sorted and de-duplicated before use.
   * @defaultValue 0.01, 0.02, …, 0.99
   */
  readonly candidates?: readonly number[];
  /**
   * Search (and save) thresholds for the "at least one label" rule: a row with no class above its threshold
   * gets its most probable class.
   * @defaultValue false
   */
  readonly atLeastOne?: boolean;
  /**
   * Most passes over the classes ({@link searchClassThresholds}); the search also stops after a pass that
   * changes nothing.
   * @defaultValue 10
   */
  readonly maxRounds?: number;
  /**
   * F1 of a class with no true and no predicted label (see {@link ScoreOptions}).
   * @defaultValue 0
   */
  readonly zeroDivision?: number;
}

/** Result of {@link searchGlobalThreshold}. */
export interface GlobalThresholdResult {
  /** The best single threshold for every class. */
  readonly threshold: number;
  /** F1 there. */
  readonly score: number;
}

/** Result of {@link searchClassThresholds}. */
export interface ThresholdSearchResult {
  /** The per-class thresholds found, ready for {@link applyThresholds} and {@link thresholdsToJSON}. */
  readonly thresholds: ClassThresholds;
  /** F1 with those thresholds on the search data. */
  readonly score: number;
  /** The best single threshold, where the per-class search started. */
  readonly globalThreshold: number;
  /** F1 with the global threshold. */
  readonly globalScore: number;
  /** Passes over the classes performed (the last one changed nothing unless `maxRounds` stopped it). */
  readonly rounds: number;
}

const DEFAULT_CANDIDATES: readonly number[] = Object.freeze(
  Array.from({ length: 99 }, (_, i) => (i + 1) / 100),
);
// Scores within this of each other count as ties: only a real gain moves a threshold.
const TIE = 1e-12;

interface Problem {
  readonly probs: Float32Array;
  readonly y: Uint8Array;
  readonly n: number;
  readonly c: number;
  readonly candidates: Float64Array;
  readonly average: ThresholdAverage;
  readonly atLeastOne: boolean;
  readonly maxRounds: number;
  readonly zeroDivision: number;
  readonly argmax: Int32Array;
}

function prepare(fn: string, table: PredictionTable, targets: ArrayLike<number>, options: unknown): Problem {
  checkNonEmptyTable(fn, 'table', table);
  const n = table.ids.length;
  const c = table.classes.length;
  const y = checkMultiHot(fn, 'targets', targets, n, c);
  const {
    average = 'micro',
    candidates = DEFAULT_CANDIDATES,
    atLeastOne = false,
    maxRounds = 10,
    zeroDivision = 0,
  } = checkOptions<ThresholdSearchOptions>(fn, options);
  checkOneOf(fn, 'options.average', average, ['micro', 'macro']);
  if (!Array.isArray(candidates) || candidates.length === 0) {
    throw new InvalidArgumentError(
      fn,
      'options.candidates',
      'a non-empty array of numbers in [0, 1]',
      candidates,
    );
  }
  candidates.forEach((t: unknown, k) => {
    if (typeof t !== 'number' || !(t >= 0 && t <= 1)) {
      throw new InvalidArgumentError(fn, `options.candidates[${k}]`, 'a number in [0, 1]', t);
    }
  });
  checkBoolean(fn, 'options.atLeastOne', atLeastOne);
  checkInteger(fn, 'options.maxRounds', maxRounds, 1);
  if (typeof zeroDivision !== 'number' || !(zeroDivision >= 0 && zeroDivision <= 1)) {
    throw new InvalidArgumentError(fn, 'options.zeroDivision', 'a number in [0, 1]', zeroDivision);
  }
  const sorted = Float64Array.from(new Set(candidates)).sort();
  const argmax = new Int32Array(n);
  for (let i = 0; i < n; i++) argmax[i] = argmaxAt(table.probs, i * c, c);
  return {
    probs: table.probs,
    y,
    n,
    c,
    candidates: sorted,
    average,
    atLeastOne,
    maxRounds,
    zeroDivision,
    argmax,
  };
}

/** Per-class counts with O(1) updates of micro or macro F1. */
class Counts {
  readonly tp: Float64Array;
  readonly fp: Float64Array;
  readonly fn: Float64Array;
  #totalTp = 0;
  #totalFp = 0;
  #totalFn = 0;
  #sumF1 = 0;
  readonly #macro: boolean;
  readonly #zeroDivision: number;

  constructor(c: number, average: ThresholdAverage, zeroDivision: number) {
    this.tp = new Float64Array(c);
    this.fp = new Float64Array(c);
    this.fn = new Float64Array(c);
    this.#macro = average === 'macro';
    this.#zeroDivision = zeroDivision;
  }

  #f1(j: number): number {
    const denominator = 2 * this.tp[j]! + this.fp[j]! + this.fn[j]!;
    return denominator === 0 ? this.#zeroDivision : (2 * this.tp[j]!) / denominator;
  }

  /** Recomputes the running sums from the per-class counts, so rounding cannot drift. */
  resync(): void {
    this.#totalTp = 0;
    this.#totalFp = 0;
    this.#totalFn = 0;
    this.#sumF1 = 0;
    for (let j = 0; j < this.tp.length; j++) {
      this.#totalTp += this.tp[j]!;
      this.#totalFp += this.fp[j]!;
      this.#totalFn += this.fn[j]!;
      this.#sumF1 += this.#f1(j);
    }
  }

  add(j: number, dtp: number, dfp: number, dfn: number): void {
    if (this.#macro) this.#sumF1 -= this.#f1(j);
    this.tp[j] = this.tp[j]! + dtp;
    this.fp[j] = this.fp[j]! + dfp;
    this.fn[j] = this.fn[j]! + dfn;
    this.#totalTp += dtp;
    this.#totalFp += dfp;
    this.#totalFn += dfn;
    if (this.#macro) this.#sumF1 += this.#f1(j);
  }

  score(): number {
    if (this.#macro) return this.#sumF1 / this.tp.length;
    const denominator = 2 * this.#totalTp + this.#totalFp + this.#totalFn;
    return denominator === 0 ? this.#zeroDivision : (2 * this.#totalTp) / denominator;
  }
}

/** Counts of the effective decisions (`raw` thresholded, then the fallback where a row has none). */
function countDecisions(problem: Problem, raw: Uint8Array, positives: Int32Array): Counts {
  const { n, c, y, argmax, atLeastOne } = problem;
  const counts = new Counts(c, problem.average, problem.zeroDivision);
  for (let i = 0; i < n; i++) {
    const start = i * c;
    const fallback = positives[i] === 0 && atLeastOne ? argmax[i]! : -1;
    for (let j = 0; j < c; j++) {
      const predicted = raw[start + j] === 1 || j === fallback;
      if (predicted) {
        if (y[start + j]) counts.tp[j]!++;
        else counts.fp[j]!++;
      } else if (y[start + j]) counts.fn[j]!++;
    }
  }
  counts.resync();
  return counts;
}

function rawDecisions(
  problem: Problem,
  thresholds: Float64Array,
): { raw: Uint8Array; positives: Int32Array } {
  const { n, c } = problem;
  const raw = decide(problem.probs, n, c, thresholds, false);
  const positives = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let count = 0;
    for (let j = 0; j < c; j++) count += raw[i * c + j]!;
    positives[i] = count;
  }
  return { raw, positives };
}

/** Index of the middle of the candidates tied for the best score, so a plateau resolves to its centre. */
function pickBest(scores: Float64Array): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const s of scores) if (s > best) best = s;
  const tied: number[] = [];
  scores.forEach((s, k) => {
    if (s >= best - TIE) tied.push(k);
  });
  return tied[Math.floor((tied.length - 1) / 2)]!;
}

/** Number of candidates at or below `p`: the cell passes exactly the candidates with a lower index. */
function bucketOf(candidates: Float64Array, p: number): number {
  let lo = 0;
  let hi = candidates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (candidates[mid]! <= p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function globalSearch(problem: Problem): GlobalThresholdResult {
  const { candidates, c, n, probs, y, argmax, atLeastOne } = problem;
  const kCount = candidates.length;
  // A cell passes candidate k when p >= candidates[k], i.e. for k below its bucket b = #{candidates <= p}.
  // With one shared threshold the fallback class is always the row's argmax, which passes first, so under
  // "at least one label" the argmax cells pass every candidate (bucket kCount). Per-class histograms of the
  // buckets then give every candidate's counts in O(rows × classes × log candidates).
  const histogram = [new Float64Array(c * (kCount + 1)), new Float64Array(c * (kCount + 1))];
  const positives = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < c; j++) {
      const k = i * c + j;
      const p = probs[k]!;
      const bucket = atLeastOne && argmax[i] === j ? kCount : bucketOf(candidates, p);
      const truth = y[k]!;
      histogram[truth]![j * (kCount + 1) + bucket]!++;
      positives[j] = positives[j]! + truth;
    }
  }
  const counts = new Counts(c, problem.average, problem.zeroDivision);
  const scores = new Float64Array(kCount);
  // Walk the candidates from the highest down: cells of bucket b + 1 join when reaching candidate b.
  counts.fn.set(positives);
  for (let k = kCount - 1; k >= 0; k--) {
    for (let j = 0; j < c; j++) {
      const b = j * (kCount + 1) + k + 1;
      const tp = histogram[1]![b]!;
      counts.tp[j] = counts.tp[j]! + tp;
      counts.fn[j] = counts.fn[j]! - tp;
      counts.fp[j] = counts.fp[j]! + histogram[0]![b]!;
    }
    counts.resync();
    scores[k] = counts.score();
  }
  const best = pickBest(scores);
  return { threshold: candidates[best]!, score: scores[best]! };
}

/**
 * The single threshold (applied to every class) that maximises F1 on validation predictions, among
 * `options.candidates`. Ties resolve to the middle of the best plateau.
 *
 * @param table - validation predictions, at least one row.
 * @param targets - true labels, a row-major `rows × classes` 0/1 matrix (see {@link multiHot}).
 */
export function searchGlobalThreshold(
  table: PredictionTable,
  targets: ArrayLike<number>,
  options: ThresholdSearchOptions = {},
): GlobalThresholdResult {
  return globalSearch(prepare('searchGlobalThreshold', table, targets, options));
}

/**
 * Per-class thresholds that maximise micro- or macro-F1 on validation predictions, as the iMaterialist team
 * did ("trying several thresholds for each label and measuring which maximises F1").
 *
 * The search starts from the best global threshold and then runs coordinate ascent: for one class at a
 * time it evaluates every candidate exactly (one sweep over the rows sorted by that class's probability,
 * with O(1) count updates, the "at least one label" fallback included) and moves the threshold only on a
 * strict gain. Macro-F1 without the fallback separates by class, so one pass reaches the optimum over the
 * candidates; micro-F1 and the fallback couple the classes, and passes repeat until none changes anything.
 *
 * @param table - validation predictions, at least one row.
 * @param targets - true labels, a row-major `rows × classes` 0/1 matrix (see {@link multiHot}).
 */
export function searchClassThresholds(
  table: PredictionTable,
  targets: ArrayLike<number>,
  options: ThresholdSearchOptions = {},
): ThresholdSearchResult {
  const fn = 'searchClassThresholds';
  const problem = prepare(fn, table, targets, options);
  const { n, c, probs, y, argmax, atLeastOne, candidates } = problem;
  const global = globalSearch(problem);
  const thresholds = new Float64Array(c).fill(global.threshold);
  const { raw, positives } = rawDecisions(problem, thresholds);
  const counts = countDecisions(problem, raw, positives);
  const kCount = candidates.length;
  // Rows of the current class grouped by bucket (counting sort): bucket b holds order[start[b]..start[b + 1]).
  const order = new Int32Array(n);
  const start = new Int32Array(kCount + 2);
  const cursor = new Int32Array(kCount + 2);
  const bucket = new Int32Array(n);
  const scores = new Float64Array(candidates.length);

  // Moves row i's class j between "below" (not passing) and "above" (passing): sign +1 adds the change of
  // going above, -1 removes it. The other classes of the row stay as they are.
  const shift = (i: number, j: number, sign: number): void => {
    const k = i * c + j;
    const truth = y[k]!;
    const others = positives[i]! - raw[k]!;
    if (others === 0 && atLeastOne) {
      const a = argmax[i]!;
      if (a === j) return; // below falls back to j itself: both states predict {j}
      counts.add(j, truth ? sign : 0, truth ? 0 : sign, truth ? -sign : 0);
      // Going above replaces the fallback class a.
      const truthA = y[i * c + a]!;
      counts.add(a, truthA ? -sign : 0, truthA ? 0 : -sign, truthA ? sign : 0);
    } else {
      counts.add(j, truth ? sign : 0, truth ? 0 : sign, truth ? -sign : 0);
    }
  };

  let rounds = 0;
  for (let round = 0; round < problem.maxRounds; round++) {
    rounds++;
    let changed = false;
    for (let j = 0; j < c; j++) {
      start.fill(0);
      for (let i = 0; i < n; i++) {
        const b = bucketOf(candidates, probs[i * c + j]!);
        bucket[i] = b;
        start[b + 1]!++;
      }
      for (let b = 1; b <= kCount + 1; b++) start[b] = start[b]! + start[b - 1]!;
      cursor.set(start);
      for (let i = 0; i < n; i++) order[cursor[bucket[i]!]!++] = i;
      counts.resync();
      const current = counts.score();
      // Down to "every row below", then sweep the candidates from the highest, lifting the rows of bucket
      // k + 1 (those with candidates[k] <= p < candidates[k + 1]) when reaching candidate k.
      for (let i = 0; i < n; i++) if (raw[i * c + j]) shift(i, j, -1);
      for (let k = kCount - 1; k >= 0; k--) {
        for (let r = start[k + 1]!; r < start[k + 2]!; r++) shift(order[r]!, j, +1);
        scores[k] = counts.score();
      }
      for (let r = start[1]!; r < n; r++) shift(order[r]!, j, -1);
      const best = pickBest(scores);
      if (scores[best]! > current + TIE) {
        thresholds[j] = candidates[best]!;
        changed = true;
      }
      const t = thresholds[j]!;
      for (let i = 0; i < n; i++) {
        const k = i * c + j;
        const above = probs[k]! >= t ? 1 : 0;
        // Update the row's state after the shift so `others` is read with the old bit.
        if (above) shift(i, j, +1);
        positives[i] = positives[i]! - raw[k]! + above;
        raw[k] = above;
      }
    }
    if (!changed) break;
  }

  const result = createClassThresholds(table.classes, thresholds, { atLeastOne });
  // Score the final thresholds from scratch through the same rule applyThresholds uses.
  const finalDecisions = decide(probs, n, c, thresholds, atLeastOne);
  const finalCounts = countDecisions(problem, finalDecisions, new Int32Array(n).fill(1));
  return {
    thresholds: result,
    score: finalCounts.score(),
    globalThreshold: global.threshold,
    globalScore: global.score,
    rounds,
  };
}
