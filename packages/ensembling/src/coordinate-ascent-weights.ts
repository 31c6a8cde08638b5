import type { PredictionTable } from '@topk/core';
import { checkInteger, checkOptions, InvalidArgumentError } from '@topk/core';
import type { WeightObjective, WeightSearchOptions, WeightSearchResult } from './weight-search.js';
import { WeightEvaluator } from './weight-search.js';

/** Options of {@link coordinateAscentWeights}. */
export interface CoordinateAscentOptions extends WeightSearchOptions {
  /**
   * First step added to or removed from one model's raw weight (raw weights start at 1 each).
   * @defaultValue 0.5
   */
  readonly initialStep?: number;
  /**
   * The search ends once the step, halved after every pass without improvement, falls below this.
   * @defaultValue 0.01
   */
  readonly minStep?: number;
  /**
   * Hard cap on objective evaluations.
   * @defaultValue 1000
   */
  readonly maxEvaluations?: number;
}

/**
 * Ensemble weights by coordinate ascent, the deterministic baseline for {@link particleSwarmWeights}: from
 * equal weights, try raising and lowering one model's raw weight by `step` (never below 0), keep the better
 * of the two if it improves the objective, move to the next model; after a pass with no improvement halve
 * the step. Needs no random stream; the history has one entry per pass.
 *
 * @param tables - validation predictions of each model (aligned by id and class name).
 * @param objective - the metric of the combined table.
 */
export function coordinateAscentWeights(
  tables: readonly PredictionTable[],
  objective: WeightObjective,
  options: CoordinateAscentOptions = {},
): WeightSearchResult {
  const fn = 'coordinateAscentWeights';
  const opts = checkOptions<CoordinateAscentOptions>(fn, options);
  const { initialStep = 0.5, minStep = 0.01, maxEvaluations = 1000 } = opts;
  if (typeof initialStep !== 'number' || !(initialStep > 0 && Number.isFinite(initialStep))) {
    throw new InvalidArgumentError(fn, 'options.initialStep', 'a finite number > 0', initialStep);
  }
  if (typeof minStep !== 'number' || !(minStep > 0 && minStep <= initialStep)) {
    throw new InvalidArgumentError(
      fn,
      'options.minStep',
      `a number in (0, initialStep = ${initialStep}]`,
      minStep,
    );
  }
  checkInteger(fn, 'options.maxEvaluations', maxEvaluations, 1);
  const evaluator = new WeightEvaluator(fn, tables, objective, opts);
  const d = evaluator.models;
  const x = new Float64Array(d).fill(1);
  let current = evaluator.evaluate(x);
  evaluator.record(0);
  let step = initialStep;
  let pass = 0;
  while (step >= minStep && evaluator.evaluations < maxEvaluations) {
    pass++;
    let improved = false;
    for (let m = 0; m < d && evaluator.evaluations < maxEvaluations; m++) {
      let bestValue = x[m]!;
      let bestGoodness = current;
      for (const candidate of [x[m]! + step, Math.max(0, x[m]! - step)]) {
        if (candidate === x[m] || evaluator.evaluations >= maxEvaluations) continue;
        const trial = Float64Array.from(x);
        trial[m] = candidate;
        if (trial.every((v) => v === 0)) continue;
        const goodness = evaluator.evaluate(trial);
        // A gain must clear rounding noise, so plateaus do not make the search wander.
        if (goodness > bestGoodness + 1e-12 * Math.max(1, Math.abs(bestGoodness))) {
          bestGoodness = goodness;
          bestValue = candidate;
        }
      }
      if (bestValue !== x[m]) {
        x[m] = bestValue;
        current = bestGoodness;
        improved = true;
      }
    }
    if (!improved) step /= 2;
    evaluator.record(pass);
  }
  return evaluator.result();
}
