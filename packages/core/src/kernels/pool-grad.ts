import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { type HostBackendName, kernelIo } from './kernel-io.js';

interface PoolAttrs {
  readonly filterSize: number | [number, number];
  readonly strides: number | [number, number];
  readonly pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * MaxPoolGrad that routes each output gradient to the first maximum of its window in row-major order
 * (the cpu backend's rule, which matters for the ties that ReLU zeros create).
 */
export function maxPoolGradKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { dy, input, output } = inputs as { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
    const a = attrs as unknown as PoolAttrs;
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    const { strideHeight, strideWidth, effectiveFilterHeight: fH, effectiveFilterWidth: fW } = info;
    const io = kernelIo(backendName, backend);
    const { simd } = io;
    if (simd !== undefined) {
      const dx = io.alloc(input.shape, 'float32', false);
      // Compares with the forward output: the first element equal to its window's max is that max.
      simd.topk_max_pool_grad(
        io.pointer(input),
        io.pointer(output),
        io.pointer(dy),
        io.pointer(dx),
        batchSize,
        inHeight,
        inWidth,
        channels,
        outHeight,
        outWidth,
        fH,
        fW,
        strideHeight,
        strideWidth,
        info.padInfo.top,
        info.padInfo.left,
      );
      return dx;
    }
    const dx = io.alloc(input.shape, 'float32');
    const xs = io.view(input);
    const g = io.view(dy);
    const out = io.view(dx);
    const best = new Float64Array(channels);
    const where = new Int32Array(channels);

    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        const y0 = oy * strideHeight - info.padInfo.top;
        const yMin = Math.max(0, y0);
        const yMax = Math.min(inHeight, y0 + fH);
        for (let ox = 0; ox < outWidth; ox++) {
          const x0 = ox * strideWidth - info.padInfo.left;
          const xMin = Math.max(0, x0);
          const xMax = Math.min(inWidth, x0 + fW);
          best.fill(Number.NEGATIVE_INFINITY);
          where.fill(-1);
          for (let y = yMin; y < yMax; y++) {
            for (let x = xMin; x < xMax; x++) {
              const off = ((b * inHeight + y) * inWidth + x) * channels;
              for (let c = 0; c < channels; c++) {
                const v = xs[off + c] as number;
                if (v > (best[c] as number)) {
                  best[c] = v;
                  where[c] = off + c;
                }
              }
            }
          }
          const gOff = ((b * outHeight + oy) * outWidth + ox) * channels;
          for (let c = 0; c < channels; c++) {
            const w = where[c] as number;
            if (w >= 0) out[w] = (out[w] as number) + (g[gOff + c] as number);
          }
        }
      }
    }
    return dx;
  };
  return { kernelName: 'MaxPoolGrad', backendName, kernelFunc: kernelFunc as KernelFunc };
}

/**
 * AvgPoolGrad whose divisor is the number of in-bounds pixels of each window, as in the forward AvgPool.
 * tfjs 4.22's cpu and wasm kernels divide by the full window size, so their gradients are wrong at borders
 * with `same` padding.
 */
export function avgPoolGradKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const a = attrs as unknown as PoolAttrs;
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    const { strideHeight, strideWidth, effectiveFilterHeight: fH, effectiveFilterWidth: fW } = info;
    const io = kernelIo(backendName, backend);
    const { simd } = io;
    if (simd !== undefined) {
      const dx = io.alloc(input.shape, 'float32', false);
      simd.topk_avg_pool_grad(
        io.pointer(dy),
        io.pointer(dx),
        batchSize,
        inHeight,
        inWidth,
        channels,
        outHeight,
        outWidth,
        fH,
        fW,
        strideHeight,
        strideWidth,
        info.padInfo.top,
        info.padInfo.left,
      );
      return dx;
    }
    const dx = io.alloc(input.shape, 'float32');
    const g = io.view(dy);
    const acc = new Float64Array(batchSize * inHeight * inWidth * channels);

    for (let b = 0; b < batchSize; b++) {
      for (let oy = 0; oy < outHeight; oy++) {
        const y0 = oy * strideHeight - info.padInfo.top;
        const yMin = Math.max(0, y0);
        const yMax = Math.min(inHeight, y0 + fH);
        for (let ox = 0; ox < outWidth; ox++) {
          const x0 = ox * strideWidth - info.padInfo.left;
          const xMin = Math.max(0, x0);
          const xMax = Math.min(inWidth, x0 + fW);
          const count = (yMax - yMin) * (xMax - xMin);
          if (count <= 0) continue;
          const gOff = ((b * outHeight + oy) * outWidth + ox) * channels;
          for (let y = yMin; y < yMax; y++) {
            for (let x = xMin; x < xMax; x++) {
              const off = ((b * inHeight + y) * inWidth + x) * channels;
              for (let c = 0; c < channels; c++) {
                acc[off + c] = (acc[off + c] as number) + (g[gOff + c] as number) / count;
              }
            }
          }
        }
      }
    }
    io.view(dx).set(acc);
    return dx;
  };
  return { kernelName: 'AvgPoolGrad', backendName, kernelFunc: kernelFunc as KernelFunc };
}
