import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { transposeLastTwo } from './batch-mat-mul-kernel.js';
import type { ConvGeometry } from './conv-geometry.js';
import { type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { type HostBackendName, type KernelIo, kernelIo } from './kernel-io.js';
import { convGeometryArgs } from './native/native-conv-kernels.js';
import { nativeKernels, noteNativeCall } from './native/native-kernels.js';

/** Largest transposed-im2col buffer built at once (floats); bigger batches are done in chunks. */
export const im2colLimits = { maxFloats: 1 << 24 };

/** A 1x1 convolution with stride 1 and no padding: its unrolled input is its input, transposed. */
const plain1x1 = (g: ConvGeometry): boolean =>
  g.kH * g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0;

/**
 * dW = colsᵀ · dY as plain matrix products: the input is unrolled once into the transposed im2col matrix
 * [kH·kW·Ci, pixels] by a SIMD kernel, and XNNPACK multiplies it by dY [pixels, Co] without transposing
 * either operand. Batches whose unrolled input would exceed `im2colLimits.maxFloats` are done in chunks of images.
 */
function im2colFilterGrad(
  io: KernelIo,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
  filterShape: number[],
): TensorInfo {
  const simd = io.simd!;
  const k = g.kH * g.kW * g.inC;
  const perImage = g.outH * g.outW;
  const chunk = Math.max(1, Math.min(g.batch, Math.floor(im2colLimits.maxFloats / (k * perImage))));
  let total: TensorInfo | undefined;
  // Reshape shares memory and takes a reference: every handle below is released exactly once.
  const dyRows = io.run('Reshape', { x: dy }, { shape: [1, g.batch * perImage, g.outC] });
  for (let b0 = 0; b0 < g.batch; b0 += chunk) {
    const n = Math.min(chunk, g.batch - b0);
    const cols = io.alloc([1, k, n * perImage], 'float32', false);
    const xOffset = io.pointer(x) + b0 * g.inH * g.inW * g.inC * 4;
    if (plain1x1(g)) {
      // Unrolling a 1x1 stride-1 input is a transpose [pixels, Ci] → [Ci, pixels]: 4x4 SIMD blocks.
      simd.topk_flip_swap_filter(xOffset, io.pointer(cols), 1, 1, n * perImage, g.inC);
    } else
      simd.topk_im2col_t(
        xOffset,
        io.pointer(cols),
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
        1,
        1,
        g.padTop,
        g.padLeft,
      );
    const dyPart =
      n === g.batch
        ? dyRows
        : io.run('Slice', { x: dyRows }, { begin: [0, b0 * perImage, 0], size: [1, n * perImage, g.outC] });
    const part = io.run('BatchMatMul', { a: cols, b: dyPart }, { transposeA: false, transposeB: false });
    io.free(cols);
    if (dyPart !== dyRows) io.free(dyPart);
    if (total === undefined) total = part;
    else {
      const sum = io.run('Add', { a: total, b: part });
      io.free(total);
      io.free(part);
      total = sum;
    }
  }
  io.free(dyRows);
  const dw = io.run('Reshape', { x: total! }, { shape: filterShape });
  io.free(total!);
  return dw;
}

/**
 * dW of a 1x1 stride-1 convolution that widens (Co > Ci) as (dYᵀ · X)ᵀ. XNNPACK packs the right-hand
 * operand of every product into its own layout, and in training that operand is new every step: with
 * X [pixels, Ci] on the right it packs pixels × Ci floats, where colsᵀ · dY packs pixels × Co (6x more for
 * 16 → 96). dY is transposed once by a SIMD kernel instead.
 */
function widening1x1FilterGrad(
  io: KernelIo,
  x: TensorInfo,
  dy: TensorInfo,
  g: ConvGeometry,
  filterShape: number[],
): TensorInfo {
  const pixels = g.batch * g.outH * g.outW;
  const xRows = io.run('Reshape', { x }, { shape: [1, pixels, g.inC] });
  const dyRows = io.run('Reshape', { x: dy }, { shape: [1, pixels, g.outC] });
  const dyT = transposeLastTwo(io, dyRows);
  io.free(dyRows);
  const product = io.run('BatchMatMul', { a: dyT, b: xRows }, { transposeA: false, transposeB: false });
  io.free(dyT);
  io.free(xRows);
  const dwT = transposeLastTwo(io, product);
  io.free(product);
  const dw = io.run('Reshape', { x: dwT }, { shape: filterShape });
  io.free(dwT);
  return dw;
}

/**
 * Conv2DBackpropFilter on the backend's own fast kernels: for 1x1 and narrow layers as one matrix product
 * of the unrolled input (see im2colFilterGrad), otherwise recast as one forward convolution:
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
    const native = backendName === 'wasm' ? nativeKernels() : undefined;
    if (native !== undefined && x.dtype === 'float32' && dy.dtype === 'float32') {
      // topk's native kernels (AVX2): dWᵀ = dYᵀ · im2col(X) blocked over the pixels, no tensor allocated.
      const dw = io.alloc(a.filterShape, 'float32', false);
      // The geometry was resolved with dilation 1, which is what the gradient's native kernel supports.
      native.conv2dFilterGrad(
        io.heapBytes(),
        io.pointer(x),
        io.pointer(dy),
        io.pointer(dw),
        ...convGeometryArgs(g),
      );
      noteNativeCall();
      return dw;
    }
    // Measured on wasm (docs/performance.md): unrolling wins for 1x1 convolutions and few input taps; for
    // wide 3x3 layers the unrolled matrix costs more to write than XNNPACK's own convolution saves.
    if (io.simd !== undefined && (g.kH * g.kW === 1 || g.kH * g.kW * g.inC <= 64)) {
      if (plain1x1(g) && g.outC > g.inC) return widening1x1FilterGrad(io, x, dy, g, a.filterShape);
      return im2colFilterGrad(io, x, dy, g, a.filterShape);
    }

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
