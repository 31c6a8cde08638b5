import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import type { AlignedLabels } from './align-labels.js';
import { defaultScoreMetric, SCORE_METRICS, scoreDirection, scorePredictions } from './score-predictions.js';

// Three rows, two classes; argmax 0, 1, 0 against labels 0, 1, 1.
const table = createPredictionTable(['a', 'b', 'c'], ['x', 'y'], [0.8, 0.2, 0.25, 0.75, 0.6, 0.4]);
const single: AlignedLabels = {
  multiLabel: false,
  labels: Int32Array.from([0, 1, 1]),
  targets: Uint8Array.from([1, 0, 0, 1, 0, 1]),
  sources: ['a', 'b', 'c'],
  unpredicted: 0,
};
const multi: AlignedLabels = {
  multiLabel: true,
  labels: undefined,
  targets: Uint8Array.from([1, 1, 0, 1, 0, 0]),
  sources: ['a', 'b', 'c'],
  unpredicted: 0,
};

describe('scorePredictions', () => {
  it('scores single-label tables (hand-computed)', () => {
    expect(scorePredictions('accuracy', table, single)).toBeCloseTo(2 / 3, 12);
    // -(ln 0.8 + ln 0.75 + ln 0.4) / 3
    expect(scorePredictions('log-loss', table, single)).toBeCloseTo(
      -(Math.log(0.8) + Math.log(0.75) + Math.log(0.4)) / 3,
      6,
    );
    // Single-label micro-F1 equals accuracy; macro: class x tp1 fp1 fn0 → 2/3, class y tp1 fp0 fn1 → 2/3.
    expect(scorePredictions('f1-micro', table, single)).toBeCloseTo(2 / 3, 12);
    expect(scorePredictions('f1-macro', table, single)).toBeCloseTo(2 / 3, 12);
  });

  it('scores multi-label tables at p >= 0.5 (hand-computed)', () => {
    // Decisions: a {x}, b {y}, c {x}; targets a {x, y}, b {y}, c {}.
    // x: tp1 fp1 fn0; y: tp1 fp0 fn1 → micro 2·2/(2·2+1+1) = 2/3, macro (2/3 + 2/3)/2.
    expect(scorePredictions('f1-micro', table, multi)).toBeCloseTo(2 / 3, 12);
    expect(scorePredictions('f1-macro', table, multi)).toBeCloseTo(2 / 3, 12);
    const bce =
      -(Math.log(0.8) + Math.log(0.2) + Math.log(0.75) + Math.log(0.75) + Math.log(0.4) + Math.log(0.6)) / 6;
    expect(scorePredictions('log-loss', table, multi)).toBeCloseTo(bce, 6);
    expect(() => scorePredictions('accuracy', table, multi)).toThrow(
      'accuracy is defined for single-label data',
    );
  });

  it('knows each metric direction and the defaults', () => {
    expect(SCORE_METRICS.map(scoreDirection)).toEqual(['maximize', 'minimize', 'maximize', 'maximize']);
    expect(defaultScoreMetric(false)).toBe('log-loss');
    expect(defaultScoreMetric(true)).toBe('f1-micro');
  });
});
