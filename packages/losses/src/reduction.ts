import * as tf from '@tensorflow/tfjs-core';

/** How per-example losses become the returned tensor: their mean, their sum, or all of them (shape [N]). */
export type Reduction = 'mean' | 'sum' | 'none';

/** What a loss returns for a {@link Reduction}: a scalar, or per-example losses for `'none'`. */
export type ReducedLoss<R extends Reduction> = R extends 'none' ? tf.Tensor1D : tf.Scalar;

export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];

export function reduce(perExample: tf.Tensor1D, reduction: Reduction): tf.Tensor {
  if (reduction === 'none') return perExample;
  return reduction === 'sum' ? tf.sum(perExample) : tf.mean(perExample);
}
