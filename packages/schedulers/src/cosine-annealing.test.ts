import { describe, expect, it } from 'vitest';
import { cosineAnnealing } from './cosine-annealing.js';
import { expectInvalid } from './test-helpers.js';

describe('cosineAnnealing', () => {
  it('follows minLr + (lr − minLr)(1 + cos(π t / T)) / 2', () => {
    const schedule = cosineAnnealing({ lr: 0.1, totalSteps: 100 });
    expect(schedule(0)).toBeCloseTo(0.1, 15);
    // t/T = 1/4: 0.1 · (1 + cos(π/4)) / 2 = 0.1 · 0.853553390593...
    expect(schedule(25)).toBeCloseTo(0.08535533905932738, 15);
    expect(schedule(50)).toBeCloseTo(0.05, 15);
    expect(schedule(100)).toBe(0);
    expect(schedule(1000)).toBe(0);
  });

  it('ends at minLr and can rise when minLr > lr (fastai SchedCos from low to high)', () => {
    const schedule = cosineAnnealing({ lr: 0.1, totalSteps: 10, minLr: 0.01 });
    expect(schedule(5)).toBeCloseTo(0.055, 15);
    expect(schedule(10)).toBeCloseTo(0.01, 15);
    const rising = cosineAnnealing({ lr: 0.01, totalSteps: 10, minLr: 0.1 });
    expect(rising(0)).toBeCloseTo(0.01, 15);
    expect(rising(10)).toBeCloseTo(0.1, 15);
    expect(rising(3)).toBeGreaterThan(rising(2));
  });

  it('rejects bad options', () => {
    expectInvalid(() => cosineAnnealing({ lr: 1, totalSteps: 0 }), 'cosineAnnealing', 'totalSteps');
    expectInvalid(() => cosineAnnealing({ lr: 1, totalSteps: 1, minLr: -1 }), 'cosineAnnealing', 'minLr');
  });
});
