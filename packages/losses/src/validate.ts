import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, isFiniteNumber } from '@topk/core';

/** The checks every package shares live in `@topk/core`. */
export {
  checkBoolean,
  checkNonNegative,
  checkOneOf,
  checkPositive,
  checkPositiveInteger,
  isFiniteNumber,
} from '@topk/core';

// Checks shared by the losses. Option checks run once in the factory; tensor checks run on every call
// and look only at shapes and dtypes, never at values (that would need a GPU→CPU read every step).

export function checkOptions(fn: string, options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(fn, 'options', 'an object', options);
  }
}

export function checkFraction(fn: string, argument: string, value: unknown): number {
  if (!isFiniteNumber(value) || value < 0 || value >= 1) {
    throw new InvalidArgumentError(fn, argument, 'in [0, 1)', value);
  }
  return value;
}

/** A number (same for every class) or an array of finite numbers >= 0, stored as given. */
export function checkWeights(fn: string, argument: string, value: unknown): number | number[] {
  if (isFiniteNumber(value) && value >= 0) return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => isFiniteNumber(v) && v >= 0)) {
    return [...value];
  }
  throw new InvalidArgumentError(fn, argument, 'a finite number >= 0 or a non-empty array of them', value);
}

export function checkTensor(fn: string, argument: string, value: unknown): tf.Tensor {
  if (!(value instanceof tf.Tensor) || value.isDisposed) {
    throw new InvalidArgumentError(fn, argument, 'a live tensor', value);
  }
  return value;
}

export function checkFloatTensor(
  fn: string,
  argument: string,
  value: unknown,
  ranks: readonly number[],
): tf.Tensor {
  const x = checkTensor(fn, argument, value);
  if (x.dtype !== 'float32')
    throw new InvalidArgumentError(fn, argument, 'a float32 tensor', `a ${x.dtype} tensor`);
  if (!ranks.includes(x.rank)) {
    throw new InvalidArgumentError(fn, argument, `of rank ${ranks.join(' or ')}`, x);
  }
  return x;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Float32 one-hot rows [N, depth] of int32 indices [N]; an index outside [0, depth) gives a zero row.
 * Unlike `tf.oneHot` it accepts depth 1 (a single class).
 */
export function oneHot(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(
    tf.equal(tf.expandDims(indices, 1), tf.range(0, depth, 1, 'int32')),
    'float32',
  ) as tf.Tensor2D;
}

/**
 * Targets of shape [N, C] for logits `yPred` of shape [N, C], as float32: int32 class indices of shape
 * [N] become one-hot rows (an index outside [0, C) gives an all-zero row); a tensor of
 * shape [N, C] (one-hot, soft, or multi-hot) is cast to float32. Call inside a tidy.
 */
export function classTargets(fn: string, yTrue: unknown, yPred: tf.Tensor, allowIndices = true): tf.Tensor2D {
  const y = checkTensor(fn, 'yTrue', yTrue);
  const [n, c] = yPred.shape as [number, number];
  if (allowIndices && y.rank === 1 && y.dtype === 'int32' && y.shape[0] === n) {
    return oneHot(y as tf.Tensor1D, c);
  }
  if (y.rank === 2 && sameShape(y.shape, yPred.shape) && y.dtype !== 'string' && y.dtype !== 'complex64') {
    return (y.dtype === 'float32' ? y : tf.cast(y, 'float32')) as tf.Tensor2D;
  }
  const expected = allowIndices
    ? `int32 class indices of shape [${n}] or targets of shape [${n}, ${c}] (the shape of yPred)`
    : `targets of shape [${n}, ${c}] (the shape of yPred)`;
  throw new InvalidArgumentError(fn, 'yTrue', expected, y);
}

/** Targets of the same shape as `yPred` for element-wise (multi-label) losses, as float32. */
export function elementTargets(fn: string, yTrue: unknown, yPred: tf.Tensor): tf.Tensor {
  const y = checkTensor(fn, 'yTrue', yTrue);
  if (!sameShape(y.shape, yPred.shape) || y.dtype === 'string' || y.dtype === 'complex64') {
    throw new InvalidArgumentError(
      fn,
      'yTrue',
      `a numeric tensor of shape [${yPred.shape.join(', ')}] (the shape of yPred)`,
      y,
    );
  }
  return y.dtype === 'float32' ? y : tf.cast(y, 'float32');
}

/**
 * A per-class vector of length `classes` from a scalar or array option, as a float32 tensor; an array of
 * the wrong length throws.
 */
export function classVector(
  fn: string,
  argument: string,
  value: number | readonly number[],
  classes: number,
): tf.Tensor1D {
  if (typeof value === 'number') return tf.fill([classes], value) as tf.Tensor1D;
  if (value.length !== classes) {
    throw new InvalidArgumentError(fn, argument, `an array of ${classes} numbers (one per class)`, value);
  }
  return tf.tensor1d(value as number[], 'float32');
}
