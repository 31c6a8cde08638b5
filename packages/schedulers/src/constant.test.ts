import { describe, expect, it } from 'vitest';
import { constant } from './constant.js';
import { expectInvalid } from './test-helpers.js';

describe('constant', () => {
  it('returns lr at every step, fractional ones included', () => {
    const schedule = constant({ lr: 0.003 });
    for (const step of [0, 1, 2.5, 1e6]) expect(schedule(step)).toBe(0.003);
    expect(schedule.config).toEqual({ type: 'constant', lr: 0.003 });
  });

  it('rejects bad options and steps', () => {
    expectInvalid(() => constant({ lr: -1 }), 'constant', 'lr');
    expectInvalid(() => constant({ lr: Number.NaN }), 'constant', 'lr');
    expectInvalid(() => constant(null as never), 'constant', 'options');
    const schedule = constant({ lr: 1 });
    expectInvalid(() => schedule(-1), 'constant', 'step');
    expectInvalid(() => schedule(Number.POSITIVE_INFINITY), 'constant', 'step');
    expectInvalid(() => schedule('3' as never), 'constant', 'step');
  });

  it('freezes its config', () => {
    const schedule = constant({ lr: 1 });
    expect(Object.isFrozen(schedule.config)).toBe(true);
  });
});
