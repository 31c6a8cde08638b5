import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { type HostBackendName, kernelIo } from './kernel-io.js';

/**
 * DepthwiseConv2dNativeBackpropFilter as a direct loop over the host backend's memory.
 *
 * dW[i, j, c, m] = Σ_{n, y, x} X[n, y·s + i·d − pT, x·s + j·d − pL, c] · dY[n, y, x, c·M + m]
 *
 * The channel axis is innermost in both operands, so the inner loop streams contiguous memory.
 */
export function depthwiseBackpropFilterKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    const g = convGeometry(x.shape, a.filterShape, a, true);
    const [kH, kW, channels, multiplier] = a.filterShape;
    const io = kernelIo(backendName, backend);
    const { simd } = io;
    if (simd !== undefined) {
      const dw = io.alloc(a.filterShape, 'float32', false);
      simd.topk_depthwise_filter_grad(
        io.pointer(x),
        io.pointer(dy),
        io.pointer(dw),
        g.batch,
        g.inH,
        g.inW,
        channels,
        g.outH,
        g.outW,
        kH,
        kW,
        multiplier,
        g.strideH,
        g.strideW,
        g.dilationH,
        g.dilationW,
        g.padTop,
        g.padLeft,
      );
      return dw;
    }
    const dw = io.alloc(a.filterShape);
    const xs = io.view(x);
    const dys = io.view(dy);
    const cm = channels * multiplier;
    // Sums run over N·Ho·Wo terms: accumulate in float64 and round once.
    const acc = new Float64Array(kH * kW * cm);

    for (let n = 0; n < g.batch; n++) {
      for (let oy = 0; oy < g.outH; oy++) {
        for (let ox = 0; ox < g.outW; ox++) {
          const dyOff = ((n * g.outH + oy) * g.outW + ox) * cm;
          for (let i = 0; i < kH; i++) {
            const iy = oy * g.strideH + i * g.dilationH - g.padTop;
            if (iy < 0 || iy >= g.inH) continue;
            for (let j = 0; j < kW; j++) {
              const ix = ox * g.strideW + j * g.dilationW - g.padLeft;
              if (ix < 0 || ix >= g.inW) continue;
              const xOff = ((n * g.inH + iy) * g.inW + ix) * channels;
              const wOff = (i * kW + j) * cm;
              if (multiplier === 1) {
                for (let c = 0; c < channels; c++) {
                  acc[wOff + c] =
                    (acc[wOff + c] as number) + (xs[xOff + c] as number) * (dys[dyOff + c] as number);
                }
              } else {
                for (let c = 0; c < channels; c++) {
                  const xv = xs[xOff + c] as number;
                  const base = c * multiplier;
                  for (let m = 0; m < multiplier; m++) {
                    const k = base + m;
                    acc[wOff + k] = (acc[wOff + k] as number) + xv * (dys[dyOff + k] as number);
                  }
                }
              }
            }
          }
        }
      }
    }
    io.view(dw).set(acc);
    return dw;
  };
  return {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName,
    kernelFunc: kernelFunc as KernelFunc,
  };
}
