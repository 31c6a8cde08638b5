import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { KernelIo } from './kernel-io.js';

/**
 * Inserts `strideH − 1` zero rows and `strideW − 1` zero columns between the pixels of an NHWC tensor,
 * turning a strided convolution's output gradient into the input of a stride-1 correlation.
 * Returns the input itself (not a copy) when both strides are 1.
 */
export function dilateSpatial(io: KernelIo, dy: TensorInfo, strideH: number, strideW: number): TensorInfo {
  if (strideH === 1 && strideW === 1) return dy;
  const [n, h, w, c] = dy.shape as [number, number, number, number];
  const dh = (h - 1) * strideH + 1;
  const dw = (w - 1) * strideW + 1;
  const out = io.alloc([n, dh, dw, c]);
  const src = io.view(dy);
  const dst = io.view(out);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const s = ((b * h + y) * w + x) * c;
        const d = ((b * dh + y * strideH) * dw + x * strideW) * c;
        dst.set(src.subarray(s, s + c), d);
      }
    }
  }
  return out;
}
