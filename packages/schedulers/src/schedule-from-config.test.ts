import { describe, expect, it } from 'vitest';
import type { ScheduleConfig, ScheduleType } from './schedule.js';
import { SCHEDULE_TYPES, scheduleFromConfig } from './schedule-from-config.js';
import { expectInvalid } from './test-helpers.js';

// One config per schedule type. The Record type makes a new type without an entry a compile error, and the
// first test makes it a test failure too.
const EXAMPLES: Record<ScheduleType, ScheduleConfig> = {
  constant: { type: 'constant', lr: 0.01 },
  step: { type: 'step', lr: 0.1, stepSize: 7, gamma: 0.5 },
  multiStep: { type: 'multiStep', lr: 0.1, milestones: [10, 25], gamma: 0.1 },
  exponential: { type: 'exponential', lr: 0.1, gamma: 0.97 },
  polynomial: { type: 'polynomial', lr: 0.1, totalSteps: 40, endLr: 1e-4, power: 0.9 },
  linear: { type: 'linear', startLr: 0, endLr: 0.1, totalSteps: 13 },
  cosine: { type: 'cosine', lr: 0.1, totalSteps: 40, minLr: 1e-5 },
  sgdr: { type: 'sgdr', lr: 0.1, cycleLength: 5, cycleMult: 2, cycleDecay: 0.7, minLr: 1e-4 },
  warmupCosine: {
    type: 'warmupCosine',
    lr: 0.1,
    totalSteps: 40,
    warmupSteps: 4,
    warmupLr: 1e-4,
    minLr: 1e-5,
  },
  oneCycle: {
    type: 'oneCycle',
    maxLr: 0.1,
    totalSteps: 40,
    div: 25,
    divFinal: 1e5,
    pctStart: 0.3,
    moms: [0.95, 0.85, 0.95],
  },
  combine: {
    type: 'combine',
    phases: [
      { steps: 5, schedule: { type: 'linear', startLr: 0, endLr: 0.1, totalSteps: 5 } },
      {
        steps: 35,
        schedule: { type: 'sgdr', lr: 0.1, cycleLength: 5, cycleMult: 2, cycleDecay: 1, minLr: 0 },
      },
    ],
  },
  perEpoch: {
    type: 'perEpoch',
    stepsPerEpoch: 3,
    stepping: 'step',
    schedule: { type: 'cosine', lr: 0.1, totalSteps: 10, minLr: 0 },
  },
};

const STEPS = Array.from({ length: 61 }, (_, i) => i).concat([0.5, 12.25, 1e4]);

describe('schedule conformance', () => {
  it('has an example for every registered type', () => {
    expect([...SCHEDULE_TYPES].sort()).toEqual(Object.keys(EXAMPLES).sort());
  });

  describe.each(SCHEDULE_TYPES)('%s', (type) => {
    const config = EXAMPLES[type];

    it('is finite and non-negative at every step, and deterministic', () => {
      const schedule = scheduleFromConfig(config);
      const again = scheduleFromConfig(config);
      for (const step of STEPS) {
        const lr = schedule(step);
        expect(Number.isFinite(lr)).toBe(true);
        expect(lr).toBeGreaterThanOrEqual(0);
        expect(schedule(step)).toBe(lr);
        expect(again(step)).toBe(lr);
      }
    });

    it('carries its complete config and round-trips through JSON', () => {
      const schedule = scheduleFromConfig(config);
      expect(schedule.config).toEqual(config);
      const restored = scheduleFromConfig(JSON.parse(JSON.stringify(schedule.config)));
      expect(restored.config).toEqual(schedule.config);
      for (const step of STEPS) expect(restored(step)).toBe(schedule(step));
    });

    it('rejects a negative step', () => {
      expect(() => scheduleFromConfig(config)(-1)).toThrow(/step must be a finite number >= 0, got -1/);
    });
  });

  it('fills in defaults for missing optional fields', () => {
    expect(scheduleFromConfig({ type: 'sgdr', lr: 1, cycleLength: 2 } as ScheduleConfig).config).toEqual({
      type: 'sgdr',
      lr: 1,
      cycleLength: 2,
      cycleMult: 1,
      cycleDecay: 1,
      minLr: 0,
    });
  });

  it('rejects unknown types, unknown fields and bad nested configs', () => {
    const e = expectInvalid(
      () => scheduleFromConfig({ type: 'cyclic' } as never),
      'scheduleFromConfig',
      'config.type',
    );
    expect(e.message).toContain('one of constant, step, multiStep');
    expectInvalid(
      () => scheduleFromConfig({ type: 'cosine', lr: 1, totalSteps: 2, minlr: 0 } as never),
      'scheduleFromConfig',
      'config.minlr',
    );
    expectInvalid(() => scheduleFromConfig(null as never), 'scheduleFromConfig', 'config');
    expectInvalid(
      () => scheduleFromConfig({ type: 'perEpoch', stepsPerEpoch: 2, schedule: { type: 'nope' } } as never),
      'scheduleFromConfig',
      'config.schedule.type',
    );
    expectInvalid(
      () =>
        scheduleFromConfig({
          type: 'combine',
          phases: [{ steps: 1, schedule: { type: 'constant', lr: 1, extra: 1 } }],
        } as never),
      'scheduleFromConfig',
      'config.phases[0].schedule.extra',
    );
    expectInvalid(
      () => scheduleFromConfig({ type: 'combine', phases: 3 } as never),
      'scheduleFromConfig',
      'config.phases',
    );
    // Field values are checked by the factory, which names itself.
    expectInvalid(
      () => scheduleFromConfig({ type: 'sgdr', lr: 1, cycleLength: -1 } as never),
      'sgdr',
      'cycleLength',
    );
  });
});
