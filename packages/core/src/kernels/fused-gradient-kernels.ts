import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type HostBackendName, kernelIo, size } from './kernel-io.js';

/**
 * Kernels behind topk's fused gradients (see `fast-gradients.ts`): each replaces a chain of full-size
 * elementwise ops of tfjs's stock gradient with one pass over memory.
 */
export const FUSED_GRADIENT_KERNELS = {
  reluGrad: 'TopkReluGrad',
  clipByValueGrad: 'TopkClipByValueGrad',
  batchNormGradSums: 'TopkBatchNormGradSums',
  squareGrad: 'TopkSquareGrad',
  batchNormMoments: 'TopkBatchNormMoments',
  batchNormInputGrad: 'TopkBatchNormInputGrad',
} as const;

type Args = Parameters<KernelFunc>[0];

/** dx = dy where x > 0, else 0 (tfjs: dy · step(x)). */
export function reluGradKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend }: Args): TensorInfo => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const io = kernelIo(backendName, backend);
    const dx = io.alloc(x.shape, 'float32', false);
    const n = size(x.shape);
    if (io.simd !== undefined) {
      io.simd.topk_relu_grad(io.pointer(x), io.pointer(dy), io.pointer(dx), n);
      return dx;
    }
    const xs = io.view(x);
    const g = io.view(dy);
    const out = io.view(dx);
    for (let i = 0; i < n; i++) out[i] = (xs[i] as number) > 0 ? (g[i] as number) : 0;
    return dx;
  };
  return { kernelName: FUSED_GRADIENT_KERNELS.reluGrad, backendName, kernelFunc: kernelFunc as KernelFunc };
}

/** dx = 2·x·dy (tfjs: dy · (x · 2), two full-size products). */
export function squareGradKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend }: Args): TensorInfo => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const io = kernelIo(backendName, backend);
    const dx = io.alloc(x.shape, 'float32', false);
    const n = size(x.shape);
    if (io.simd !== undefined) {
      io.simd.topk_square_grad(io.pointer(x), io.pointer(dy), io.pointer(dx), n);
      return dx;
    }
    const xs = io.view(x);
    const g = io.view(dy);
    const out = io.view(dx);
    for (let i = 0; i < n; i++) out[i] = (xs[i] as number) * 2 * (g[i] as number);
    return dx;
  };
  return { kernelName: FUSED_GRADIENT_KERNELS.squareGrad, backendName, kernelFunc: kernelFunc as KernelFunc };
}

/** dx = dy where min ≤ x ≤ max, else 0 (tfjs: where(x ≥ min ∧ x ≤ max, dy, 0)). */
export function clipByValueGradKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Args): TensorInfo => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { clipValueMin: lo, clipValueMax: hi } = attrs as unknown as {
      clipValueMin: number;
      clipValueMax: number;
    };
    const io = kernelIo(backendName, backend);
    const dx = io.alloc(x.shape, 'float32', false);
    const n = size(x.shape);
    if (io.simd !== undefined) {
      io.simd.topk_clip_grad(io.pointer(x), io.pointer(dy), io.pointer(dx), n, lo, hi);
      return dx;
    }
    const xs = io.view(x);
    const g = io.view(dy);
    const out = io.view(dx);
    for (let i = 0; i < n; i++) {
      const v = xs[i] as number;
      out[i] = v >= lo && v <= hi ? (g[i] as number) : 0;
    }
    return dx;
  };
  return {
    kernelName: FUSED_GRADIENT_KERNELS.clipByValueGrad,
    backendName,
    kernelFunc: kernelFunc as KernelFunc,
  };
}

