import { describe, expect, it } from 'vitest';
import { exponentialDecay } from './exponential-decay.js';
import { expectInvalid } from './test-helpers.js';

describe('exponentialDecay', () => {
  it('is lr · gamma^step', () => {
    const schedule = exponentialDecay({ lr: 0.1, gamma: 0.5 });
    expect(schedule(0)).toBe(0.1);
    expect(schedule(1)).toBeCloseTo(0.05, 15);
    expect(schedule(3)).toBeCloseTo(0.0125, 15);
    // 0.1 · 0.5^0.5 = 0.1 / √2
    expect(schedule(0.5)).toBeCloseTo(0.1 / Math.SQRT2, 15);
    expect(schedule.config).toEqual({ type: 'exponential', lr: 0.1, gamma: 0.5 });
  });

  it('rejects bad options', () => {
    expectInvalid(() => exponentialDecay({ lr: 1, gamma: 0 }), 'exponentialDecay', 'gamma');
    expectInvalid(() => exponentialDecay({ lr: 1 } as never), 'exponentialDecay', 'gamma');
  });
});
