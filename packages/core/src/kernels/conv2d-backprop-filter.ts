import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { type HostBackendName, kernelIo } from './kernel-io.js';

/**
 * Conv2DBackpropFilter recast as one forward convolution of the backend's own (XNNPACK on wasm).
 *
 * dW[i, j, ci, co] = Σ_{n, y, x} X[n, y·s + i − pT, x·s + j − pL, ci] · dY[n, y, x, co]
 *
 * Reading the batch axis as channels, this is a correlation of X⁽ᵗ⁾ = X transposed to [Ci, H, W, N] with
 * the "filter" dY⁽ᵗ⁾ = dY transposed to [Ho, Wo, N, Co], dilated by the forward stride, evaluated at the
 * kH × kW output positions: [Ci, kH, kW, Co], transposed back to [kH, kW, Ci, Co].
 */
export function conv2dBackpropFilterKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
    const g = convGeometry(x.shape, a.filterShape, { ...a, dilations: 1 }, false);
    const io = kernelIo(backendName, backend);

    // Rows/columns of the padded input that the forward pass read; any surplus at the far edge is
    // padded just enough for the correlation to produce exactly kH × kW positions.
    const padBottom = Math.max(0, g.kH - 1 + (g.outH - 1) * g.strideH + 1 - g.inH - g.padTop);
    const padRight = Math.max(0, g.kW - 1 + (g.outW - 1) * g.strideW + 1 - g.inW - g.padLeft);

    const xT = io.run('Transpose', { x }, { perm: [3, 1, 2, 0] });
    const dyT = io.run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    const corr = io.run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [g.strideH, g.strideW],
        pad: [
          [0, 0],
          [g.padTop, padBottom],
          [g.padLeft, padRight],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
    io.free(xT);
    io.free(dyT);

    let cropped = corr;
    if (corr.shape[1] !== g.kH || corr.shape[2] !== g.kW) {
      cropped = io.run('Slice', { x: corr }, { begin: [0, 0, 0, 0], size: [g.inC, g.kH, g.kW, g.outC] });
      io.free(corr);
    }
    const dw = io.run('Transpose', { x: cropped }, { perm: [1, 2, 0, 3] });
    io.free(cropped);
    return dw;
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName, kernelFunc: kernelFunc as KernelFunc };
}
