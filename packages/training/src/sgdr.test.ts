import { describe, expect, it } from 'vitest';
import { constant } from './constant.js';
import { sgdr } from './sgdr.js';
import { expectInvalid } from './test-helpers.js';

describe('sgdr', () => {
  it('restarts a cosine from maxLr each cycle (Loshchilov & Hutter eq. 5)', () => {
    const schedule = sgdr({ maxLr: 1, minLr: 0.1, cycleSteps: 10 });
    expect(schedule(0)).toBeCloseTo(1, 12);
    expect(schedule(5)).toBeCloseTo(0.55, 12);
    expect(schedule(10)).toBeCloseTo(1, 12);
    expect(schedule(25)).toBeCloseTo(0.55, 12);
  });

  it('lengthens cycles by cycleMult', () => {
    const schedule = sgdr({ maxLr: 2, cycleSteps: 4, cycleMult: 2 });
    // Cycles [0, 4), [4, 12), [12, 28).
    expect(schedule(4)).toBeCloseTo(2, 12);
    expect(schedule(8)).toBeCloseTo(1, 12);
    expect(schedule(12)).toBeCloseTo(2, 12);
    expect(schedule(20)).toBeCloseTo(1, 12);
  });

  it('rejects bad options', () => {
    expectInvalid(() => sgdr({ maxLr: 1, cycleSteps: 0 }), 'sgdr', 'cycleSteps');
    expectInvalid(() => sgdr({ maxLr: 1, cycleSteps: 2, cycleMult: 1.5 }), 'sgdr', 'cycleMult');
  });
});

describe('constant', () => {
  it('gives the same rate at every step', () => {
    const schedule = constant(0.3);
    expect([0, 1, 1e6].map(schedule)).toEqual([0.3, 0.3, 0.3]);
    expectInvalid(() => constant(-1), 'constant', 'lr');
  });
});
