import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { kernelIo, size } from './kernel-io.js';

type Args = Parameters<KernelFunc>[0];

function stockKernel(name: string): KernelFunc {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`The wasm backend has no '${name}' kernel to extend`);
  return kernel.kernelFunc;
}

/** Number of leading axes reduced when `axes` are exactly 0..k−1 with k < rank, else 0. */
function leadingAxes(axis: number | number[], shape: readonly number[]): number {
  const axes = tf.util.parseAxisParam(axis, [...shape]).sort((a, b) => a - b);
  return axes.length > 0 && axes.length < shape.length && axes.every((a, i) => a === i) ? axes.length : 0;
}

/**
 * Sum and Mean for the wasm backend with a fast path for reducing leading axes — every axis but the
 * channels: the bias gradients and batch-norm statistics of every conv layer. tfjs-wasm first transposes
 * the reduced axes to the end, which costs more than the sum; topk's SIMD kernel streams the rows once.
 * Every other reduction goes to the backend's own kernel.
 */
export function reduceLeadingAxesKernel(kernelName: 'Sum' | 'Mean'): KernelConfig {
  const fallback = stockKernel(kernelName);
  const kernelFunc = (args: Args): TensorInfo | TensorInfo[] => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const io = kernelIo('wasm', args.backend);
    const k = x.dtype === 'float32' ? leadingAxes(axis, x.shape) : 0;
    if (io.simd === undefined || k === 0) return fallback(args);
    const rows = size(x.shape.slice(0, k));
    const kept = x.shape.slice(k);
    const out = io.alloc(keepDims ? [...x.shape.slice(0, k).map(() => 1), ...kept] : kept, 'float32', false);
    io.simd.topk_sum_rows(io.pointer(x), io.pointer(out), rows, size(kept));
    if (kernelName === 'Mean') {
      const values = io.view(out);
      for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) / rows;
    }
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}

/**
 * Tile for the wasm backend with a fast path for replicating size-1 axes that sit next to each other
 * ([N, 1, 1, C] → [N, H, W, C], the gradient of a global average pool, or [1, 1, 1, C] → [N, H, W, C], a
 * per-channel vector broadcast over batch and space): each block of the trailing axes is copied once
 * per repetition, with SIMD row copies. Other tilings go to the stock kernel, which indexes element by
 * element (8 ms for [64, 1, 1, 128] → [64, 4, 4, 128]).
 */
export function tileLeadingAxesKernel(): KernelConfig {
  const fallback = stockKernel('Tile');
  const kernelFunc = (args: Args): TensorInfo | TensorInfo[] => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    const io = kernelIo('wasm', args.backend);
    const first = reps.findIndex((r) => r !== 1);
    let last = reps.length - 1;
    while (last >= 0 && reps[last] === 1) last--;
    const repeatedAreOnes = first >= 0 && x.shape.slice(first, last + 1).every((d) => d === 1);
    if (io.simd === undefined || x.dtype !== 'float32' || !repeatedAreOnes) return fallback(args);
    const outShape = x.shape.map((d, i) => d * (reps[i] as number));
    const out = io.alloc(outShape, 'float32', false);
    const outer = size(x.shape.slice(0, first));
    const inner = size(x.shape.slice(last + 1));
    const copies = size(reps.slice(first, last + 1));
    for (let o = 0; o < outer; o++) {
      io.simd.topk_tile_rows(
        io.pointer(x) + o * inner * 4,
        io.pointer(out) + o * copies * inner * 4,
        copies,
        inner,
      );
    }
    return out;
  };
  return { kernelName: 'Tile', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}

/**
 * FusedBatchNorm (inference-style normalisation with given statistics) for the wasm backend when the
 * statistics are per-channel vectors: y = (x − mean)·a + offset with a = scale/√(var + ε), one SIMD pass.
 * tfjs-wasm's kernel broadcasts each operand generically.
 */
export function batchNormChannelsKernel(): KernelConfig {
  const fallback = stockKernel('FusedBatchNorm');
  const kernelFunc = (args: Args): TensorInfo | TensorInfo[] => {
    const { x, mean, variance, scale, offset } = args.inputs as Record<string, TensorInfo | undefined>;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    const io = kernelIo('wasm', args.backend);
    const channels = x!.shape[x!.shape.length - 1] ?? 0;
    const perChannel = (t: TensorInfo | undefined) =>
      t === undefined ||
      (t.dtype === 'float32' && size(t.shape) === channels && t.shape[t.shape.length - 1] === channels);
    if (
      io.simd === undefined ||
      x!.dtype !== 'float32' ||
      channels === 0 ||
      ![mean, variance, scale, offset].every(perChannel)
    ) {
      return fallback(args);
    }
    const out = io.alloc(x!.shape, 'float32', false);
    const a = io.alloc([channels], 'float32', false);
    const b = offset === undefined ? io.alloc([channels], 'float32', true) : offset;
    const av = io.view(a);
    const v = io.view(variance!);
    const s = scale === undefined ? undefined : io.view(scale);
    for (let c = 0; c < channels; c++) {
      av[c] = (s === undefined ? 1 : (s[c] as number)) / Math.sqrt((v[c] as number) + varianceEpsilon);
    }
    const rows = size(x!.shape) / channels;
    io.simd.topk_channel_affine(
      io.pointer(x!),
      io.pointer(mean!),
      io.pointer(a),
      io.pointer(b),
      io.pointer(out),
      rows,
      channels,
    );
    io.free(a);
    if (b !== offset) io.free(b);
    return out;
  };
  return { kernelName: 'FusedBatchNorm', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}
