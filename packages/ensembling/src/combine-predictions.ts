import type { PredictionTable } from '@topk/core';
import { checkOneOf, checkOptions, createPredictionTable, InvalidArgumentError, Rng } from '@topk/core';
import { alignTablesFor } from './align-tables.js';
import { majorityVoteFor } from './majority-vote.js';
import { normalizedWeights } from './validate.js';

/**
 * How {@link combinePredictions} merges the models' probabilities, per row and class:
 * - `'mean'`: (weighted) arithmetic mean, `([A] + [B] + [C] + [D]) / 4` of the T-shirt write-up;
 * - `'geometric-mean'`: `exp(Σ w·log p)`, 0 as soon as one weighted model says 0;
 * - `'harmonic-mean'`: `1 / Σ (w / p)`, which damps one model's large outliers (iMaterialist write-up);
 * - `'rank-average'`: mean of each model's rank of the row within the class column, scaled to (0, 1]
 *   (`rank / rows`, ties sharing their average rank): only the ordering of each model counts, which suits
 *   ranking metrics and models with different calibrations;
 * - `'vote'`: each model votes for its top class; the (weighted) majority wins and ties are broken at random
 *   with the given `rng` (Intel-scene write-up). The result is one-hot;
 * - `'max'`: the largest probability any model gives.
 *
 * Means and rank averages of probabilities need not sum to 1 per row; no method renormalises.
 */
export type EnsembleMethod = 'mean' | 'geometric-mean' | 'harmonic-mean' | 'rank-average' | 'vote' | 'max';

/** Every {@link EnsembleMethod}. */
export const ENSEMBLE_METHODS: readonly EnsembleMethod[] = Object.freeze([
  'mean',
  'geometric-mean',
  'harmonic-mean',
  'rank-average',
  'vote',
  'max',
]);

/** The methods that are a weighted mean in some transformed space, and so can have their weights searched. */
export type WeightedEnsembleMethod = 'mean' | 'geometric-mean' | 'harmonic-mean' | 'rank-average';

/** Every {@link WeightedEnsembleMethod}. */
export const WEIGHTED_ENSEMBLE_METHODS: readonly WeightedEnsembleMethod[] = Object.freeze([
  'mean',
  'geometric-mean',
  'harmonic-mean',
  'rank-average',
]);

/** Options of {@link combinePredictions}. */
export interface CombinePredictionsOptions {
  /**
   * How to combine.
   * @defaultValue 'mean'
   */
  readonly method?: EnsembleMethod;
  /**
   * One non-negative weight per table (normalised to sum to 1), e.g. from {@link particleSwarmWeights}; a
   * weighted mean is `method: 'mean'` with weights. Not accepted by `'max'`.
   * @defaultValue equal weights
   */
  readonly weights?: readonly number[];
  /** Random stream for the tie-break of `'vote'` (required there, unused otherwise). */
  readonly rng?: Rng;
}

/** Tables aligned and transformed once, so many weightings can be combined cheaply (internal). */
export interface PreparedEnsemble {
  readonly ids: readonly string[];
  readonly classes: readonly string[];
  readonly method: WeightedEnsembleMethod;
  /** Per model, its probabilities in the method's space (log p, 1/p, rank/rows, or p itself). */
  readonly values: readonly Float32Array[];
}

/** Rows up to which a row index fits beside a 32-bit sort key in a float64's 53-bit mantissa. */
const PACKED_ROWS = 2 ** 21;

/**
 * Average ranks (1-based, ties share their mean rank) of each column over the rows, divided by the rows.
 * Probabilities are non-negative, so their float32 bit patterns sort as the values do: each column is
 * packed as `bits · 2²¹ + row` into float64s (exact below 2⁵³) and sorted natively, and equal runs of
 * bits share the mean of their ranks. (Sorting row indices with a comparator over the strided column
 * took three minutes for 100 000 × 1 000.)
 */
function columnRanks(table: PredictionTable): Float32Array {
  const n = table.ids.length;
  const c = table.classes.length;
  const out = new Float32Array(n * c);
  const bits = new Uint32Array(table.probs.buffer, table.probs.byteOffset, table.probs.length);
  if (n > PACKED_ROWS) return columnRanksByComparator(table);
  const packed = new Float64Array(n);
  for (let j = 0; j < c; j++) {
    // The mask folds -0 (sign bit set) onto 0.
    for (let i = 0; i < n; i++) packed[i] = (bits[i * c + j]! & 0x7fffffff) * PACKED_ROWS + i;
    packed.sort();
    for (let start = 0; start < n; ) {
      const key = Math.floor(packed[start]! / PACKED_ROWS);
      let end = start + 1;
      while (end < n && Math.floor(packed[end]! / PACKED_ROWS) === key) end++;
      // Positions start..end-1 hold equal values: each gets the mean of ranks start+1..end.
      const rank = (start + 1 + end) / 2 / n;
      for (let k = start; k < end; k++) out[(packed[k]! % PACKED_ROWS) * c + j] = rank;
      start = end;
    }
  }
  return out;
}

