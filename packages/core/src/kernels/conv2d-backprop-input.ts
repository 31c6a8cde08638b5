import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type ConvGeometry, type ConvGradAttrs, convGeometry } from './conv-geometry.js';
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

/** Largest dY·Wᵀ column buffer built at once (floats); bigger batches are done in chunks of images. */
export const columnLimits = { maxFloats: 16 * 1024 * 1024 };

/**
 * The input gradient of a strided convolution as one matrix product and a scatter: the columns
 * dY [pixels, Co] · Wᵀ [Co, kH·kW·Ci] (XNNPACK), added into dX at each tap's position (SIMD col2im). The
 * zero-upsampling recast would convolve stride² times as many positions, most of them zeros (9x for a
 * 3x3 stride-2 layer at 2x2: 94 → 15 ms for ResNet-18's last downsampling at 64x64).
 */
function stridedByMatMul(io: KernelIo, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry): TensorInfo {
  const simd = io.simd!;
  const taps = g.kH * g.kW * g.inC;
  const perImage = g.outH * g.outW;
  const imageFloats = g.inH * g.inW * g.inC;
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(columnLimits.maxFloats / (taps * perImage))));
  const dx = io.alloc([g.batch, g.inH, g.inW, g.inC], 'float32', true);
  // Reshape shares memory and takes a reference: every handle below is released exactly once.
  // Wᵀ as its own [Co, kH·kW·Ci] matrix: tfjs-wasm's matMul with transposeB is 12x slower than without.
  const flat = io.run('Reshape', { x: filter }, { shape: [taps, g.outC] });
  const transposed = io.run('Transpose', { x: flat }, { perm: [1, 0] });
  io.free(flat);
  const weights = io.run('Reshape', { x: transposed }, { shape: [1, g.outC, taps] });
  io.free(transposed);
  const dyRows = io.run('Reshape', { x: dy }, { shape: [1, g.batch * perImage, g.outC] });
  for (let b0 = 0; b0 < g.batch; b0 += chunk) {
    const n = Math.min(chunk, g.batch - b0);
    const rows =
      n === g.batch
        ? dyRows
        : io.run('Slice', { x: dyRows }, { begin: [0, b0 * perImage, 0], size: [1, n * perImage, g.outC] });
    const cols = io.run('BatchMatMul', { a: rows, b: weights }, { transposeA: false, transposeB: false });
    simd.topk_col2im(
      io.pointer(cols),
      io.pointer(dx) + b0 * imageFloats * 4,
      n,
      g.inH,
      g.inW,
      g.inC,
      g.outH,
      g.outW,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
    );
    io.free(cols);
    if (rows !== dyRows) io.free(rows);
  }
  io.free(dyRows);
  io.free(weights);
  return dx;
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
    if (io.simd !== undefined && (g.strideH > 1 || g.strideW > 1) && dy.dtype === 'float32') {
      return stridedByMatMul(io, dy, filter, g);
    }

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