/** [Σ dy, Σ dy·(x − mean)] per channel (the last axis), in one pass. */
export function batchNormGradSumsKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend }: Args): TensorInfo[] => {
    const { x, dy, mean } = inputs as { x: TensorInfo; dy: TensorInfo; mean: TensorInfo };
    const channels = mean.shape[mean.shape.length - 1] as number;
    const rows = size(x.shape) / channels;
    const io = kernelIo(backendName, backend);
    const s1 = io.alloc([channels], 'float32', false);
    const s2 = io.alloc([channels], 'float32', false);
    if (io.simd !== undefined) {
      io.simd.topk_bn_grad_sums(
        io.pointer(x),
        io.pointer(dy),
        io.pointer(mean),
        io.pointer(s1),
        io.pointer(s2),
        rows,
        channels,
      );
      return [s1, s2];
    }
    const xs = io.view(x);
    const g = io.view(dy);
    const m = io.view(mean);
    const a1 = new Float64Array(channels);
    const a2 = new Float64Array(channels);
    for (let r = 0, k = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, k++) {
        const gv = g[k] as number;
        a1[c] = (a1[c] as number) + gv;
        a2[c] = (a2[c] as number) + gv * ((xs[k] as number) - (m[c] as number));
      }
    }
    io.view(s1).set(a1);
    io.view(s2).set(a2);
    return [s1, s2];
  };
  return {
    kernelName: FUSED_GRADIENT_KERNELS.batchNormGradSums,
    backendName,
    kernelFunc: kernelFunc as KernelFunc,
  };
}

/**
 * [mean, variance] per channel (the last axis) over every other axis, the biased variance as tfjs's
 * `moments`: two passes over memory where `moments` takes five (mean, subtract, square, mean).
 */
export function batchNormMomentsKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend }: Args): TensorInfo[] => {
    const { x } = inputs as { x: TensorInfo };
    const channels = x.shape[x.shape.length - 1] as number;
    const rows = size(x.shape) / channels;
    const io = kernelIo(backendName, backend);
    const mean = io.alloc([channels], 'float32', false);
    const variance = io.alloc([channels], 'float32', false);
    if (io.simd !== undefined) {
      io.simd.topk_sum_rows(io.pointer(x), io.pointer(mean), rows, channels);
      const m = io.view(mean);
      for (let c = 0; c < channels; c++) m[c] = (m[c] as number) / rows;
      io.simd.topk_centered_square_sums(
        io.pointer(x),
        io.pointer(mean),
        io.pointer(variance),
        rows,
        channels,
      );
      const v = io.view(variance);
      for (let c = 0; c < channels; c++) v[c] = (v[c] as number) / rows;
      return [mean, variance];
    }
    const xs = io.view(x);
    const sums = new Float64Array(channels);
    for (let r = 0, k = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, k++) sums[c] = (sums[c] as number) + (xs[k] as number);
    }
    for (let c = 0; c < channels; c++) sums[c] = (sums[c] as number) / rows;
    const squares = new Float64Array(channels);
    for (let r = 0, k = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, k++) {
        const d = (xs[k] as number) - (sums[c] as number);
        squares[c] = (squares[c] as number) + d * d;
      }
    }
    for (let c = 0; c < channels; c++) squares[c] = (squares[c] as number) / rows;
    io.view(mean).set(sums);
    io.view(variance).set(squares);
    return [mean, variance];
  };
  return {
    kernelName: FUSED_GRADIENT_KERNELS.batchNormMoments,
    backendName,
    kernelFunc: kernelFunc as KernelFunc,
  };
}

/** dx = a·dy + b·x + k with per-channel (last axis) a, b and k, in one pass. */
export function batchNormInputGradKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend }: Args): TensorInfo => {
    const { x, dy, a, b, k } = inputs as Record<'x' | 'dy' | 'a' | 'b' | 'k', TensorInfo>;
    const channels = a.shape[a.shape.length - 1] as number;
    const rows = size(x.shape) / channels;
    const io = kernelIo(backendName, backend);
    const dx = io.alloc(x.shape, 'float32', false);
    if (io.simd !== undefined) {
      io.simd.topk_bn_input_grad(
        io.pointer(x),
        io.pointer(dy),
        io.pointer(a),
        io.pointer(b),
        io.pointer(k),
        io.pointer(dx),
        rows,
        channels,
      );
      return dx;
    }
    const xs = io.view(x);
    const g = io.view(dy);
    const av = io.view(a);
    const bv = io.view(b);
    const kv = io.view(k);
    const out = io.view(dx);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < channels; c++, i++) {
        out[i] =
          (av[c] as number) * (g[i] as number) + (bv[c] as number) * (xs[i] as number) + (kv[c] as number);
      }
    }
    return dx;
  };
  return {
    kernelName: FUSED_GRADIENT_KERNELS.batchNormInputGrad,
    backendName,
    kernelFunc: kernelFunc as KernelFunc,
  };
}
