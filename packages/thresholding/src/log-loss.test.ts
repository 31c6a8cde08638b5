import { createPredictionTable } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { binaryLogLoss, logLoss } from './log-loss.js';

describe('logLoss', () => {
  it("matches scikit-learn's log_loss docstring example", () => {
    // log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) -> 0.21616...
    // (classes sorted: ham = 0, spam = 1). Exactly -(ln .9 + ln .9 + ln .8 + ln .65) / 4 = 0.216161...
    const table = createPredictionTable(
      ['a', 'b', 'c', 'd'],
      ['ham', 'spam'],
      [0.1, 0.9, 0.9, 0.1, 0.8, 0.2, 0.35, 0.65],
    );
    const loss = logLoss(table, [1, 0, 0, 1]);
    expect(loss).toBeCloseTo(-(2 * Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4, 6);
    expect(loss.toFixed(5)).toBe('0.21616');
  });

  it('clips a zero probability to eps', () => {
    const table = createPredictionTable(['a'], ['x', 'y'], [1, 0]);
    expect(logLoss(table, [1])).toBeCloseTo(-Math.log(1e-15), 10);
    expect(logLoss(table, [1], { eps: 1e-7 })).toBeCloseTo(-Math.log(1e-7), 10);
    expect(logLoss(table, [0])).toBeCloseTo(-Math.log(1 - 1e-15), 20);
  });

  it('rejects bad arguments', () => {
    const table = createPredictionTable(['a'], ['x', 'y'], [1, 0]);
    expect(() => logLoss(table, [0], { eps: 0 })).toThrow(
      'Error in logLoss: options.eps must be a number in (0, 0.5), got 0',
    );
    expect(() => logLoss(createPredictionTable([], ['x'], []), [])).toThrow('at least one row');
  });
});

describe('binaryLogLoss', () => {
  it('matches the Keras binary_crossentropy docstring example', () => {
    // tf.keras.losses.binary_crossentropy(y_true=[[0, 1], [0, 0]], y_pred=[[0.6, 0.4], [0.4, 0.6]])
    // -> [0.916, 0.714] per sample; the mean over every entry is their mean, 0.815.
    const table = createPredictionTable(['a', 'b'], ['x', 'y'], [0.6, 0.4, 0.4, 0.6]);
    const loss = binaryLogLoss(table, [0, 1, 0, 0]);
    expect(loss).toBeCloseTo(-(Math.log(0.4) + Math.log(0.4) + Math.log(0.6) + Math.log(0.4)) / 4, 6);
    expect(loss.toFixed(3)).toBe('0.815');
  });

  it('rejects targets that are not 0/1', () => {
    const table = createPredictionTable(['a'], ['x', 'y'], [0.6, 0.4]);
    expect(() => binaryLogLoss(table, [0, 0.5])).toThrow(
      'Error in binaryLogLoss: targets[1] (row 0, class 1) must be 0 or 1',
    );
    expect(() => binaryLogLoss(table, [0])).toThrow('targets must be of length rows × classes = 1 × 2 = 2');
  });
});
