import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AugmentKind,
  DEFAULT_MEMBERS,
  MEMBERS,
  memberSchedule,
  resolveMembers,
  sgdrFirstCycle,
  trainingTransform,
} from './recipe.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('recipe', () => {
  it('resolves members by name, in order, and rejects unknown or repeated ones', () => {
    expect(resolveMembers(['wrn', 'cnn']).map((m) => m.name)).toEqual(['wrn', 'cnn']);
    expect(resolveMembers(DEFAULT_MEMBERS).map((m) => m.backbone)).toEqual([
      'simple-cnn',
      'wide_resnet',
      'simple-cnn',
    ]);
    expect(() => resolveMembers(['cnn', 'vgg'])).toThrow(
      'Error in resolveMembers: names must be member names from cnn, wrn, cnn-deep, got "vgg"',
    );
    expect(() => resolveMembers(['cnn', 'cnn'])).toThrow(/names must be distinct names, got "cnn"/);
    expect(() => resolveMembers([])).toThrow(/at least one member name/);
  });

  it('every member is keyed by its own name and has distinct seeds', () => {
    for (const [key, spec] of Object.entries(MEMBERS)) expect(spec.name).toBe(key);
    const seeds = Object.values(MEMBERS).map((m) => m.seed);
    expect(new Set(seeds).size).toBe(seeds.length);
  });

  it('sgdrFirstCycle covers the run with cycles 1, mult, mult², ...', () => {
    // 300 steps, 2 cycles doubling: 100 + 200 = 300.
    expect(sgdrFirstCycle(300, 2, 2)).toBe(100);
    // 301 steps: ceil(301 / 3) = 101, cycles 101 + 202 = 303 >= 301, so no restart inside the run.
    expect(sgdrFirstCycle(301, 2, 2)).toBe(101);
    // 3 cycles doubling: 1 + 2 + 4 = 7 units.
    expect(sgdrFirstCycle(700, 3, 2)).toBe(100);
    expect(sgdrFirstCycle(5, 1, 1)).toBe(5);
    expect(() => sgdrFirstCycle(0, 2, 2)).toThrow(/totalSteps must be a positive integer, got 0/);
    expect(() => sgdrFirstCycle(10, 0, 2)).toThrow(/cycles must be a positive integer/);
    expect(() => sgdrFirstCycle(10, 2, 0.5)).toThrow(/cycleMult must be a number >= 1, got 0.5/);
  });

  it('the SGDR member restarts once, after a third of the steps, and never at the end', () => {
    const spec = MEMBERS.wrn!;
    const schedule = memberSchedule(spec, 300);
    expect(schedule.config).toMatchObject({ type: 'sgdr', lr: spec.maxLr, cycleLength: 100, cycleMult: 2 });
    expect(schedule(0)).toBeCloseTo(spec.maxLr, 12);
    // Cosine from maxLr to maxLr / 100: halfway through the first cycle lr = min + (max − min) / 2.
    expect(schedule(50)).toBeCloseTo(spec.maxLr / 100 + (spec.maxLr - spec.maxLr / 100) / 2, 12);
    expect(schedule(99)).toBeLessThan(schedule(100));
    expect(schedule(100)).toBeCloseTo(spec.maxLr, 12);
    // The last step is near the end of the second cycle: far below the peak.
    expect(schedule(299)).toBeLessThan(spec.maxLr / 50);
    // Too short for two cycles: one cosine over the run.
    expect(memberSchedule(spec, 2).config).toMatchObject({ cycleLength: 2 });
  });

  it('the one-cycle members peak at maxLr after a quarter of the steps', () => {
    const spec = MEMBERS.cnn!;
    const schedule = memberSchedule(spec, 400);
    expect(schedule.config).toMatchObject({ type: 'oneCycle', maxLr: spec.maxLr, totalSteps: 400 });
    // fastai defaults: starts at maxLr / 25, peaks at step 0.25 · 400, ends at maxLr / 1e5.
    expect(schedule(0)).toBeCloseTo(spec.maxLr / 25, 12);
    expect(schedule(100)).toBeCloseTo(spec.maxLr, 12);
    expect(schedule(400)).toBeCloseTo(spec.maxLr / 1e5, 12);
  });

  it.each<AugmentKind>(['flip-shift', 'flip-affine-erase'])(
    '%s keeps shape and [0, 1] range, replays under a seed and leaks nothing',
    (kind) => {
      const transform = trainingTransform(kind);
      const images = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
      const before = tf.memory().numTensors;
      const a = transform.apply(images, new Rng(5)).images;
      const b = transform.apply(images, new Rng(5)).images;
      expect(a.shape).toEqual([4, 28, 28, 1]);
      const values = Array.from(a.dataSync());
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThanOrEqual(1);
      expect(values).toEqual(Array.from(b.dataSync()));
      a.dispose();
      b.dispose();
      expect(tf.memory().numTensors).toBe(before);
      images.dispose();
    },
  );

  it('trainingTransform rejects an unknown kind', () => {
    expect(() => trainingTransform('rotate' as AugmentKind)).toThrow(
      /trainingTransform: kind must be 'flip-shift' or 'flip-affine-erase', got "rotate"/,
    );
  });
});
