import * as tf from '@tensorflow/tfjs-core';
import { checkPositive, InvalidArgumentError, Rng } from '@topk/core';
import type { BatchShape, FillOptions, Stage } from './types.js';

/** The checks every package shares live in `@topk/core`. */
export { checkPositive } from '@topk/core';

/** Resolved {@link FillOptions}. */
export interface Fill {
  readonly interpolation: 'bilinear' | 'nearest';
  readonly fillMode: 'constant' | 'reflect' | 'edge';
  readonly fillValue: number;
}

export type Range = readonly [number, number];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Options must be a plain object with only known keys, so a typo in a config is an error, not a no-op. */
export function checkOptions(fn: string, options: unknown, allowed: readonly string[]): void {
  if (!isPlainObject(options)) throw new InvalidArgumentError(fn, 'options', 'an object', options);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(fn, 'options', `an object with keys among ${allowed.join(', ')}`, key);
    }
  }
}

export function checkNumber(
  fn: string,
  argument: string,
  value: unknown,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const bounds =
      min === Number.NEGATIVE_INFINITY && max === Number.POSITIVE_INFINITY
        ? 'a finite number'
        : max === Number.POSITIVE_INFINITY
          ? `a finite number >= ${min}`
          : `a number in [${min}, ${max}]`;
    throw new InvalidArgumentError(fn, argument, bounds, value);
  }
  return value;
}

export function checkInteger(fn: string, argument: string, value: unknown, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new InvalidArgumentError(fn, argument, `an integer in [${min}, ${max}]`, value);
  }
  return value as number;
}

export function checkProbability(fn: string, value: unknown, argument = 'p'): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidArgumentError(fn, argument, 'a probability in [0, 1]', value);
  }
  return value;
}

export function checkStage(fn: string, value: unknown): Stage {
  if (value !== 'train' && value !== 'always') {
    throw new InvalidArgumentError(fn, 'stage', '"train" or "always"', value);
  }
  return value;
}

export function checkChoice<T extends string>(
  fn: string,
  argument: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(fn, argument, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  }
  return value as T;
}

/**
 * A `[low, high]` range within `[min, max]`. A single number `x` means `[-x, x]` when `symmetric` (a
 * "limit", as albumentations writes it) and `[x, x]` otherwise.
 */
export function checkRange(
  fn: string,
  argument: string,
  value: unknown,
  min: number,
  max: number,
  symmetric: boolean,
  integer = false,
): Range {
  let pair: unknown = value;
  // `0 - value` rather than `-value`: a limit of 0 must give [0, 0], not [-0, 0], for configs to compare equal.
  if (typeof value === 'number') pair = symmetric ? [0 - value, value] : [value, value];
  const ok =
    Array.isArray(pair) &&
    pair.length === 2 &&
    pair.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) &&
    (pair[0] as number) <= (pair[1] as number) &&
    (!integer || pair.every((v) => Number.isSafeInteger(v)));
  if (!ok) {
    const what = integer ? 'integers' : 'numbers';
    const single = symmetric ? `, or x for [-x, x]` : '';
    throw new InvalidArgumentError(
      fn,
      argument,
      `[low, high] with ${what} low <= high in [${min}, ${max}]${single}`,
      value,
    );
  }
  const [low, high] = pair as [number, number];
  return [low, high];
}

export function checkFill(fn: string, options: FillOptions, defaultMode: Fill['fillMode']): Fill {
  const interpolation = checkChoice(fn, 'interpolation', options.interpolation ?? 'bilinear', [
    'bilinear',
    'nearest',
  ] as const);
  const fillMode = checkChoice(fn, 'fillMode', options.fillMode ?? defaultMode, [
    'constant',
    'reflect',
    'edge',
  ] as const);
  const fillValue = checkNumber(fn, 'fillValue', options.fillValue ?? 0, 0, 1);
  return { interpolation, fillMode, fillValue };
}

export function checkRng(fn: string, rng: unknown): Rng {
  if (!(rng instanceof Rng)) throw new InvalidArgumentError(fn, 'rng', 'an Rng from @topk/core', rng);
  return rng;
}

export function checkShape(fn: string, shape: unknown): BatchShape {
  const ok =
    Array.isArray(shape) && shape.length === 4 && shape.every((d) => Number.isSafeInteger(d) && d >= 1);
  if (!ok)
    throw new InvalidArgumentError(fn, 'shape', '[N, height, width, channels] of positive integers', shape);
  return shape as unknown as BatchShape;
}

export function checkImages(fn: string, images: unknown): tf.Tensor4D {
  if (!(images instanceof tf.Tensor) || images.rank !== 4 || images.dtype !== 'float32') {
    throw new InvalidArgumentError(
      fn,
      'images',
      'a float32 rank-4 tensor [N, height, width, channels]',
      images,
    );
  }
  if (images.isDisposed) throw new InvalidArgumentError(fn, 'images', 'a live tensor', 'a disposed tensor');
  return images as tf.Tensor4D;
}

export function checkMaxValue(fn: string, value: unknown): number {
  return checkPositive(fn, 'maxValue', value);
}

export function checkChannels(fn: string, channels: number, needed: number | undefined): void {
  if (needed !== undefined && channels !== needed) {
    throw new InvalidArgumentError(
      fn,
      'images',
      `RGB images with ${needed} channels`,
      `${channels}-channel images`,
    );
  }
}

export function checkTraining(fn: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(fn, 'training', 'a boolean', value);
  return value;
}
