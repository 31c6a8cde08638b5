import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type HostBackendName, kernelIo, size } from './kernel-io.js';

/**
 * UnsortedSegmentSum: out[k, …] = Σ_{i : ids[i] = k} x[i, …]; ids outside [0, numSegments) are dropped,
 * as in TensorFlow. Used by the gradient of gather, i.e. of embeddings and class-centre lookups.
 */
export function unsortedSegmentSumKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
    const { numSegments } = attrs as unknown as { numSegments: number };
    const ids = segmentIds.shape.length;
    const inner = size(x.shape.slice(ids));
    const outer = size(segmentIds.shape);
    const io = kernelIo(backendName, backend);
    const out = io.alloc([numSegments, ...x.shape.slice(ids)], x.dtype);
    const xs = io.view(x);
    const seg = io.view(segmentIds);
    const o = io.view(out);
    for (let i = 0; i < outer; i++) {
      const k = seg[i] as number;
      if (k < 0 || k >= numSegments) continue;
      const src = i * inner;
      const dst = k * inner;
      for (let j = 0; j < inner; j++) o[dst + j] = (o[dst + j] as number) + (xs[src + j] as number);
    }
    return out;
  };
  return { kernelName: 'UnsortedSegmentSum', backendName, kernelFunc: kernelFunc as KernelFunc };
}
