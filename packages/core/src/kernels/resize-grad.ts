import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type HostBackendName, kernelIo } from './kernel-io.js';

interface ResizeAttrs {
  readonly alignCorners: boolean;
  readonly halfPixelCenters: boolean;
}

function ratio(inSize: number, outSize: number, alignCorners: boolean): number {
  return alignCorners && outSize > 1 ? (inSize - 1) / (outSize - 1) : inSize / outSize;
}

/**
 * Per output row (or column): the two source indices that bilinear resizing blends and the weight of the
 * second, computed exactly as tfjs's forward ResizeBilinear does, so that the gradient is the transpose of
 * the very map the forward pass applied.
 */
function bilinearTaps(inSize: number, outSize: number, attrs: ResizeAttrs) {
  const r = ratio(inSize, outSize, attrs.alignCorners);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = attrs.halfPixelCenters ? r * (o + 0.5) - 0.5 : r * o;
    const floor = Math.max(0, Math.floor(src));
    lo[o] = floor;
    hi[o] = Math.min(inSize - 1, Math.ceil(src));
    frac[o] = src - floor;
  }
  return { lo, hi, frac };
}

/** Source index per output row (or column) of tfjs's forward ResizeNearestNeighbor. */
function nearestTaps(inSize: number, outSize: number, attrs: ResizeAttrs): Int32Array {
  const r = ratio(inSize, outSize, attrs.alignCorners);
  const idx = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = attrs.halfPixelCenters ? r * (o + 0.5) : r * o;
    let nearest = Math.min(inSize - 1, attrs.alignCorners ? Math.round(src) : Math.floor(src));
    if (attrs.halfPixelCenters) nearest = Math.max(0, nearest);
    idx[o] = nearest;
  }
  return idx;
}

/**
 * ResizeBilinearGrad that returns the input's shape for non-square images (tfjs 4.22's cpu kernel swaps
 * height and width) and honours `halfPixelCenters` (tfjs 4.22's cpu kernel ignores it).
 */
export function resizeBilinearGradKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ResizeAttrs;
    const [batch, inH, inW, depth] = images.shape as [number, number, number, number];
    const [, outH, outW] = dy.shape as [number, number, number, number];
    const io = kernelIo(backendName, backend);
    const dx = io.alloc(images.shape, 'float32');
    const g = io.view(dy);
    const acc = new Float64Array(batch * inH * inW * depth);
    const rows = bilinearTaps(inH, outH, a);
    const cols = bilinearTaps(inW, outW, a);
    let k = 0;
    for (let b = 0; b < batch; b++) {
      for (let y = 0; y < outH; y++) {
        const fy = rows.frac[y] as number;
        const top = (b * inH + (rows.lo[y] as number)) * inW;
        const bottom = (b * inH + (rows.hi[y] as number)) * inW;
        for (let x = 0; x < outW; x++) {
          const fx = cols.frac[x] as number;
          const left = cols.lo[x] as number;
          const right = cols.hi[x] as number;
          const tl = (top + left) * depth;
          const tr = (top + right) * depth;
          const bl = (bottom + left) * depth;
          const br = (bottom + right) * depth;
          const wTl = (1 - fy) * (1 - fx);
          const wTr = (1 - fy) * fx;
          const wBl = fy * (1 - fx);
          const wBr = fy * fx;
          for (let d = 0; d < depth; d++) {
            const v = g[k++] as number;
            acc[tl + d] = (acc[tl + d] as number) + v * wTl;
            acc[tr + d] = (acc[tr + d] as number) + v * wTr;
            acc[bl + d] = (acc[bl + d] as number) + v * wBl;
            acc[br + d] = (acc[br + d] as number) + v * wBr;
          }
        }
      }
    }
    io.view(dx).set(acc);
    return dx;
  };
  return { kernelName: 'ResizeBilinearGrad', backendName, kernelFunc: kernelFunc as KernelFunc };
}

/** ResizeNearestNeighborGrad matching tfjs's forward index map on every backend it is registered for. */
export function resizeNearestNeighborGradKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ResizeAttrs;
    const [batch, inH, inW, depth] = images.shape as [number, number, number, number];
    const [, outH, outW] = dy.shape as [number, number, number, number];
    const io = kernelIo(backendName, backend);
    const dx = io.alloc(images.shape, 'float32');
    const g = io.view(dy);
    const acc = new Float64Array(batch * inH * inW * depth);
    const rows = nearestTaps(inH, outH, a);
    const cols = nearestTaps(inW, outW, a);
    let k = 0;
    for (let b = 0; b < batch; b++) {
      for (let y = 0; y < outH; y++) {
        const row = (b * inH + (rows[y] as number)) * inW;
        for (let x = 0; x < outW; x++) {
          const off = (row + (cols[x] as number)) * depth;
          for (let d = 0; d < depth; d++) acc[off + d] = (acc[off + d] as number) + (g[k++] as number);
        }
      }
    }
    io.view(dx).set(acc);
    return dx;
  };
  return { kernelName: 'ResizeNearestNeighborGrad', backendName, kernelFunc: kernelFunc as KernelFunc };
}
