import { describe, expect, it } from 'vitest';
import { oneCycle } from './one-cycle.js';
import { expectInvalid } from './test-helpers.js';

describe('oneCycle', () => {
  it('follows PyTorch OneCycleLR’s two cosine phases', () => {
    // 100 steps, pct 0.25: warm-up ends at step 24 (= 0.25·100 − 1), annealing ends at step 99.
    const schedule = oneCycle({
      maxLr: 1,
      totalSteps: 100,
      pctStart: 0.25,
      divFactor: 25,
      finalDivFactor: 1e4,
    });
    const initial = 1 / 25;
    const final = initial / 1e4;
    expect(schedule(0)).toBeCloseTo(initial, 12);
    expect(schedule(24)).toBeCloseTo(1, 12);
    expect(schedule(99)).toBeCloseTo(final, 12);
    // Half way through warm-up: the cosine midpoint (initial + max) / 2.
    expect(schedule(12)).toBeCloseTo((initial + 1) / 2, 12);
    // Half way through annealing, step 24 + 37.5.
    expect(schedule(61.5)).toBeCloseTo((1 + final) / 2, 12);
    expect(schedule(150)).toBeCloseTo(final, 12);
  });

  it('uses fastai’s defaults (pct 0.25, div 25, final div 1e5)', () => {
    const schedule = oneCycle({ maxLr: 0.01, totalSteps: 40 });
    expect(schedule(0)).toBeCloseTo(0.01 / 25, 12);
    expect(schedule(9)).toBeCloseTo(0.01, 12);
    expect(schedule(39)).toBeCloseTo(0.01 / 25 / 1e5, 15);
  });

  it('handles a cycle too short to warm up', () => {
    const schedule = oneCycle({ maxLr: 1, totalSteps: 2, pctStart: 0.25 });
    expect(schedule(0)).toBeCloseTo(1, 12);
    expect(schedule(1)).toBeCloseTo(1 / 25 / 1e5, 12);
    expect(oneCycle({ maxLr: 1, totalSteps: 1 })(0)).toBeCloseTo(1 / 25 / 1e5, 12);
  });

  it('rejects bad options', () => {
    expectInvalid(() => oneCycle({ maxLr: 0, totalSteps: 1 }), 'oneCycle', 'maxLr');
    expectInvalid(() => oneCycle({ maxLr: 1, totalSteps: 1.5 }), 'oneCycle', 'totalSteps');
    expectInvalid(() => oneCycle({ maxLr: 1, totalSteps: 10, pctStart: 0 }), 'oneCycle', 'pctStart');
  });
});
