import { InvalidArgumentError, Rng } from '@topk/core';
import { accuracy, applyThresholds, countMultiLabelOutcomes, f1Score, logLoss } from '@topk/thresholding';
import { describe, expect, it } from 'vitest';
import { combinePredictions } from './combine-predictions.js';
import { particleSwarmWeights } from './particle-swarm-weights.js';
import { knownOptimum, multiLabelSet, oneGoodModel } from './weight-search.fixtures.js';

describe('particleSwarmWeights', () => {
  it('finds the known best weights of a synthetic problem', () => {
    const { tables, best, squaredError } = knownOptimum(1);
    const result = particleSwarmWeights(tables, squaredError, { rng: new Rng(42), direction: 'minimize' });
    result.weights.forEach((w, m) => {
      expect(w).toBeCloseTo(best[m]!, 2);
    });
    expect(result.score).toBeLessThan(1e-4);
    expect(result.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });

  it('puts the weight on the clearly better model (log-loss, accuracy)', () => {
    const { tables, labels } = oneGoodModel(2);
    const loss = particleSwarmWeights(tables, (t) => logLoss(t, labels), {
      rng: new Rng(1),
      direction: 'minimize',
    });
    expect(loss.weights[0]).toBeGreaterThan(0.8);
    expect(loss.score).toBeLessThan(logLoss(combinePredictions(tables), labels));
    expect(loss.score).toBeCloseTo(logLoss(combinePredictions(tables, { weights: loss.weights }), labels), 6);

    const acc = particleSwarmWeights(tables, (t) => accuracy(t, labels), { rng: new Rng(1), iterations: 20 });
    expect(acc.score).toBeGreaterThanOrEqual(accuracy(combinePredictions(tables), labels));
    expect(acc.score).toBeGreaterThanOrEqual(accuracy(tables[0]!, labels));
    expect(acc.weights[0]).toBe(Math.max(...acc.weights));
  });

  it('maximises micro-F1 after thresholding', () => {
    const { tables, targets } = multiLabelSet(3);
    const microF1 = (t: Parameters<typeof applyThresholds>[0]) =>
      f1Score(countMultiLabelOutcomes(targets, applyThresholds(t, 0.5), 4), 'micro');
    const result = particleSwarmWeights(tables, microF1, { rng: new Rng(3), particles: 10, iterations: 15 });
    expect(result.weights[0]).toBeGreaterThan(result.weights[1]!);
    expect(result.score).toBeGreaterThan(microF1(combinePredictions(tables)));
  });

  it('is deterministic under a seed and returns its history', () => {
    const { tables, squaredError } = knownOptimum(4);
    const options = { rng: new Rng(7), direction: 'minimize' as const, particles: 8, iterations: 12 };
    const first = particleSwarmWeights(tables, squaredError, options);
    const again = particleSwarmWeights(tables, squaredError, { ...options, rng: new Rng(7) });
    expect(again).toEqual(first);
    expect(first.history).toHaveLength(13);
    expect(first.evaluations).toBe(8 * 13);
    expect(first.history.map((h) => h.iteration)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(first.history.at(-1)).toMatchObject({
      evaluations: 104,
      score: first.score,
      weights: first.weights,
    });
    for (let i = 1; i < first.history.length; i++) {
      expect(first.history[i]!.score).toBeLessThanOrEqual(first.history[i - 1]!.score);
    }
    const other = particleSwarmWeights(tables, squaredError, { ...options, rng: new Rng(8) });
    expect(other.history).not.toEqual(first.history);
  });

  it('starts with a particle at equal weights, so it never loses to the plain mean', () => {
    const { tables, labels } = oneGoodModel(5);
    const result = particleSwarmWeights(tables, (t) => accuracy(t, labels), {
      rng: new Rng(0),
      iterations: 0,
    });
    expect(result.score).toBeGreaterThanOrEqual(accuracy(combinePredictions(tables), labels));
    expect(result.evaluations).toBe(20);
  });

  it('searches weights of the other weighted methods', () => {
    const { tables, labels } = oneGoodModel(6);
    for (const method of ['geometric-mean', 'harmonic-mean', 'rank-average'] as const) {
      const result = particleSwarmWeights(tables, (t) => accuracy(t, labels), {
        rng: new Rng(0),
        method,
        particles: 6,
        iterations: 5,
      });
      expect(result.method).toBe(method);
      expect(result.score).toBeCloseTo(
        accuracy(combinePredictions(tables, { method, weights: result.weights }), labels),
        12,
      );
    }
  });

  it('rejects bad arguments', () => {
    const { tables } = knownOptimum(1);
    expect(() => particleSwarmWeights(tables, () => 0, {} as never)).toThrow(
      'Error in particleSwarmWeights: options.rng must be an Rng, got undefined',
    );
    expect(() => particleSwarmWeights(tables, 'f1' as never, { rng: new Rng(0) })).toThrow(
      'objective must be a function of the combined table returning a number',
    );
    expect(() => particleSwarmWeights(tables, () => Number.NaN, { rng: new Rng(0) })).toThrow(
      'objective must be a function returning a number (not NaN), got NaN',
    );
    expect(() => particleSwarmWeights(tables, () => 0, { rng: new Rng(0), method: 'vote' as never })).toThrow(
      "options.method must be one of 'mean', 'geometric-mean', 'harmonic-mean', 'rank-average'",
    );
    expect(() => particleSwarmWeights(tables, () => 0, { rng: new Rng(0), particles: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => particleSwarmWeights(tables, () => 0, { rng: new Rng(0), maxVelocity: 0 })).toThrow(
      'options.maxVelocity must be a number in (0, 1]',
    );
  });
});
