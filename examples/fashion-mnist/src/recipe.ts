import {
  affine,
  compose,
  horizontalFlip,
  randomErasing,
  type Transform,
  type TtaPolicy,
} from '@topk/augmentations';
import { InvalidArgumentError } from '@topk/core';
import { oneCycle, type Schedule, sgdr } from '@topk/schedulers';

/** The training-time augmentation of a member, applied to `[0, 1]` images before mixup. */
export type AugmentKind = 'flip-shift' | 'flip-affine-erase';

/** One ensemble member: a registry backbone, its head, schedule, augmentation and mixup. */
export interface MemberSpec {
  /** Name in the results table and the output files. */
  readonly name: string;
  /** A name from the `@topk/backbones` registry. */
  readonly backbone: 'simple-cnn' | 'wide_resnet';
  /** The backbone's own options (besides `inputSize`, `inputChannels` and `seed`). */
  readonly backboneOptions: Readonly<Record<string, number | readonly number[]>>;
  /** Global pooling of the classifier head. */
  readonly pool: 'avg' | 'max' | 'concat';
  /** `one-cycle` (fastai `fit_one_cycle`) or `sgdr` (two cosine cycles, the second twice as long). */
  readonly schedule: 'one-cycle' | 'sgdr';
  /** Peak learning rate of the schedule (AdamW, weight decay 1e-2). */
  readonly maxLr: number;
  /** α of mixup's Beta(α, α); 0 turns mixup off. */
  readonly mixupAlpha: number;
  readonly augment: AugmentKind;
  /**
   * Epochs when `--epochs` is not given: together 27.5 minutes on the shared 2-core machine (README),
   * where a WRN-10-1 epoch takes about 1.5 times a `cnn` epoch.
   */
  readonly epochs: number;
  /** Seed of the weights, the shuffling, the augmentation and mixup draws. */
  readonly seed: number;
}

/**
 * Members the command knows by name: two architectures that train fast at 28x28 on wasm (the registry's
 * `simple-cnn` at 566 images/s and WRN-10-1 at 365 images/s on the idle 2-core machine, where ResNet-18
 * and MobileNetV2 x0.5 manage 23 and 69), two schedules, two augmentations and mixup on or off, so that
 * the members err differently. `cnn-deep` adds a fourth block (3x3 → 1x1, cheap) and max pooling.
 */
export const MEMBERS: Readonly<Record<string, MemberSpec>> = {
  cnn: {
    name: 'cnn',
    backbone: 'simple-cnn',
    backboneOptions: { channels: [32, 64, 128] },
    pool: 'concat',
    schedule: 'one-cycle',
    maxLr: 1e-2,
    mixupAlpha: 0.2,
    augment: 'flip-shift',
    epochs: 3,
    seed: 1,
  },
  wrn: {
    name: 'wrn',
    backbone: 'wide_resnet',
    backboneOptions: { depth: 10, widen: 1 },
    pool: 'avg',
    schedule: 'sgdr',
    maxLr: 3e-3,
    mixupAlpha: 0,
    augment: 'flip-shift',
    epochs: 1,
    seed: 2,
  },
  'cnn-deep': {
    name: 'cnn-deep',
    backbone: 'simple-cnn',
    backboneOptions: { channels: [32, 64, 128, 256] },
    pool: 'max',
    schedule: 'one-cycle',
    maxLr: 5e-3,
    mixupAlpha: 0.2,
    augment: 'flip-affine-erase',
    epochs: 2,
    seed: 3,
  },
};

/** Members trained when `--members` is not given. */
export const DEFAULT_MEMBERS: readonly string[] = ['cnn', 'wrn', 'cnn-deep'];

/**
 * Test-time augmentation: the image and its mirror image, averaged (Krizhevsky et al. 2012; field note
 * 001). Fashion-MNIST's classes are left-right symmetric, so the flip is a label-preserving view.
 */
export const TTA_POLICY: TtaPolicy = { kind: 'flips' };

/** The members named in `names`, in that order; throws naming the unknown one and the known ones. */
export function resolveMembers(names: readonly string[]): MemberSpec[] {
  if (names.length === 0) {
    throw new InvalidArgumentError('resolveMembers', 'names', 'at least one member name', '[]');
  }
  const seen = new Set<string>();
  return names.map((name) => {
    const spec = MEMBERS[name];
    if (spec === undefined) {
      throw new InvalidArgumentError(
        'resolveMembers',
        'names',
        `member names from ${Object.keys(MEMBERS).join(', ')}`,
        name,
      );
    }
    if (seen.has(name)) throw new InvalidArgumentError('resolveMembers', 'names', 'distinct names', name);
    seen.add(name);
    return spec;
  });
}

/**
 * The training augmentation of `kind`: flips are valid for clothing, shifts stay within 2-3 pixels, and
 * what moves in is black, as the background is (`reflect` would paste mirrored garment edges).
 */
export function trainingTransform(kind: AugmentKind): Transform {
  switch (kind) {
    case 'flip-shift':
      return compose([
        horizontalFlip({ p: 0.5 }),
        affine({ translate: 0.08, scale: [1, 1], rotate: 0, shear: 0, fillMode: 'constant', p: 0.75 }),
      ]);
    case 'flip-affine-erase':
      return compose([
        horizontalFlip({ p: 0.5 }),
        affine({ translate: 0.08, scale: [0.9, 1.1], rotate: 8, shear: 0, fillMode: 'constant', p: 0.75 }),
        randomErasing({ scale: [0.02, 0.15], p: 0.3 }),
      ]);
    default:
      throw new InvalidArgumentError(
        'trainingTransform',
        'kind',
        "'flip-shift' or 'flip-affine-erase'",
        kind,
      );
  }
}

/**
 * Length in steps of SGDR's first cycle so that `cycles` cycles, each `cycleMult` times longer than the
 * previous, cover `totalSteps`: `ceil(totalSteps / (1 + mult + … + mult^(cycles−1)))`. Rounding up lets
 * the last cycle end at or just after the last step, so training never ends on a restart.
 */
export function sgdrFirstCycle(totalSteps: number, cycles: number, cycleMult: number): number {
  const fn = 'sgdrFirstCycle';
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1) {
    throw new InvalidArgumentError(fn, 'totalSteps', 'a positive integer', totalSteps);
  }
  if (!Number.isSafeInteger(cycles) || cycles < 1) {
    throw new InvalidArgumentError(fn, 'cycles', 'a positive integer', cycles);
  }
  if (!Number.isFinite(cycleMult) || cycleMult < 1) {
    throw new InvalidArgumentError(fn, 'cycleMult', 'a number >= 1', cycleMult);
  }
  let units = 0;
  for (let k = 0; k < cycles; k++) units += cycleMult ** k;
  return Math.ceil(totalSteps / units);
}

/**
 * The member's learning-rate schedule over `totalSteps` optimizer steps: one-cycle peaking at `maxLr`
 * after 25 % of the steps, or SGDR with two cycles (one third, then two thirds of the run) from `maxLr`
 * down to `maxLr / 100`. With fewer than 3 steps SGDR has one cycle.
 */
export function memberSchedule(spec: MemberSpec, totalSteps: number): Schedule {
  if (spec.schedule === 'one-cycle') return oneCycle({ maxLr: spec.maxLr, totalSteps });
  const cycles = totalSteps >= 3 ? 2 : 1;
  return sgdr({
    lr: spec.maxLr,
    cycleLength: sgdrFirstCycle(totalSteps, cycles, 2),
    cycleMult: 2,
    minLr: spec.maxLr / 100,
  });
}
