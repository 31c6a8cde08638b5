import { describe, expect, it } from 'vitest';
import { expectInvalid } from './test-helpers.js';
import { warmupCosine } from './warmup-cosine.js';

describe('warmupCosine', () => {
  const schedule = warmupCosine({
    lr: 1e-3,
    totalSteps: 1000,
    warmupSteps: 100,
    warmupLr: 1e-5,
    minLr: 1e-6,
  });

  it('warms up linearly from warmupLr to lr', () => {
    expect(schedule(0)).toBeCloseTo(1e-5, 18);
    // 1e-5 + (1e-3 − 1e-5) · 50 / 100
    expect(schedule(50)).toBeCloseTo(5.05e-4, 18);
    expect(schedule(100)).toBeCloseTo(1e-3, 18);
  });

  it('then anneals with a cosine to minLr over the remaining steps', () => {
    // t = 225 of 900: 1e-6 + (1e-3 − 1e-6) · (1 + cos(π/4)) / 2
    expect(schedule(325)).toBeCloseTo(8.536998372026805e-4, 18);
    // Half way: (1e-3 + 1e-6) / 2
    expect(schedule(550)).toBeCloseTo(5.005e-4, 18);
    expect(schedule(1000)).toBeCloseTo(1e-6, 18);
    expect(schedule(5000)).toBeCloseTo(1e-6, 18);
  });

  it('is a plain cosine with warmupSteps 0', () => {
    const noWarmup = warmupCosine({ lr: 1, totalSteps: 10, warmupSteps: 0 });
    expect(noWarmup(0)).toBe(1);
    expect(noWarmup(5)).toBeCloseTo(0.5, 15);
    expect(noWarmup.config).toEqual({
      type: 'warmupCosine',
      lr: 1,
      totalSteps: 10,
      warmupSteps: 0,
      warmupLr: 0,
      minLr: 0,
    });
  });

  it('rejects bad options', () => {
    expectInvalid(
      () => warmupCosine({ lr: 1, totalSteps: 10, warmupSteps: 10 }),
      'warmupCosine',
      'warmupSteps',
    );
    expectInvalid(
      () => warmupCosine({ lr: 1, totalSteps: 10, warmupSteps: -1 }),
      'warmupCosine',
      'warmupSteps',
    );
    expectInvalid(() => warmupCosine({ lr: 1, totalSteps: 0, warmupSteps: 0 }), 'warmupCosine', 'totalSteps');
    expectInvalid(
      () => warmupCosine({ lr: 1, totalSteps: 2, warmupSteps: 1, warmupLr: -1 }),
      'warmupCosine',
      'warmupLr',
    );
  });
});