/** The same ranks for tables too tall to pack a row index beside the key. */
function columnRanksByComparator(table: PredictionTable): Float32Array {
  const n = table.ids.length;
  const c = table.classes.length;
  const out = new Float32Array(n * c);
  const order = new Int32Array(n);
  for (let j = 0; j < c; j++) {
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => table.probs[a * c + j]! - table.probs[b * c + j]!);
    for (let start = 0; start < n; ) {
      let end = start + 1;
      const value = table.probs[order[start]! * c + j]!;
      while (end < n && table.probs[order[end]! * c + j]! === value) end++;
      const rank = (start + 1 + end) / 2 / n;
      for (let k = start; k < end; k++) out[order[k]! * c + j] = rank;
      start = end;
    }
  }
  return out;
}

/** Aligns `tables` and maps them into the space where `method` is a weighted mean (internal). */
export function prepareEnsemble(
  fn: string,
  tables: readonly PredictionTable[],
  method: WeightedEnsembleMethod,
): PreparedEnsemble {
  const aligned = alignTablesFor(fn, tables);
  const first = aligned[0]!;
  const transform: Record<WeightedEnsembleMethod, (table: PredictionTable) => Float32Array> = {
    mean: (table) => table.probs,
    'geometric-mean': (table) => table.probs.map(Math.log),
    'harmonic-mean': (table) => table.probs.map((p) => 1 / p),
    'rank-average': columnRanks,
  };
  const values = aligned.map(transform[method]);
  return { ids: first.ids, classes: first.classes, method, values };
}

/** The weighted mean in the method's space, mapped back to probabilities (internal). */
export function combinePrepared(prepared: PreparedEnsemble, weights: Float64Array): PredictionTable {
  const { values, method } = prepared;
  const size = values[0]!.length;
  const out = new Float32Array(size);
  const models: number[] = [];
  // Zero weights are skipped, not multiplied: 0 · log 0 would be NaN.
  weights.forEach((w, m) => {
    if (w > 0) models.push(m);
  });
  for (let k = 0; k < size; k++) {
    let s = 0;
    for (const m of models) s += weights[m]! * values[m]![k]!;
    const p = method === 'geometric-mean' ? Math.exp(s) : method === 'harmonic-mean' ? 1 / s : s;
    // Rounding can step a hair outside [0, 1].
    out[k] = Math.min(1, Math.max(0, p));
  }
  return createPredictionTable(prepared.ids, prepared.classes, out);
}

/**
 * Combines the prediction tables of several models (or TTA views, or data shards) into one.
 *
 * Tables must hold the same ids and the same classes; rows and columns are matched by name (the result
 * follows the first table's order), and a mismatch throws naming the missing or unexpected ids.
 *
 * @param tables - one table per model, at least one.
 *
 * @example
 * ```ts
 * const mean = combinePredictions([dn121, dn201, resnext]);
 * const weighted = combinePredictions([a, b], { weights: [0.7, 0.3] });
 * const vote = combinePredictions([a, b, c], { method: 'vote', rng: new Rng(0) });
 * ```
 */
export function combinePredictions(
  tables: readonly PredictionTable[],
  options: CombinePredictionsOptions = {},
): PredictionTable {
  const fn = 'combinePredictions';
  const { method = 'mean', weights, rng } = checkOptions<CombinePredictionsOptions>(fn, options);
  checkOneOf(fn, 'options.method', method, ENSEMBLE_METHODS);
  if (method === 'vote') {
    if (!(rng instanceof Rng)) {
      throw new InvalidArgumentError(fn, 'options.rng', "an Rng ('vote' breaks ties at random)", rng);
    }
    const { winners, ids, classes } = majorityVoteFor(fn, tables, weights, rng);
    const c = classes.length;
    const probs = new Float32Array(ids.length * c);
    winners.forEach((winner, i) => {
      probs[i * c + winner] = 1;
    });
    return createPredictionTable(ids, classes, probs);
  }
  if (method === 'max') {
    if (weights !== undefined) {
      throw new InvalidArgumentError(fn, 'options.weights', "undefined for method 'max'", weights);
    }
    const aligned = alignTablesFor(fn, tables);
    const out = Float32Array.from(aligned[0]!.probs);
    for (const table of aligned.slice(1)) {
      for (let k = 0; k < out.length; k++) if (table.probs[k]! > out[k]!) out[k] = table.probs[k]!;
    }
    return createPredictionTable(aligned[0]!.ids, aligned[0]!.classes, out);
  }
  const prepared = prepareEnsemble(fn, tables, method);
  return combinePrepared(prepared, normalizedWeights(fn, 'options.weights', weights, prepared.values.length));
}
