import type { PredictionTable } from '@topk/core';
import { checkOneOf, InvalidArgumentError } from '@topk/core';
import type { PreparedEnsemble, WeightedEnsembleMethod } from './combine-predictions.js';
import { combinePrepared, prepareEnsemble, WEIGHTED_ENSEMBLE_METHODS } from './combine-predictions.js';

/**
 * The metric a weight search optimises, computed on the combined validation predictions, e.g.
 * `(t) => accuracy(t, labels)`, `(t) => logLoss(t, labels)` (with `direction: 'minimize'`) or micro-F1
 * after thresholding, all from `@topk/thresholding`.
 */
export type WeightObjective = (combined: PredictionTable) => number;

/** Whether the objective is a score to raise or a loss to lower. */
export type SearchDirection = 'maximize' | 'minimize';

/** Options shared by {@link particleSwarmWeights} and {@link coordinateAscentWeights}. */
export interface WeightSearchOptions {
  /**
   * How the weighted tables are combined (see {@link combinePredictions}).
   * @defaultValue 'mean'
   */
  readonly method?: WeightedEnsembleMethod;
  /**
   * Raise or lower the objective.
   * @defaultValue 'maximize'
   */
  readonly direction?: SearchDirection;
}

/** One entry of a search history: the best point found so far after an iteration. */
export interface WeightSearchStep {
  /** 0 for the starting point (or swarm), then 1, 2, … */
  readonly iteration: number;
  /** Objective evaluations so far. */
  readonly evaluations: number;
  /** Best objective value so far. */
  readonly score: number;
  /** Weights (summing to 1) that reached it. */
  readonly weights: readonly number[];
}

/** Result of a weight search. */
export interface WeightSearchResult {
  /** The best weights found, one per table, summing to 1: pass them to {@link combinePredictions}. */
  readonly weights: readonly number[];
  /** Objective value with those weights. */
  readonly score: number;
  readonly method: WeightedEnsembleMethod;
  /** Total objective evaluations. */
  readonly evaluations: number;
  /** Best-so-far after each iteration, starting point first. */
  readonly history: readonly WeightSearchStep[];
}

/**
 * Evaluates search positions (non-negative vectors, normalised into weights) and tracks the best one
 * (internal to the two searches).
 */
export class WeightEvaluator {
  readonly #fn: string;
  readonly #prepared: PreparedEnsemble;
  readonly #objective: WeightObjective;
  readonly #sign: number;
  readonly method: WeightedEnsembleMethod;
  readonly models: number;
  evaluations = 0;
  /** Best position's weights and its objective value, as given (not sign-flipped). */
  bestWeights: readonly number[] = [];
  bestScore = Number.NaN;
  #bestGoodness = Number.NEGATIVE_INFINITY;
  readonly history: WeightSearchStep[] = [];

  constructor(
    fn: string,
    tables: readonly PredictionTable[],
    objective: unknown,
    options: WeightSearchOptions,
  ) {
    const { method = 'mean', direction = 'maximize' } = options;
    checkOneOf(fn, 'options.method', method, WEIGHTED_ENSEMBLE_METHODS);
    checkOneOf(fn, 'options.direction', direction, ['maximize', 'minimize']);
    if (typeof objective !== 'function') {
      throw new InvalidArgumentError(
        fn,
        'objective',
        'a function of the combined table returning a number',
        objective,
      );
    }
    this.#fn = fn;
    this.#prepared = prepareEnsemble(fn, tables, method);
    this.#objective = objective as WeightObjective;
    this.#sign = direction === 'maximize' ? 1 : -1;
    this.method = method;
    this.models = this.#prepared.values.length;
  }

  /** Weights summing to 1 from a non-negative position; all-zero positions mean equal weights. */
  weightsOf(position: ArrayLike<number>): Float64Array {
    let total = 0;
    for (let m = 0; m < this.models; m++) total += position[m]!;
    return Float64Array.from({ length: this.models }, (_, m) =>
      total > 0 ? position[m]! / total : 1 / this.models,
    );
  }

  /** Goodness of a position: the objective, negated when minimising, so larger is always better. */
  evaluate(position: ArrayLike<number>): number {
    const weights = this.weightsOf(position);
    const score = this.#objective(combinePrepared(this.#prepared, weights));
    if (typeof score !== 'number' || Number.isNaN(score)) {
      throw new InvalidArgumentError(this.#fn, 'objective', 'a function returning a number (not NaN)', score);
    }
    this.evaluations++;
    const goodness = this.#sign * score;
    if (goodness > this.#bestGoodness) {
      this.#bestGoodness = goodness;
      this.bestScore = score;
      this.bestWeights = Object.freeze([...weights]);
    }
    return goodness;
  }

  record(iteration: number): void {
    this.history.push({
      iteration,
      evaluations: this.evaluations,
      score: this.bestScore,
      weights: this.bestWeights,
    });
  }

  result(): WeightSearchResult {
    return {
      weights: this.bestWeights,
      score: this.bestScore,
      method: this.method,
      evaluations: this.evaluations,
      history: this.history,
    };
  }
}
