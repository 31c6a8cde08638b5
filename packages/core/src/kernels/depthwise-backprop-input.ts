import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type ConvGradAttrs, convGeometry } from './conv-geometry.js';
import { dilateSpatial } from './dilate-spatial.js';
import { type HostBackendName, kernelIo } from './kernel-io.js';
import { convGeometryArgs } from './native/native-conv-kernels.js';
import { nativeKernels, noteNativeCall } from './native/native-kernels.js';

/**
 * DepthwiseConv2dNativeBackpropInput recast as the backend's own depthwise convolution.
 *
 * With a channel multiplier M, output channel c·M + m only reads input channel c, so
 * dX[…, c] = Σ_m (dY↑[…, c·M + m] ⋆ flip(W[:, :, c, m])): a depthwise correlation of dY↑ (C·M channels,
 * multiplier 1) with the spatially flipped filter, followed by a sum over groups of M channels.
 */
export function depthwiseBackpropInputKernel(backendName: HostBackendName): KernelConfig {
  const kernelFunc = ({ inputs, backend, attrs }: Parameters<KernelFunc>[0]): TensorInfo => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const g = convGeometry(a.inputShape, filter.shape, a, true);
    const io = kernelIo(backendName, backend);
    const [kH, kW, channels, multiplier] = filter.shape as [number, number, number, number];
    if (g.dilationH !== 1 || g.dilationW !== 1) {
      throw new Error(
        'Error in depthwiseConv2dNativeBackpropInput: dilations other than 1 are not supported',
      );
    }

    const native = backendName === 'wasm' ? nativeKernels() : undefined;
    if (native !== undefined && multiplier === 1 && kH * kW <= 64 && dy.dtype === 'float32') {
      // topk's native kernels: each input pixel gathers the taps that reach it, no dilated dy, no flip.
      const dx = io.alloc(a.inputShape, 'float32', false);
      native.depthwiseInputGrad(
        io.heapBytes(),
        io.pointer(dy),
        io.pointer(filter),
        io.pointer(dx),
        ...convGeometryArgs(g),
      );
      noteNativeCall();
      return dx;
    }

    const spanH = (g.outH - 1) * g.strideH + 1;
    const spanW = (g.outW - 1) * g.strideW + 1;
    let top = kH - 1 - g.padTop;
    let left = kW - 1 - g.padLeft;
    let bottom = g.inH + g.padTop - spanH;
    let right = g.inW + g.padLeft - spanW;

    const dyUp = dilateSpatial(io, dy, g.strideH, g.strideW);
    let source = dyUp;
    if (top < 0 || left < 0 || bottom < 0 || right < 0) {
      const cropTop = Math.max(0, -top);
      const cropLeft = Math.max(0, -left);
      source = io.run(
        'Slice',
        { x: dyUp },
        {
          begin: [0, cropTop, cropLeft, 0],
          size: [g.batch, spanH - cropTop - Math.max(0, -bottom), spanW - cropLeft - Math.max(0, -right), -1],
        },
      );
      top = Math.max(0, top);
      left = Math.max(0, left);
      bottom = Math.max(0, bottom);
      right = Math.max(0, right);
    }

    const flipped = io.run('Reverse', { x: filter }, { dims: [0, 1] });
    const kernel = io.run('Reshape', { x: flipped }, { shape: [kH, kW, channels * multiplier, 1] });
    const grouped = io.run(
      'DepthwiseConv2dNative',
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
        dimRoundingMode: undefined,
      },
    );
    // Reshape shares its input's memory and takes a reference: both handles are released.
    io.free(flipped);
    io.free(kernel);
    if (source !== dyUp) io.free(source);
    if (dyUp !== dy) io.free(dyUp);
    if (multiplier === 1) return grouped;

    const split = io.run('Reshape', { x: grouped }, { shape: [g.batch, g.inH, g.inW, channels, multiplier] });
    const dx = io.run('Sum', { x: split }, { axis: [4], keepDims: false });
    io.free(split);
    io.free(grouped);
    return dx;
  };
  return {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName,
    kernelFunc: kernelFunc as KernelFunc,
  };
}
