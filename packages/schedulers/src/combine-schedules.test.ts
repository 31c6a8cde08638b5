import { describe, expect, it } from 'vitest';
import { combineSchedules } from './combine-schedules.js';
import { constant } from './constant.js';
import { cosineAnnealing } from './cosine-annealing.js';
import { linear } from './linear.js';
import { expectInvalid } from './test-helpers.js';
import { warmupCosine } from './warmup-cosine.js';

describe('combineSchedules', () => {
  it('linear warmup + cosine equals warmupCosine at every step', () => {
    const combined = combineSchedules({
      phases: [
        { steps: 20, schedule: linear({ startLr: 1e-4, endLr: 1e-2, totalSteps: 20 }) },
        { steps: 80, schedule: cosineAnnealing({ lr: 1e-2, totalSteps: 80, minLr: 1e-5 }) },
      ],
    });
    const reference = warmupCosine({
      lr: 1e-2,
      totalSteps: 100,
      warmupSteps: 20,
      warmupLr: 1e-4,
      minLr: 1e-5,
    });
    for (let step = 0; step <= 150; step++) expect(combined(step)).toBeCloseTo(reference(step), 15);
  });

  it('hands each phase its local step and lets the last phase run on', () => {
    // fastai's fit_flat_cos with 4 steps flat and 2 of cosine.
    const combined = combineSchedules({
      phases: [
        { steps: 4, schedule: constant({ lr: 1 }) },
        { steps: 2, schedule: cosineAnnealing({ lr: 1, totalSteps: 2 }) },
      ],
    });
    expect([0, 3, 3.5, 4, 5, 6, 9].map(combined)).toEqual([1, 1, 1, 1, 0.5, 0, 0]);
    expect(combined.config).toEqual({
      type: 'combine',
      phases: [
        { steps: 4, schedule: { type: 'constant', lr: 1 } },
        { steps: 2, schedule: { type: 'cosine', lr: 1, totalSteps: 2, minLr: 0 } },
      ],
    });
  });

  it('rejects bad phases', () => {
    const schedule = constant({ lr: 1 });
    expectInvalid(() => combineSchedules({ phases: [] }), 'combineSchedules', 'phases');
    expectInvalid(
      () => combineSchedules({ phases: [{ steps: 0, schedule }] }),
      'combineSchedules',
      'phases[0].steps',
    );
    expectInvalid(
      () =>
        combineSchedules({
          phases: [
            { steps: 1, schedule },
            { steps: 1, schedule: (() => 1) as never },
          ],
        }),
      'combineSchedules',
      'phases[1].schedule',
    );
    expectInvalid(() => combineSchedules({ phases: [null as never] }), 'combineSchedules', 'phases[0].steps');
  });
});
