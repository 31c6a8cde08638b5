import { accuracy, logLoss } from '@topk/thresholding';
import { describe, expect, it } from 'vitest';
import { combinePredictions } from './combine-predictions.js';
import { coordinateAscentWeights } from './coordinate-ascent-weights.js';
import { knownOptimum, oneGoodModel } from './weight-search.fixtures.js';

describe('coordinateAscentWeights', () => {
  it('finds the known best weights of a synthetic problem', () => {
    const { tables, best, squaredError } = knownOptimum(1);
    const result = coordinateAscentWeights(tables, squaredError, { direction: 'minimize', minStep: 0.001 });
    result.weights.forEach((w, m) => {
      expect(w).toBeCloseTo(best[m]!, 2);
    });
  });

  it('puts the weight on the clearly better model', () => {
    const { tables, labels } = oneGoodModel(2);
    const result = coordinateAscentWeights(tables, (t) => logLoss(t, labels), { direction: 'minimize' });
    expect(result.weights[0]).toBeGreaterThan(0.8);
    expect(result.score).toBeLessThan(logLoss(combinePredictions(tables), labels));
  });

  it('is deterministic, monotone, and records one history entry per pass', () => {
    const { tables, labels } = oneGoodModel(3);
    const objective = (t: Parameters<typeof accuracy>[0]) => accuracy(t, labels);
    const first = coordinateAscentWeights(tables, objective);
    expect(coordinateAscentWeights(tables, objective)).toEqual(first);
    expect(first.history[0]).toMatchObject({ iteration: 0, evaluations: 1 });
    expect(first.history[0]!.weights).toEqual([1 / 3, 1 / 3, 1 / 3]);
    for (let i = 1; i < first.history.length; i++) {
      expect(first.history[i]!.iteration).toBe(i);
      expect(first.history[i]!.score).toBeGreaterThanOrEqual(first.history[i - 1]!.score);
    }
    expect(first.history.at(-1)!.evaluations).toBe(first.evaluations);
  });

  it('stops at maxEvaluations', () => {
    const { tables, squaredError } = knownOptimum(1);
    const result = coordinateAscentWeights(tables, squaredError, {
      direction: 'minimize',
      maxEvaluations: 5,
    });
    expect(result.evaluations).toBe(5);
  });

  it('rejects bad steps', () => {
    const { tables } = knownOptimum(1);
    expect(() => coordinateAscentWeights(tables, () => 0, { initialStep: 0 })).toThrow(
      'Error in coordinateAscentWeights: options.initialStep must be a finite number > 0, got 0',
    );
    expect(() => coordinateAscentWeights(tables, () => 0, { minStep: 1 })).toThrow(
      'options.minStep must be a number in (0, initialStep = 0.5], got 1',
    );
  });
});
