import { describe, expect, it } from 'vitest';
import { oneCycle } from './one-cycle.js';
import { expectInvalid } from './test-helpers.js';

describe('oneCycle', () => {
  // fastai fit_one_cycle defaults: div 25, div_final 1e5, pct_start 0.25, moms (0.95, 0.85, 0.95).
  const schedule = oneCycle({ maxLr: 1e-2, totalSteps: 100 });

  it('starts at maxLr / div, peaks at pctStart · total and ends at maxLr / divFinal', () => {
    expect(schedule(0)).toBeCloseTo(1e-2 / 25, 18);
    expect(schedule(25)).toBeCloseTo(1e-2, 18);
    // fastai: combined_cos(pct_start, lr_max/div, lr_max, lr_max/div_final), so the end is relative to maxLr.
    expect(schedule(100)).toBeCloseTo(1e-2 / 1e5, 18);
    expect(schedule(250)).toBeCloseTo(1e-7, 18);
  });

  it('follows fastai SchedCos in both phases', () => {
    // Rising, pos = 10/25: 4e-4 + (1e-2 − 4e-4) · (1 − cos(0.4π)) / 2
    expect(schedule(10)).toBeCloseTo(0.003716718427000252, 15);
    // Half way up: (4e-4 + 1e-2) / 2
    expect(schedule(12.5)).toBeCloseTo(5.2e-3, 15);
    // Falling, pos = 15/75: 1e-7 + (1e-2 − 1e-7) · (1 + cos(0.2π)) / 2
    expect(schedule(40)).toBeCloseTo(0.009045094521025018, 15);
    // Half way down: (1e-2 + 1e-7) / 2
    expect(schedule(62.5)).toBeCloseTo(5.00005e-3, 15);
  });

  it('cycles momentum the other way', () => {
    expect(schedule.momentum(0)).toBeCloseTo(0.95, 15);
    expect(schedule.momentum(25)).toBeCloseTo(0.85, 15);
    expect(schedule.momentum(100)).toBeCloseTo(0.95, 15);
    // 0.95 → 0.85 at pos 0.4: 0.85 + 0.1 · (1 + cos(0.4π)) / 2
    expect(schedule.momentum(10)).toBeCloseTo(0.9154508497187474, 15);
    // 0.85 → 0.95 at pos 0.2
    expect(schedule.momentum(40)).toBeCloseTo(0.8595491502812526, 15);
    expectInvalid(() => schedule.momentum(-1), 'oneCycle.momentum', 'step');
  });

  it('stores every option in its config', () => {
    expect(schedule.config).toEqual({
      type: 'oneCycle',
      maxLr: 1e-2,
      totalSteps: 100,
      div: 25,
      divFinal: 1e5,
      pctStart: 0.25,
      moms: [0.95, 0.85, 0.95],
    });
    const custom = oneCycle({
      maxLr: 1,
      totalSteps: 10,
      div: 10,
      divFinal: 100,
      pctStart: 0,
      moms: [0.9, 0.8, 0.7],
    });
    // pctStart 0: no rising phase, the cycle starts at the peak.
    expect(custom(0)).toBe(1);
    expect(custom(10)).toBeCloseTo(0.01, 15);
    expect(custom.momentum(0)).toBeCloseTo(0.8, 15);
    expect(custom.momentum(10)).toBeCloseTo(0.7, 15);
  });

  it('rejects bad options', () => {
    expectInvalid(() => oneCycle({ maxLr: 0, totalSteps: 1 }), 'oneCycle', 'maxLr');
    expectInvalid(() => oneCycle({ maxLr: 1, totalSteps: 1, pctStart: 1 }), 'oneCycle', 'pctStart');
    expectInvalid(() => oneCycle({ maxLr: 1, totalSteps: 1, div: 0 }), 'oneCycle', 'div');
    expectInvalid(() => oneCycle({ maxLr: 1, totalSteps: 1, divFinal: -1 }), 'oneCycle', 'divFinal');
    expectInvalid(() => oneCycle({ maxLr: 1, totalSteps: 1, moms: [0.9, 0.8] as never }), 'oneCycle', 'moms');
  });
});
