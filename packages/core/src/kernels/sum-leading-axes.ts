import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { kernelIo, size } from './kernel-io.js';

/**
 * Sum for the wasm backend with a fast path for reducing every axis but the trailing ones: the bias
 * gradient of every conv and dense layer (dY summed over batch, height and width). tfjs-wasm transposes
 * the reduced axes to the end first, which costs more than the sum; topk's SIMD kernel streams the rows
 * once. Every other reduction goes to the backend's own kernel.
 */
export function sumLeadingAxesKernel(): KernelConfig {
  const original = tf.getKernel('Sum', 'wasm');
  if (original === undefined) throw new Error("The wasm backend has no 'Sum' kernel to extend");
  const fallback = original.kernelFunc;
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: TensorInfo };
    const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
    const io = kernelIo('wasm', backend);
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < rank && axes.every((a, i) => a === i);
    if (io.simd === undefined || x.dtype !== 'float32' || !leading) return fallback(args);
    const rows = size(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    const outShape = keepDims ? [...x.shape.slice(0, axes.length).map(() => 1), ...kept] : kept;
    const out = io.alloc(outShape, 'float32', false);
    io.simd.topk_sum_rows(io.pointer(x), io.pointer(out), rows, size(kept));
    return out;
  };
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}
