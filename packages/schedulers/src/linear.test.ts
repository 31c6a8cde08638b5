import { describe, expect, it } from 'vitest';
import { linear } from './linear.js';
import { expectInvalid } from './test-helpers.js';

describe('linear', () => {
  it('ramps from startLr to endLr, then holds endLr', () => {
    const up = linear({ startLr: 0, endLr: 1, totalSteps: 4 });
    expect([0, 1, 2, 3, 4, 10].map(up)).toEqual([0, 0.25, 0.5, 0.75, 1, 1]);
    const down = linear({ startLr: 1, endLr: 0.5, totalSteps: 2 });
    expect([0, 1, 2, 3].map(down)).toEqual([1, 0.75, 0.5, 0.5]);
    expect(up.config).toEqual({ type: 'linear', startLr: 0, endLr: 1, totalSteps: 4 });
  });

  it('rejects bad options', () => {
    expectInvalid(() => linear({ startLr: 0, endLr: 1, totalSteps: -2 }), 'linear', 'totalSteps');
    expectInvalid(() => linear({ startLr: -1, endLr: 1, totalSteps: 2 }), 'linear', 'startLr');
    expectInvalid(() => linear({ startLr: 0, endLr: Number.NaN, totalSteps: 2 }), 'linear', 'endLr');
  });
});
