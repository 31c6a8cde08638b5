import { describe, expect, it } from 'vitest';
import { perEpoch } from './per-epoch.js';
import { sgdr } from './sgdr.js';
import { stepDecay } from './step-decay.js';
import { expectInvalid } from './test-helpers.js';

describe('perEpoch', () => {
  it("'epoch' stepping holds the rate for the whole epoch", () => {
    const schedule = perEpoch({ schedule: sgdr({ lr: 1, cycleLength: 4 }), stepsPerEpoch: 10 });
    // Epoch e uses sgdr(e): 1, (1 + cos(π/4))/2, 0.5, ...
    expect(schedule(0)).toBe(1);
    expect(schedule(9)).toBe(1);
    expect(schedule(10)).toBeCloseTo((1 + Math.cos(Math.PI / 4)) / 2, 15);
    expect(schedule(25)).toBeCloseTo(0.5, 15);
    expect(schedule(40)).toBe(1);
  });

  it("'step' stepping evaluates the schedule at the fractional epoch", () => {
    const schedule = perEpoch({
      schedule: sgdr({ lr: 1, cycleLength: 1 }),
      stepsPerEpoch: 4,
      stepping: 'step',
    });
    // A restart every epoch (fastai fit_sgdr with cycle_len 1): 1, cos² falls within the epoch.
    expect([0, 1, 2, 4, 6].map(schedule).map((v) => Number(v.toFixed(12)))).toEqual([
      1,
      Number(((1 + Math.cos(Math.PI / 4)) / 2).toFixed(12)),
      0.5,
      1,
      0.5,
    ]);
    expect(schedule.config).toEqual({
      type: 'perEpoch',
      stepsPerEpoch: 4,
      stepping: 'step',
      schedule: { type: 'sgdr', lr: 1, cycleLength: 1, cycleMult: 1, cycleDecay: 1, minLr: 0 },
    });
  });

  it('works with step-wise decays defined in epochs', () => {
    const schedule = perEpoch({ schedule: stepDecay({ lr: 0.1, stepSize: 2 }), stepsPerEpoch: 100 });
    expect(schedule(199)).toBeCloseTo(0.1, 15);
    expect(schedule(200)).toBeCloseTo(0.01, 15);
  });

  it('rejects bad options', () => {
    const schedule = stepDecay({ lr: 0.1, stepSize: 2 });
    expectInvalid(() => perEpoch({ schedule, stepsPerEpoch: 0 }), 'perEpoch', 'stepsPerEpoch');
    expectInvalid(
      () => perEpoch({ schedule, stepsPerEpoch: 1, stepping: 'batch' as never }),
      'perEpoch',
      'stepping',
    );
    expectInvalid(() => perEpoch({ schedule: (() => 1) as never, stepsPerEpoch: 1 }), 'perEpoch', 'schedule');
  });
});
