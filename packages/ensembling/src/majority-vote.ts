import type { PredictionTable } from '@topk/core';
import { checkOptions, InvalidArgumentError, Rng } from '@topk/core';
import { alignTablesFor } from './align-tables.js';
import { argmaxAt, normalizedWeights } from './validate.js';

/** Options of {@link majorityVote}. */
export interface MajorityVoteOptions {
  /** Random stream that breaks ties between classes with the same number of votes. */
  readonly rng: Rng;
  /**
   * One non-negative vote weight per table (normalised to sum to 1).
   * @defaultValue equal weights
   */
  readonly weights?: readonly number[];
}

/** Result of {@link majorityVote}. */
export interface MajorityVoteResult {
  /** Row ids, in the first table's order. */
  readonly ids: readonly string[];
  readonly classes: readonly string[];
  /** The winning class of each row. */
  readonly winners: Int32Array;
  /** Row-major `rows × classes` share of the (weighted) votes each class got; rows sum to 1. */
  readonly votes: Float64Array;
  /** How many rows had a tie for the most votes (and so a random winner). */
  readonly tiedRows: number;
}

// Weighted vote shares that differ by less than this are a tie (sums of normalised float weights).
const TIE = 1e-9;

/** {@link majorityVote} reporting errors as `fn` (internal). */
export function majorityVoteFor(
  fn: string,
  tables: readonly PredictionTable[],
  weights: unknown,
  rng: Rng,
): MajorityVoteResult {
  const aligned = alignTablesFor(fn, tables);
  const w = normalizedWeights(fn, 'options.weights', weights, aligned.length);
  const { ids, classes } = aligned[0]!;
  const n = ids.length;
  const c = classes.length;
  const votes = new Float64Array(n * c);
  aligned.forEach((table, m) => {
    for (let i = 0; i < n; i++) {
      const k = i * c + argmaxAt(table.probs, i * c, c);
      votes[k] = votes[k]! + w[m]!;
    }
  });
  const winners = new Int32Array(n);
  let tiedRows = 0;
  const tied: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 0; j < c; j++) best = Math.max(best, votes[i * c + j]!);
    tied.length = 0;
    for (let j = 0; j < c; j++) if (votes[i * c + j]! >= best - TIE) tied.push(j);
    if (tied.length > 1) tiedRows++;
    // One draw per tied row only, so rows without ties never move the stream.
    winners[i] = tied.length > 1 ? tied[rng.int(0, tied.length)]! : tied[0]!;
  }
  return { ids, classes, winners, votes, tiedRows };
}

/**
 * Hard voting: each model votes for its most probable class (the first one on ties), the class with the
 * most (weighted) votes wins, and a tie between classes is broken uniformly at random with `rng`, as the
 * Intel-scene team did ("in case there's more than one class having maximum occurrence, I randomly pick
 * one").
 *
 * @param tables - one table per model (aligned by id and class name, see {@link alignTables}).
 */
export function majorityVote(
  tables: readonly PredictionTable[],
  options: MajorityVoteOptions,
): MajorityVoteResult {
  const fn = 'majorityVote';
  const { rng, weights } = checkOptions<MajorityVoteOptions>(fn, options);
  if (!(rng instanceof Rng)) throw new InvalidArgumentError(fn, 'options.rng', 'an Rng', rng);
  return majorityVoteFor(fn, tables, weights, rng);
}
