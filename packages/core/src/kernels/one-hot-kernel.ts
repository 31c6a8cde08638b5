import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { kernelIo, size } from './kernel-io.js';

/**
 * OneHot for the wasm backend that honours `dtype`: tfjs-wasm's kernel writes int32 bits whatever dtype it
 * is asked for, so float32 one-hot targets (mixup, cutmix, label smoothing) came out as 1.4e-45 instead of
 * 1. Float outputs are filled here; int32 ones still go to the stock kernel.
 */
export function oneHotKernel(): KernelConfig {
  const stock = tf.getKernel('OneHot', 'wasm');
  if (stock === undefined) throw new Error("The wasm backend has no 'OneHot' kernel to extend");
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const { indices } = args.inputs as { indices: TensorInfo };
    const { dtype, depth, onValue, offValue } = args.attrs as unknown as {
      dtype: string;
      depth: number;
      onValue: number;
      offValue: number;
    };
    if (dtype !== 'float32') return stock.kernelFunc(args);
    const io = kernelIo('wasm', args.backend);
    const out = io.alloc([...indices.shape, depth], 'float32', false);
    const values = io.view(out);
    const ids = io.view(indices);
    values.fill(offValue);
    const n = size(indices.shape);
    for (let i = 0; i < n; i++) {
      const k = ids[i] as number;
      if (k >= 0 && k < depth) values[i * depth + k] = onValue;
    }
    return out;
  };
  return { kernelName: 'OneHot', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}
