import { describe, expect, it } from 'vitest';
import { stepDecay } from './step-decay.js';
import { expectInvalid } from './test-helpers.js';

describe('stepDecay', () => {
  it('multiplies by gamma every stepSize steps: lr · gamma^⌊step / stepSize⌋', () => {
    const schedule = stepDecay({ lr: 0.1, stepSize: 30 });
    expect(schedule(0)).toBeCloseTo(0.1, 15);
    expect(schedule(29)).toBeCloseTo(0.1, 15);
    expect(schedule(29.999)).toBeCloseTo(0.1, 15);
    // The boundary step already has the decayed rate (PyTorch StepLR).
    expect(schedule(30)).toBeCloseTo(0.01, 15);
    expect(schedule(59)).toBeCloseTo(0.01, 15);
    expect(schedule(60)).toBeCloseTo(0.001, 15);
    expect(schedule.config).toEqual({ type: 'step', lr: 0.1, stepSize: 30, gamma: 0.1 });
  });

  it('takes gamma', () => {
    const schedule = stepDecay({ lr: 1, stepSize: 2, gamma: 0.5 });
    expect([0, 1, 2, 3, 4, 7].map(schedule)).toEqual([1, 1, 0.5, 0.5, 0.25, 0.125]);
  });

  it('rejects bad options', () => {
    expectInvalid(() => stepDecay({ lr: 1, stepSize: 0 }), 'stepDecay', 'stepSize');
    expectInvalid(() => stepDecay({ lr: 1, stepSize: 1, gamma: 0 }), 'stepDecay', 'gamma');
    expectInvalid(() => stepDecay({ lr: -0.1, stepSize: 1 }), 'stepDecay', 'lr');
  });
});
