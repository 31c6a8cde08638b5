import type { PredictionTable } from '@topk/core';
import { checkInteger, checkNumber, checkOptions, InvalidArgumentError, Rng } from '@topk/core';
import type { WeightObjective, WeightSearchOptions, WeightSearchResult } from './weight-search.js';
import { WeightEvaluator } from './weight-search.js';

/** Options of {@link particleSwarmWeights}. */
export interface ParticleSwarmOptions extends WeightSearchOptions {
  /** Random stream for the initial swarm and the velocity updates: equal seeds give equal searches. */
  readonly rng: Rng;
  /**
   * Swarm size.
   * @defaultValue 20
   */
  readonly particles?: number;
  /**
   * Velocity updates after the initial swarm; the objective is evaluated `particles × (iterations + 1)` times.
   * @defaultValue 50
   */
  readonly iterations?: number;
  /**
   * Inertia `w` of the velocity (Clerc and Kennedy's constriction factor 0.7298).
   * @defaultValue 0.7298
   */
  readonly inertia?: number;
  /**
   * Pull `c1` towards a particle's own best position.
   * @defaultValue 1.49618
   */
  readonly cognitive?: number;
  /**
   * Pull `c2` towards the swarm's best position.
   * @defaultValue 1.49618
   */
  readonly social?: number;
  /**
   * Largest change of a coordinate per step (coordinates live in [0, 1]).
   * @defaultValue 0.25
   */
  readonly maxVelocity?: number;
}

/**
 * Ensemble weights that optimise a validation metric, by particle swarm optimisation, as the iMaterialist
 * team did to find "weights which maximised the F1-score given the validation set" (their best ensemble).
 *
 * Global-best PSO (Kennedy and Eberhart 1995) with inertia (Shi and Eberhart 1998) and the constriction
 * coefficients of Clerc and Kennedy (2002). Each particle is a point of [0, 1]^models, read as weights by
 * dividing by its sum; particle 0 starts at equal weights, so the result is never worse than the plain
 * (unweighted) ensemble, and the others start uniformly at random. Velocities are clamped to
 * `maxVelocity`, positions to [0, 1] (stopping the coordinate there).
 *
 * @param tables - validation predictions of each model (aligned by id and class name).
 * @param objective - the metric of the combined table.
 *
 * @example
 * ```ts
 * const { weights, score, history } = particleSwarmWeights([a, b, c], (t) => logLoss(t, labels), {
 *   rng: new Rng(42),
 *   direction: 'minimize',
 * });
 * const test = combinePredictions([testA, testB, testC], { weights });
 * ```
 */
export function particleSwarmWeights(
  tables: readonly PredictionTable[],
  objective: WeightObjective,
  options: ParticleSwarmOptions,
): WeightSearchResult {
  const fn = 'particleSwarmWeights';
  const opts = checkOptions<ParticleSwarmOptions>(fn, options);
  const {
    rng,
    particles = 20,
    iterations = 50,
    inertia = 0.7298,
    cognitive = 1.49618,
    social = 1.49618,
    maxVelocity = 0.25,
  } = opts;
  if (!(rng instanceof Rng)) throw new InvalidArgumentError(fn, 'options.rng', 'an Rng', rng);
  checkInteger(fn, 'options.particles', particles, 1);
  checkInteger(fn, 'options.iterations', iterations, 0);
  checkNumber(fn, 'options.inertia', inertia, 0, 2);
  checkNumber(fn, 'options.cognitive', cognitive, 0, 4);
  checkNumber(fn, 'options.social', social, 0, 4);
  if (typeof maxVelocity !== 'number' || !(maxVelocity > 0 && maxVelocity <= 1)) {
    throw new InvalidArgumentError(fn, 'options.maxVelocity', 'a number in (0, 1]', maxVelocity);
  }
  const evaluator = new WeightEvaluator(fn, tables, objective, opts);
  const d = evaluator.models;
  const position = Array.from({ length: particles }, (_, p) =>
    Float64Array.from({ length: d }, () => (p === 0 ? 0.5 : rng.next())),
  );
  const velocity = Array.from({ length: particles }, () =>
    Float64Array.from({ length: d }, () => rng.uniform(-maxVelocity, maxVelocity)),
  );
  const personalBest = position.map((x) => Float64Array.from(x));
  const personalGoodness = position.map((x) => evaluator.evaluate(x));
  let globalIndex = 0;
  personalGoodness.forEach((g, p) => {
    if (g > personalGoodness[globalIndex]!) globalIndex = p;
  });
  let globalBest = Float64Array.from(personalBest[globalIndex]!);
  let globalGoodness = personalGoodness[globalIndex]!;
  evaluator.record(0);

  for (let iteration = 1; iteration <= iterations; iteration++) {
    for (let p = 0; p < particles; p++) {
      const x = position[p]!;
      const v = velocity[p]!;
      const own = personalBest[p]!;
      for (let k = 0; k < d; k++) {
        const r1 = rng.next();
        const r2 = rng.next();
        let vk =
          inertia * v[k]! + cognitive * r1 * (own[k]! - x[k]!) + social * r2 * (globalBest[k]! - x[k]!);
        vk = Math.max(-maxVelocity, Math.min(maxVelocity, vk));
        let xk = x[k]! + vk;
        if (xk < 0 || xk > 1) {
          xk = xk < 0 ? 0 : 1;
          vk = 0;
        }
        v[k] = vk;
        x[k] = xk;
      }
      const goodness = evaluator.evaluate(x);
      if (goodness > personalGoodness[p]!) {
        personalGoodness[p] = goodness;
        own.set(x);
        if (goodness > globalGoodness) {
          globalGoodness = goodness;
          globalBest = Float64Array.from(x);
        }
      }
    }
    evaluator.record(iteration);
  }
  return evaluator.result();
}
