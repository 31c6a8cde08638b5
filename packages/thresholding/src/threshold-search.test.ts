import type { PredictionTable } from '@topk/core';
import { createPredictionTable, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { countMultiLabelOutcomes } from './class-outcomes.js';
import { f1Score } from './scores.js';
import type { ThresholdAverage } from './threshold-search.js';
import { searchClassThresholds, searchGlobalThreshold } from './threshold-search.js';
import { applyThresholds, createClassThresholds } from './thresholds.js';

/**
 * A multi-label set whose best threshold differs per class: class j's positives score in
 * U(pos[j]) and its negatives in U(neg[j]), so the best cut lies in the overlap of the two ranges.
 */
function syntheticSet(seed: number, n: number) {
  const rng = new Rng(seed);
  const ranges: [number, number, number, number][] = [
    // positives low..high, negatives low..high
    [0.55, 0.95, 0.05, 0.62], // best cut near 0.6
    [0.18, 0.45, 0.0, 0.22], // near 0.2
    [0.75, 1.0, 0.3, 0.8], // near 0.78
  ];
  const c = ranges.length;
  const probs = new Float32Array(n * c);
  const y = new Uint8Array(n * c);
  for (let i = 0; i < n; i++) {
    ranges.forEach(([pl, ph, nl, nh], j) => {
      const positive = rng.bernoulli(0.3);
      y[i * c + j] = positive ? 1 : 0;
      probs[i * c + j] = positive ? rng.uniform(pl, ph) : rng.uniform(nl, nh);
    });
  }
  const table = createPredictionTable(
    Array.from({ length: n }, (_, i) => `img${i}`),
    ['a', 'b', 'c'],
    probs,
  );
  return { table, y };
}

function f1At(
  table: PredictionTable,
  y: Uint8Array,
  thresholds: number[],
  average: ThresholdAverage,
  atLeastOne = false,
) {
  const t = createClassThresholds(table.classes, thresholds, { atLeastOne });
  return f1Score(countMultiLabelOutcomes(y, applyThresholds(table, t), table.classes.length), average);
}

describe('searchClassThresholds', () => {
  const { table, y } = syntheticSet(7, 600);

  it.each(['micro', 'macro'] as const)(
    'beats the 0.5 global threshold and finds per-class cuts (%s F1)',
    (average) => {
      const result = searchClassThresholds(table, y, { average });
      const atHalf = f1At(table, y, [0.5, 0.5, 0.5], average);
      expect(result.score).toBeGreaterThan(atHalf + 0.05);
      expect(result.score).toBeGreaterThanOrEqual(result.globalScore);
      const [a, b, c] = result.thresholds.thresholds as [number, number, number];
      expect(a).toBeGreaterThan(0.52);
      expect(a).toBeLessThan(0.66);
      expect(b).toBeGreaterThan(0.15);
      expect(b).toBeLessThan(0.26);
      expect(c).toBeGreaterThan(0.72);
      expect(c).toBeLessThan(0.84);
      expect(result.thresholds.classes).toEqual(['a', 'b', 'c']);
    },
  );

  it('reports the score applyThresholds gives with the saved thresholds', () => {
    for (const average of ['micro', 'macro'] as const) {
      for (const atLeastOne of [false, true]) {
        const result = searchClassThresholds(table, y, { average, atLeastOne });
        expect(result.thresholds.atLeastOne).toBe(atLeastOne);
        const expected = f1Score(
          countMultiLabelOutcomes(y, applyThresholds(table, result.thresholds), 3),
          average,
        );
        expect(result.score).toBe(expected);
      }
    }
  });

  it('reaches the exact optimum over the candidates for macro-F1 (brute force over every pair)', () => {
    const small = syntheticSet(3, 40);
    const two = createPredictionTable(
      small.table.ids,
      ['a', 'b'],
      Float32Array.from({ length: 80 }, (_, k) => small.table.probs[Math.floor(k / 2) * 3 + (k % 2)]!),
    );
    const y2 = Uint8Array.from({ length: 80 }, (_, k) => small.y[Math.floor(k / 2) * 3 + (k % 2)]!);
    const candidates = Array.from({ length: 19 }, (_, i) => (i + 1) / 20);
    let best = 0;
    for (const s of candidates)
      for (const t of candidates) best = Math.max(best, f1At(two, y2, [s, t], 'macro'));
    const result = searchClassThresholds(two, y2, { average: 'macro', candidates });
    expect(result.score).toBeCloseTo(best, 12);
  });

  it.each([
    ['micro', false],
    ['micro', true],
    ['macro', true],
  ] as const)(
    'ends where no single threshold can improve (%s F1, atLeastOne %s), checked by brute force',
    (average, atLeastOne) => {
      const { table: t, y: yy } = syntheticSet(11, 120);
      const candidates = Array.from({ length: 49 }, (_, i) => (i + 1) / 50);
      const result = searchClassThresholds(t, yy, { average, atLeastOne, candidates });
      const found = [...result.thresholds.thresholds];
      for (let j = 0; j < 3; j++) {
        for (const candidate of candidates) {
          const moved = [...found];
          moved[j] = candidate;
          expect(f1At(t, yy, moved, average, atLeastOne)).toBeLessThanOrEqual(result.score + 1e-12);
        }
      }
      expect(result.rounds).toBeGreaterThanOrEqual(1);
    },
  );

  it('is deterministic', () => {
    expect(searchClassThresholds(table, y)).toEqual(searchClassThresholds(table, y));
  });

  it('keeps a threshold when no candidate improves (a class with no positives)', () => {
    // Class y is never true: any threshold gives it F1 0 (zeroDivision 0) under macro, so it stays at the start.
    const t = createPredictionTable(['a', 'b', 'c'], ['x', 'y'], [0.9, 0.8, 0.2, 0.1, 0.7, 0.6]);
    const result = searchClassThresholds(t, [1, 0, 0, 0, 1, 0], { average: 'macro' });
    expect(result.thresholds.thresholds[1]).toBe(result.globalThreshold);
  });

  it('rejects bad arguments', () => {
    expect(() => searchClassThresholds(createPredictionTable([], ['x'], []), [])).toThrow(
      'Error in searchClassThresholds: table must be a table with at least one row',
    );
    expect(() => searchClassThresholds(table, y.subarray(3))).toThrow(
      'targets must be of length rows × classes',
    );
    expect(() => searchClassThresholds(table, y, { candidates: [] })).toThrow(
      'options.candidates must be a non-empty array of numbers in [0, 1]',
    );
    expect(() => searchClassThresholds(table, y, { candidates: [0.5, 1.5] })).toThrow(
      'options.candidates[1] must be a number in [0, 1], got 1.5',
    );
    expect(() => searchClassThresholds(table, y, { average: 'weighted' as never })).toThrow(
      "one of 'micro', 'macro'",
    );
    expect(() => searchClassThresholds(table, y, { maxRounds: 0 })).toThrow(
      'options.maxRounds must be an integer >= 1',
    );
  });
});

describe('searchGlobalThreshold', () => {
  it('returns the best single threshold among the candidates', () => {
    const { table, y } = syntheticSet(5, 200);
    const candidates = [0.1, 0.3, 0.5, 0.7, 0.9];
    const result = searchGlobalThreshold(table, y, { candidates });
    const scores = candidates.map((t) => f1At(table, y, [t, t, t], 'micro'));
    expect(result.score).toBeCloseTo(Math.max(...scores), 12);
    expect(result.threshold).toBe(candidates[scores.indexOf(Math.max(...scores))]);
  });

  it.each([
    ['micro', false],
    ['micro', true],
    ['macro', false],
    ['macro', true],
  ] as const)(
    'scores every candidate as applyThresholds does (%s F1, atLeastOne %s)',
    (average, atLeastOne) => {
      const { table, y } = syntheticSet(8, 150);
      const candidates = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95];
      const scores = candidates.map((t) => f1At(table, y, [t, t, t], average, atLeastOne));
      const result = searchGlobalThreshold(table, y, { average, atLeastOne, candidates });
      expect(result.score).toBeCloseTo(Math.max(...scores), 12);
      expect(scores[candidates.indexOf(result.threshold)]).toBeCloseTo(result.score, 12);
    },
  );

  it('resolves a plateau of equal scores to its middle', () => {
    // Probabilities 0.2 (negative) and 0.8 (positive): the cuts 0.3, 0.5 and 0.7 are all perfect.
    const table = createPredictionTable(['a', 'b'], ['x'], [0.2, 0.8]);
    const result = searchGlobalThreshold(table, [0, 1], { candidates: [0.1, 0.3, 0.5, 0.7, 0.9] });
    expect(result.score).toBe(1);
    expect(result.threshold).toBe(0.5);
  });
});
