import { Rng } from '@topk/core';
import type { Range } from './validate.js';

/** Uniform draw in `[low, high)`, or `low` for an empty range (a fixed value). */
export function uniform(rng: Rng, [low, high]: Range): number {
  return high > low ? rng.uniform(low, high) : low;
}

/** Uniform integer in `[low, high]`, both ends included. */
export function uniformInt(rng: Rng, [low, high]: Range): number {
  return rng.int(low, high + 1);
}

/** Uniform odd integer in `[low, high]` (kernel sizes); both ends rounded inwards to odd numbers. */
export function uniformOdd(rng: Rng, [low, high]: Range): number {
  const first = low % 2 === 1 ? low : low + 1;
  const last = high % 2 === 1 ? high : high - 1;
  return first + 2 * rng.int(0, (last - first) / 2 + 1);
}

/** A seed for a derived generator, stored in parameter records so that a replay regenerates the same noise. */
export function drawSeed(rng: Rng): number {
  return rng.int(0, 2 ** 31);
}

/** Standard-normal deviates from a stored seed. */
export function normalNoise(seed: number, length: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.normal();
  return out;
}

/** Uniform deviates in `[0, 1)` from a stored seed. */
export function uniformNoise(seed: number, length: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.next();
  return out;
}
