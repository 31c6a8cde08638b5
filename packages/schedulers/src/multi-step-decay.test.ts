import { describe, expect, it } from 'vitest';
import { multiStepDecay } from './multi-step-decay.js';
import { expectInvalid } from './test-helpers.js';

describe('multiStepDecay', () => {
  it('decays at each milestone, the milestone step included (PyTorch MultiStepLR)', () => {
    const schedule = multiStepDecay({ lr: 1, milestones: [3, 5], gamma: 0.5 });
    expect([0, 2, 2.9, 3, 4, 5, 100].map(schedule)).toEqual([1, 1, 1, 0.5, 0.5, 0.25, 0.25]);
    expect(schedule.config).toEqual({ type: 'multiStep', lr: 1, milestones: [3, 5], gamma: 0.5 });
  });

  it('defaults gamma to 0.1 and copies the milestones', () => {
    const milestones = [10];
    const schedule = multiStepDecay({ lr: 0.2, milestones });
    milestones.push(1);
    expect(schedule(10)).toBeCloseTo(0.02, 15);
    expect(schedule.config.milestones).toEqual([10]);
  });

  it('rejects milestones that are not strictly increasing and positive', () => {
    expectInvalid(() => multiStepDecay({ lr: 1, milestones: [5, 5] }), 'multiStepDecay', 'milestones');
    expectInvalid(() => multiStepDecay({ lr: 1, milestones: [0] }), 'multiStepDecay', 'milestones');
    expectInvalid(() => multiStepDecay({ lr: 1, milestones: [3, 2] }), 'multiStepDecay', 'milestones');
    expectInvalid(() => multiStepDecay({ lr: 1, milestones: 3 as never }), 'multiStepDecay', 'milestones');
    expectInvalid(() => multiStepDecay({ lr: 1, milestones: [1], gamma: -1 }), 'multiStepDecay', 'gamma');
  });
});
