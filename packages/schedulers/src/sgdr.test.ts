import { describe, expect, it } from 'vitest';
import { sgdr, sgdrCycle } from './sgdr.js';
import { expectInvalid } from './test-helpers.js';

describe('sgdr', () => {
  it('restarts every cycleLength steps when cycleMult is 1', () => {
    const schedule = sgdr({ lr: 0.1, cycleLength: 10 });
    for (const restart of [0, 10, 20, 90]) {
      expect(schedule(restart)).toBeCloseTo(0.1, 15);
      // Half way through each cycle: (0.1 + 0) / 2
      expect(schedule(restart + 5)).toBeCloseTo(0.05, 15);
    }
    // The step just before a restart is near minLr: 0.1 · (1 + cos(0.99π)) / 2 ≈ 2.467e-5.
    expect(schedule(9.9)).toBeCloseTo((0.1 * (1 + Math.cos(0.99 * Math.PI))) / 2, 15);
    expect(schedule(9.9)).toBeLessThan(3e-5);
    expect(schedule.config).toEqual({
      type: 'sgdr',
      lr: 0.1,
      cycleLength: 10,
      cycleMult: 1,
      cycleDecay: 1,
      minLr: 0,
    });
  });

  it('restarts at 10, 30, 70 with cycleLength 10 and cycleMult 2, decaying the peak by cycleDecay', () => {
    const schedule = sgdr({ lr: 0.1, cycleLength: 10, cycleMult: 2, cycleDecay: 0.5, minLr: 0.001 });
    // Cycle i starts at 10 · (2^i − 1) with peak 0.1 · 0.5^i.
    expect(schedule(0)).toBeCloseTo(0.1, 15);
    expect(schedule(10)).toBeCloseTo(0.05, 15);
    expect(schedule(30)).toBeCloseTo(0.025, 15);
    expect(schedule(70)).toBeCloseTo(0.0125, 15);
    // Middle of cycle 0 (t = 5 of 10): 0.001 + (0.1 − 0.001) / 2
    expect(schedule(5)).toBeCloseTo(0.0505, 15);
    // Middle of cycle 1 (t = 10 of 20): 0.001 + (0.05 − 0.001) / 2
    expect(schedule(20)).toBeCloseTo(0.0255, 15);
    // Last integer step of cycle 1 (t = 19 of 20): 0.001 + 0.049 · (1 + cos(19π/20)) / 2
    expect(schedule(29)).toBeCloseTo(0.0013016356554191274, 15);
    // Cycle 2 at t = 15 of 40: 0.001 + 0.024 · (1 + cos(3π/8)) / 2
    expect(schedule(45)).toBeCloseTo(0.01759220118838108, 15);
    // Just before each restart the rate is close to minLr, then jumps.
    expect(schedule(29.999)).toBeLessThan(0.00101);
    expect(schedule(69.999)).toBeLessThan(0.00101);
  });

  it('places restarts exactly even after many cycles', () => {
    // Cycle 20 of cycleLength 10, cycleMult 2 starts at 10 · (2^20 − 1) = 10485750.
    expect(sgdrCycle(10485750, 10, 2)).toEqual({ index: 20, start: 10485750, length: 10485760 });
    expect(sgdrCycle(10485749, 10, 2)).toEqual({ index: 19, start: 5242870, length: 5242880 });
    // cycleMult 3: starts 0, 5, 20, 65, 200.
    expect([0, 4, 5, 19, 20, 64, 65, 200].map((s) => sgdrCycle(s, 5, 3).index)).toEqual([
      0, 0, 1, 1, 2, 2, 3, 4,
    ]);
    expect(sgdrCycle(7, 2.5, 1)).toEqual({ index: 2, start: 5, length: 2.5 });
  });

  it('rejects bad options', () => {
    expectInvalid(() => sgdr({ lr: 1, cycleLength: 0 }), 'sgdr', 'cycleLength');
    expectInvalid(() => sgdr({ lr: 1, cycleLength: 1, cycleMult: 0.5 }), 'sgdr', 'cycleMult');
    expectInvalid(() => sgdr({ lr: 1, cycleLength: 1, cycleDecay: 0 }), 'sgdr', 'cycleDecay');
    expectInvalid(() => sgdr({ lr: 1, cycleLength: 1, minLr: -1 }), 'sgdr', 'minLr');
    expectInvalid(() => sgdrCycle(-1, 1, 1), 'sgdrCycle', 'step');
    expectInvalid(() => sgdrCycle(1, 1, 0.9), 'sgdrCycle', 'cycleMult');
    expectInvalid(() => sgdrCycle(1, 0, 1), 'sgdrCycle', 'cycleLength');
  });
});
