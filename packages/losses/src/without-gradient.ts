import * as tf from '@tensorflow/tfjs-core';

/**
 * Runs `f` on `inputs` as a constant for autodiff: its ops are not taped and its gradient with respect to
 * every input is 0. Masks built from comparisons (`greater`, `logicalAnd`, `any`) must go through here when
 * they depend on what is differentiated, because tfjs registers no gradients for those ops and would throw
 * "gradient function not found" even though a mask's gradient is simply 0.
 */
export function withoutGradient<T extends tf.Tensor>(
  f: (...inputs: tf.Tensor[]) => T,
  ...inputs: tf.Tensor[]
): T {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xs = args.slice(0, inputs.length) as tf.Tensor[];
    return { value: f(...xs), gradFunc: () => xs.map((x) => tf.zeros(x.shape, 'float32')) };
  })(...inputs) as T;
}
