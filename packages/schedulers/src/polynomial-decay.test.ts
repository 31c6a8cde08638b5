import { describe, expect, it } from 'vitest';
import { polynomialDecay } from './polynomial-decay.js';
import { expectInvalid } from './test-helpers.js';

describe('polynomialDecay', () => {
  it('follows (lr − endLr)(1 − step/total)^power + endLr and stays at endLr', () => {
    const schedule = polynomialDecay({ lr: 0.01, totalSteps: 1000, endLr: 0.001, power: 2 });
    expect(schedule(0)).toBeCloseTo(0.01, 15);
    // (0.01 − 0.001) · 0.75² + 0.001 = 0.0050625 + 0.001
    expect(schedule(250)).toBeCloseTo(0.0060625, 15);
    expect(schedule(1000)).toBeCloseTo(0.001, 15);
    expect(schedule(5000)).toBeCloseTo(0.001, 15);
  });

  it('defaults to a linear decay to 0', () => {
    const schedule = polynomialDecay({ lr: 1, totalSteps: 4 });
    expect([0, 1, 2, 3, 4, 5].map(schedule)).toEqual([1, 0.75, 0.5, 0.25, 0, 0]);
    expect(schedule.config).toEqual({ type: 'polynomial', lr: 1, totalSteps: 4, endLr: 0, power: 1 });
  });

  it('rejects bad options', () => {
    expectInvalid(() => polynomialDecay({ lr: 1, totalSteps: 0 }), 'polynomialDecay', 'totalSteps');
    expectInvalid(() => polynomialDecay({ lr: 1, totalSteps: 1, power: 0 }), 'polynomialDecay', 'power');
    expectInvalid(() => polynomialDecay({ lr: 1, totalSteps: 1, endLr: -1 }), 'polynomialDecay', 'endLr');
  });
});
