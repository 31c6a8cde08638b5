import { InvalidArgumentError } from '@topk/core';
import { combineSchedules } from './combine-schedules.js';
import { constant } from './constant.js';
import { cosineAnnealing } from './cosine-annealing.js';
import { exponentialDecay } from './exponential-decay.js';
import { linear } from './linear.js';
import { multiStepDecay } from './multi-step-decay.js';
import { oneCycle } from './one-cycle.js';
import { perEpoch } from './per-epoch.js';
import { polynomialDecay } from './polynomial-decay.js';
import type { Schedule, ScheduleConfig, ScheduleType } from './schedule.js';
import { sgdr } from './sgdr.js';
import { stepDecay } from './step-decay.js';
import { warmupCosine } from './warmup-cosine.js';

// The fields each config type may carry. Saved configs are checked against it so that a misspelt field
// ("minlr") fails loudly instead of silently falling back to a default.
const FIELDS = {
  constant: ['lr'],
  step: ['lr', 'stepSize', 'gamma'],
  multiStep: ['lr', 'milestones', 'gamma'],
  exponential: ['lr', 'gamma'],
  polynomial: ['lr', 'totalSteps', 'endLr', 'power'],
  linear: ['startLr', 'endLr', 'totalSteps'],
  cosine: ['lr', 'totalSteps', 'minLr'],
  sgdr: ['lr', 'cycleLength', 'cycleMult', 'cycleDecay', 'minLr'],
  warmupCosine: ['lr', 'totalSteps', 'warmupSteps', 'warmupLr', 'minLr'],
  oneCycle: ['maxLr', 'totalSteps', 'div', 'divFinal', 'pctStart', 'moms'],
  combine: ['phases'],
  perEpoch: ['stepsPerEpoch', 'stepping', 'schedule'],
} as const satisfies Record<ScheduleType, readonly string[]>;

/** Every schedule `type` that {@link scheduleFromConfig} builds. */
export const SCHEDULE_TYPES: readonly ScheduleType[] = Object.freeze(Object.keys(FIELDS) as ScheduleType[]);

function isScheduleType(value: unknown): value is ScheduleType {
  return typeof value === 'string' && Object.hasOwn(FIELDS, value);
}

function build(config: unknown, path: string): Schedule {
  const fn = 'scheduleFromConfig';
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new InvalidArgumentError(fn, path, 'a schedule config object', config);
  }
  const { type } = config as { type?: unknown };
  if (!isScheduleType(type)) {
    throw new InvalidArgumentError(fn, `${path}.type`, `one of ${SCHEDULE_TYPES.join(', ')}`, type);
  }
  const allowed: readonly string[] = FIELDS[type];
  for (const key of Object.keys(config)) {
    if (key !== 'type' && !allowed.includes(key)) {
      throw new InvalidArgumentError(
        fn,
        `${path}.${key}`,
        `absent (a ${type} config has ${allowed.join(', ')})`,
        key,
      );
    }
  }
  // Each factory validates its own fields; the cast only hands them over.
  const c = config as never;
  switch (type) {
    case 'constant':
      return constant(c);
    case 'step':
      return stepDecay(c);
    case 'multiStep':
      return multiStepDecay(c);
    case 'exponential':
      return exponentialDecay(c);
    case 'polynomial':
      return polynomialDecay(c);
    case 'linear':
      return linear(c);
    case 'cosine':
      return cosineAnnealing(c);
    case 'sgdr':
      return sgdr(c);
    case 'warmupCosine':
      return warmupCosine(c);
    case 'oneCycle':
      return oneCycle(c);
    case 'combine': {
      const { phases } = config as { phases?: unknown };
      if (!Array.isArray(phases)) {
        throw new InvalidArgumentError(fn, `${path}.phases`, 'an array of { steps, schedule }', phases);
      }
      return combineSchedules({
        phases: phases.map((phase: unknown, i) => {
          const p = (phase ?? {}) as { steps?: unknown; schedule?: unknown };
          return { steps: p.steps as number, schedule: build(p.schedule, `${path}.phases[${i}].schedule`) };
        }),
      });
    }
    case 'perEpoch': {
      const { schedule, ...rest } = config as { schedule?: unknown };
      return perEpoch({
        ...(rest as { stepsPerEpoch: number }),
        schedule: build(schedule, `${path}.schedule`),
      });
    }
  }
}

/**
 * Builds any schedule from its plain-JSON config, e.g. one read back from a checkpoint:
 * `scheduleFromConfig(JSON.parse(JSON.stringify(schedule.config)))` gives the same curve. Unknown types and
 * unknown fields are rejected; missing optional fields take the factory's defaults.
 *
 * @example
 * ```ts
 * const schedule = scheduleFromConfig({ type: 'sgdr', lr: 0.05, cycleLength: 10, cycleMult: 2 });
 * ```
 */
export function scheduleFromConfig(config: ScheduleConfig): Schedule {
  return build(config, 'config');
}
