import type { Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { FUSED_GRADIENT_KERNELS } from './kernels/fused-gradient-kernels.js';
import { patchLayerCall, singleInput, unpatchLayerCall } from './layer-patch.js';

/** The parts of tfjs-layers' BatchNormalization layer that its training branch reads. */
interface BatchNormLayer {
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly gamma?: { read(): Tensor } | null;
  readonly beta?: { read(): Tensor } | null;
  readonly movingMean: { read(): Tensor; write(value: Tensor): void };
  readonly movingVariance: { read(): Tensor; write(value: Tensor): void };
}

function kernelsAvailable(): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(FUSED_GRADIENT_KERNELS.batchNormMoments, backend) !== undefined &&
    tf.getKernel(FUSED_GRADIENT_KERNELS.batchNormInputGrad, backend) !== undefined &&
    tf.getKernel(FUSED_GRADIENT_KERNELS.batchNormGradSums, backend) !== undefined
  );
}

/**
 * Batch normalisation over every axis but the last, in training mode: `[normalised, mean, variance]` with
 * the biased batch variance, as tfjs-layers' `normalizeBatchInTraining`. The gradient is the closed form
 * (Ioffe & Szegedy 2015, §3): with x̂ = (x − μ)·r, r = (σ² + ε)^(−1/2) and n values per channel,
 * ∂x = γ·r·(dy − Σdy/n − x̂·Σ(dy·x̂)/n), ∂γ = Σ(dy·x̂), ∂β = Σdy — two passes over memory each way, where
 * differentiating tfjs's `moments` → `batchNorm` graph takes about a dozen. The caller owns (disposes) all
 * three tensors; the statistics are constants to any gradient taken through them.
 */
export function batchNormTraining(
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  epsilon: number,
): [Tensor, Tensor, Tensor] {
  let stats: [Tensor, Tensor] | undefined;
  const run = (kernel: string, inputs: Record<string, Tensor>) =>
    tf.engine().runKernel(kernel, inputs as never) as unknown as Tensor | Tensor[];
  const normalise = tf.customGrad((...args: unknown[]) => {
    const [input, scale, offset, save] = args as [Tensor, Tensor, Tensor, (tensors: Tensor[]) => void];
    const [mean, variance] = run(FUSED_GRADIENT_KERNELS.batchNormMoments, { x: input }) as [Tensor, Tensor];
    // Kept: the caller owns the statistics (customGrad disposes what its forward function leaves).
    stats = [tf.keep(mean), tf.keep(variance)];
    save([input, mean, variance, scale]);
    return {
      value: tf.batchNorm(input, mean, variance, offset, scale, epsilon),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, mu, sigma2, g] = saved as [Tensor, Tensor, Tensor, Tensor];
        const channels = mu.shape[0] as number;
        const n = xs.size / channels;
        // s1 = Σ dy, s2 = Σ dy·(x − μ) per channel.
        const [s1, s2] = run(FUSED_GRADIENT_KERNELS.batchNormGradSums, { x: xs, dy, mean: mu }) as [
          Tensor,
          Tensor,
        ];
        const r = tf.rsqrt(tf.add(sigma2, epsilon));
        // ∂x = a·dy + b·(x − μ) − a·s1/n with a = γ·r and b = −a·r²·s2/n, i.e. a·dy + b·x + k.
        const a = tf.mul(g, r);
        const b = tf.div(tf.neg(tf.mul(tf.mul(a, tf.square(r)), s2)), n);
        const k = tf.sub(tf.neg(tf.div(tf.mul(a, s1), n)), tf.mul(b, mu));
        const dx = run(FUSED_GRADIENT_KERNELS.batchNormInputGrad, { x: xs, dy, a, b, k }) as Tensor;
        return [dx, tf.mul(r, s2), tf.clone(s1)];
      },
    };
  });
  const normalised = normalise(x, gamma, beta);
  const [mean, variance] = stats!;
  return [normalised, mean, variance];
}

/** The fast training branch, or undefined where the stock layer must run (it then runs unchanged). */
function fastTrainingCall(
  layer: BatchNormLayer,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown> | undefined,
): Tensor | undefined {
  if (kwargs?.training !== true || !kernelsAvailable()) return undefined;
  const input = singleInput(inputs);
  if (input === undefined || input.dtype !== 'float32' || input.rank < 2) return undefined;
  const axis = layer.axis >= 0 ? layer.axis : layer.axis + input.rank;
  if (axis !== input.rank - 1) return undefined;
  return tf.tidy(() => {
    // Without scale or center tfjs-layers 4.22 cannot train at all (it reads the missing γ or β).
    const channels = input.shape[axis] as number;
    const gamma = layer.gamma ? layer.gamma.read() : tf.ones([channels]);
    const beta = layer.beta ? layer.beta.read() : tf.zeros([channels]);
    const [normalised, mean, variance] = batchNormTraining(input, gamma, beta, layer.epsilon);
    // tidy disposes the kept statistics only once they are tracked by this scope again.
    const stats = [mean, variance];
    // The stock layer's moving averages: v ← v − (v − batch value)·(1 − momentum).
    for (const [variable, value] of [
      [layer.movingMean, mean],
      [layer.movingVariance, variance],
    ] as const) {
      tf.tidy(() => {
        const current = variable.read();
        variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - layer.momentum)));
      });
    }
    tf.dispose(stats);
    return normalised;
  });
}

/**
 * Makes tfjs-layers' `BatchNormalization` layer train through topk's fused batch-norm kernels (batch
 * statistics in two passes, the input gradient in closed form) when the active backend has them (topk
 * registers them for cpu and wasm), for every layers model, a user's own included; layers without `scale`
 * or `center` train too (tfjs-layers 4.22 throws on them). Inference, other axes than the last and
 * backends without the kernels run tfjs-layers' own code. Idempotent; returns false when tfjs-layers is
 * not loaded.
 */
export function registerFastBatchNorm(): boolean {
  return patchLayerCall<BatchNormLayer>('BatchNormalization', fastTrainingCall);
}

/** Puts tfjs-layers' own `BatchNormalization.call` back (for tests comparing the two). */
export function unregisterFastBatchNorm(): void {
  unpatchLayerCall('BatchNormalization');
}
