import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '@topk/core';
import { expect } from 'vitest';

/** Runs `fn`, expects an InvalidArgumentError naming `name` and `argument`, and returns it. */
export function expectInvalid(fn: () => unknown, name: string, argument: string): InvalidArgumentError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).fn).toBe(name);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    return error as InvalidArgumentError;
  }
  throw new Error(`expected ${name} to throw for ${argument}`);
}

/** Reads `x` (and disposes it), checks its shape and that every value is within `tolerance` of `expected`. */
export function expectValues(x: tf.Tensor, expected: number | readonly number[], tolerance = 1e-5): void {
  const values = Array.from(x.dataSync());
  const shape = x.shape;
  x.dispose();
  const want = typeof expected === 'number' ? [expected] : expected;
  expect(shape).toEqual(typeof expected === 'number' ? [] : [expected.length]);
  want.forEach((w, i) => {
    expect(Math.abs(values[i]! - w), `value ${i}: ${values[i]} vs ${w}`).toBeLessThanOrEqual(tolerance);
  });
}

/** The scalar value of `x` (disposed). */
export function scalarValue(x: tf.Tensor): number {
  const value = x.dataSync()[0]!;
  x.dispose();
  return value;
}

/** Gradient of `f` at `x`, as plain numbers; asserts every entry is finite. */
export function finiteGradient(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor): number[] {
  const values = tf.tidy(() => Array.from(tf.grad(f)(x).dataSync()));
  for (const v of values) expect(Number.isFinite(v), `gradient entry ${v}`).toBe(true);
  return values;
}
