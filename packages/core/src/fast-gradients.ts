import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { registerFastBatchNorm } from './fast-batch-norm.js';
import { registerFastRelu6 } from './fast-relu6.js';
import { FUSED_GRADIENT_KERNELS } from './kernels/fused-gradient-kernels.js';
import { registerLazyConvGradients } from './lazy-conv-gradients.js';

type GradFunc = GradConfig['gradFunc'];

/** True when the active backend has the fused kernel (topk registers them for cpu and wasm). */
function fused(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

function run(
  kernelName: string,
  inputs: Record<string, Tensor>,
  attrs: NamedAttrMap = {},
): Tensor | Tensor[] {
  return tf.engine().runKernel(kernelName, inputs, attrs) as Tensor | Tensor[];
}

function override(kernelName: string, make: (stock: GradFunc) => GradFunc): void {
  const stock = tf.getGradient(kernelName);
  if (stock === undefined || (stock as { topk?: boolean }).topk === true) return;
  const config: GradConfig & { topk: boolean } = {
    kernelName,
    ...(stock.inputsToSave === undefined ? {} : { inputsToSave: stock.inputsToSave }),
    ...(stock.outputsToSave === undefined ? {} : { outputsToSave: stock.outputsToSave }),
    gradFunc: make(stock.gradFunc),
    topk: true,
  };
  // tfjs warns when a gradient is overridden; that is exactly what is meant here.
  const warn = console.warn;
  console.warn = () => {};
  try {
    tf.registerGradient(config);
  } finally {
    console.warn = warn;
  }
}

/**
 * Replaces the gradients of ReLU, ClipByValue (ReLU6 in tfjs-layers), Square, Mean and FusedBatchNorm
 * (the last three are batch-norm's moments in training) with fused versions: the same formulas, computed in one or two passes over memory instead of four to eight
 * full-size elementwise ops (batch-norm's stock gradient even tiles the per-channel scale to the input's
 * size). A fused gradient runs only where the active backend has its kernel (cpu and wasm, registered by
 * {@link registerTrainingKernels}); elsewhere the stock gradient runs unchanged. It also makes tfjs-layers'
 * BatchNormalization train through fused kernels ({@link registerFastBatchNorm}) and its linear Conv2D
 * layers skip input gradients nobody reads ({@link registerLazyConvGradients}); ReLU6 layers run as one
 * op ({@link registerFastRelu6}). Idempotent.
 */
export function registerFastGradients(): void {
  registerFastBatchNorm();
  registerLazyConvGradients();
  registerFastRelu6();
  override('Relu', (stock) => (dys, saved, attrs) => {
    const dy = dys as Tensor;
    if (!fused(FUSED_GRADIENT_KERNELS.reluGrad) || dy.dtype !== 'float32') return stock(dys, saved, attrs);
    const [x] = saved as [Tensor];
    return { x: () => run(FUSED_GRADIENT_KERNELS.reluGrad, { x, dy }) as Tensor };
  });

  override('ClipByValue', (stock) => (dys, saved, attrs) => {
    const dy = dys as Tensor;
    if (!fused(FUSED_GRADIENT_KERNELS.clipByValueGrad) || dy.dtype !== 'float32')
      return stock(dys, saved, attrs);
    const [x] = saved as [Tensor];
    return { x: () => run(FUSED_GRADIENT_KERNELS.clipByValueGrad, { x, dy }, attrs) as Tensor };
  });

  // dy where 0 < x ≤ 6 (tfjs: dy · (x ≤ 6) · step(x), four full-size ops): the clip kernel with its lower
  // bound at the smallest positive float32, so that x = 0 passes nothing, as tfjs's step.
  override('Relu6', (stock) => (dys, saved, attrs) => {
    const dy = dys as Tensor;
    const [x] = saved as [Tensor];
    if (!fused(FUSED_GRADIENT_KERNELS.clipByValueGrad) || dy.dtype !== 'float32' || x.dtype !== 'float32') {
      return stock(dys, saved, attrs);
    }
    return {
      x: () =>
        run(
          FUSED_GRADIENT_KERNELS.clipByValueGrad,
          { x, dy },
          { clipValueMin: 2 ** -149, clipValueMax: 6 },
        ) as Tensor,
    };
  });

  override('Square', (stock) => (dys, saved, attrs) => {
    const dy = dys as Tensor;
    const [x] = saved as [Tensor];
    if (!fused(FUSED_GRADIENT_KERNELS.squareGrad) || dy.dtype !== 'float32' || x.dtype !== 'float32') {
      return stock(dys, saved, attrs);
    }
    return { x: () => run(FUSED_GRADIENT_KERNELS.squareGrad, { x, dy }) as Tensor };
  });

  // Mean's stock gradient materialises ones(x.shape), multiplies and divides: three full-size passes.
  // Broadcasting dy / n instead is one (a Tile, which topk makes a single copy on wasm).
  override('Mean', (stock) => (dys, saved, attrs) => {
    const dy = dys as Tensor;
    const [x] = saved as [Tensor];
    if (!fused(FUSED_GRADIENT_KERNELS.squareGrad) || dy.dtype !== 'float32') return stock(dys, saved, attrs);
    const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
    const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const count = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
    return { x: () => tf.broadcastTo(tf.div(tf.reshape(dy, expanded), count), x.shape) };
  });

  override('FusedBatchNorm', (stock) => (dys, saved, attrs) => {
    const dy = dys as Tensor;
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    const channels = x.shape[x.rank - 1];
    const perChannel = mean.rank === 1 && mean.shape[0] === channels && variance.rank === 1;
    if (!perChannel || !fused(FUSED_GRADIENT_KERNELS.batchNormGradSums) || dy.dtype !== 'float32') {
      return stock(dys, saved, attrs);
    }
    const { varianceEpsilon } = attrs as { varianceEpsilon: number };
    // y = (x − μ)·γ·r + β with r = (σ² + ε)^(−1/2); with s1 = Σ dy and s2 = Σ dy·(x − μ) per channel:
    // ∂x = dy·γ·r, ∂μ = −γ·r·s1, ∂σ² = −½·γ·r³·s2, ∂γ = r·s2, ∂β = s1.
    const [s1, s2] = run(FUSED_GRADIENT_KERNELS.batchNormGradSums, { x, dy, mean }) as [Tensor, Tensor];
    const r = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const gammaR = scale === undefined ? r : tf.mul(scale, r);
    return {
      x: () => tf.mul(dy, gammaR),
      mean: () => tf.neg(tf.mul(gammaR, s1)),
      variance: () => tf.mul(tf.mul(gammaR, tf.square(r)), tf.mul(s2, tf.scalar(-0.5))),
      scale: () => tf.mul(r, s2),
      offset: () => tf.clone(s1),
    };
  });
}
