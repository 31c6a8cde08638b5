import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { dilateSpatial } from './dilate-spatial.js';
import { type HostBackendName, type KernelIo, kernelIo } from './kernel-io.js';

/**
 * The filter [kH, kW, Ci, Co] flipped in both spatial axes with its channel axes swapped: one SIMD pass
 * where there is one (tfjs-wasm's `Reverse` is a scalar loop: 165 ms for 3x3x512x512), else the backend's
 * `Reverse` and `Transpose`.
 */
function flipSwapFilter(io: KernelIo, filter: TensorInfo): TensorInfo {
  const [kH, kW, ci, co] = filter.shape as [number, number, number, number];
  if (io.simd !== undefined) {
    const out = io.alloc([kH, kW, co, ci], 'float32', false);
    io.simd.topk_flip_swap_filter(io.pointer(filter), io.pointer(out), kH, kW, ci, co);
    return out;
  }
  const flipped = io.run('Reverse', { x: filter }, { dims: [0, 1] });
  const swapped = io.run('Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
  io.free(flipped);
  return swapped;
}

/**
 * Conv2DBackpropInput recast as one forward convolution of the backend's own.
 *
 * dX[n, h, w, ci] = Σ_{i, j, co} dY↑[n, h + pT − i, w + pL − j, co] · W[i, j, ci, co]
 *
 * where dY↑ is dY with (stride − 1) zeros between pixels. With W flipped in both spatial axes and its
 * channel axes swapped, that is a stride-1 correlation of dY↑ padded by kH − 1 − pT on top (and what is
 * left to reach H rows at the bottom), which XNNPACK runs several times faster than wasm's own backprop.
 */
export function conv2dBackpropInputKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const g = convGeometry(a.inputShape, filter.shape, { ...a, dilations: 1 }, false);
    const io = kernelIo(backendName, backend);

    const spanH = (g.outH - 1) * g.strideH + 1;
    const spanW = (g.outW - 1) * g.strideW + 1;
    let top = g.kH - 1 - g.padTop;
    let left = g.kW - 1 - g.padLeft;
    let bottom = g.inH + g.padTop - spanH;
    let right = g.inW + g.padLeft - spanW;

    const dyUp = dilateSpatial(io, dy, g.strideH, g.strideW);
    let source = dyUp;
    // Explicit paddings wider than the kernel leave parts of dY↑ that no input pixel reaches: crop them.
    if (top < 0 || left < 0 || bottom < 0 || right < 0) {
      const cropTop = Math.max(0, -top);
      const cropLeft = Math.max(0, -left);
      const keepH = spanH - cropTop - Math.max(0, -bottom);
      const keepW = spanW - cropLeft - Math.max(0, -right);
      source = io.run(
        'Slice',
        { x: dyUp },
        { begin: [0, cropTop, cropLeft, 0], size: [g.batch, keepH, keepW, g.outC] },
      );
      top = Math.max(0, top);
      left = Math.max(0, left);
      bottom = Math.max(0, bottom);
      right = Math.max(0, right);
    }

    const kernel = flipSwapFilter(io, filter);
    const dx = io.run(
      'Conv2D',
      { x: source, filter: kernel },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
    io.free(kernel);
    if (source !== dyUp) io.free(source);
    if (dyUp !== dy) io.free(dyUp);
    return dx;
  };
  return { kernelName: 'Conv2DBackpropInput', backendName, kernelFunc: kernelFunc as KernelFunc };
}
