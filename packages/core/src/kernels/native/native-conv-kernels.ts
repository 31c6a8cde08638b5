import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, type ConvGradAttrs, convGeometry } from '../conv-geometry.js';
import { kernelIo, size } from '../kernel-io.js';
import { nativeKernels, noteNativeCall } from './native-kernels.js';

/** Activation codes of the native kernels; fused activations outside this map use the stock kernel. */
export const NATIVE_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

type KernelArgs = Parameters<KernelFunc>[0];

interface ConvAttrs extends ConvGradAttrs {
  readonly dataFormat?: string;
  readonly activation?: string;
  readonly leakyreluAlpha?: number;
}

export function stockKernel(kernelName: string): KernelConfig {
  const stock = tf.getKernel(kernelName, 'wasm');
  if (stock === undefined) throw new Error(`The wasm backend has no '${kernelName}' kernel to extend`);
  return stock;
}

/** A convolution geometry as the native kernels take it: n h w ci oh ow co kh kw sh sw dh dw pt pl. */
export function convGeometryArgs(g: ConvGeometry): number[] {
  return [
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    g.outH,
    g.outW,
    g.outC,
    g.kH,
    g.kW,
    g.strideH,
    g.strideW,
    g.dilationH,
    g.dilationW,
    g.padTop,
    g.padLeft,
  ];
}

/** The activation code for a fused kernel's attributes, or undefined when the native kernels lack it. */
function activationCode(attrs: ConvAttrs): number | undefined {
  return NATIVE_ACTIVATIONS[attrs.activation ?? 'linear'];
}

/** True when a fused kernel's optional bias is absent or one value per output channel. */
export function biasFits(bias: TensorInfo | undefined, channels: number): boolean {
  return bias === undefined || (bias.dtype === 'float32' && size(bias.shape) === channels);
}

/**
 * Conv2D / FusedConv2D (and their depthwise twins) on wasm through topk's native kernels when they are
 * loaded and the call is one they cover (float32 NHWC, bias per channel, linear/relu/relu6, depthwise
 * channel multiplier 1); every other call goes to tfjs-wasm's own kernel (XNNPACK).
 */
function convKernel(kernelName: string, depthwise: boolean, fused: boolean): KernelConfig {
  const stock = stockKernel(kernelName);
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const native = nativeKernels();
    const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ConvAttrs;
    const act = fused ? activationCode(attrs) : 0;
    if (
      native === undefined ||
      x === undefined ||
      filter === undefined ||
      x.dtype !== 'float32' ||
      filter.dtype !== 'float32' ||
      (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') ||
      act === undefined ||
      preluActivationWeights !== undefined ||
      (depthwise && (filter.shape[3] !== 1 || (filter.shape[0] as number) * (filter.shape[1] as number) > 64))
    ) {
      return stock.kernelFunc(args);
    }
    const g = convGeometry(x.shape, filter.shape, attrs, depthwise);
    if (!biasFits(fused ? bias : undefined, g.outC)) return stock.kernelFunc(args);
    const io = kernelIo('wasm', args.backend);
    const y = io.alloc([g.batch, g.outH, g.outW, g.outC], 'float32', false);
    const biasPointer = fused && bias !== undefined ? io.pointer(bias) : -1;
    const run = depthwise ? native.depthwise2d : native.conv2d;
    const extra = depthwise ? [act] : [act, 0];
    run(
      io.heapBytes(),
      io.pointer(x),
      io.pointer(filter),
      biasPointer,
      io.pointer(y),
      ...convGeometryArgs(g),
      ...extra,
    );
    noteNativeCall();
    return y;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}

export const nativeConv2dKernel = (): KernelConfig => convKernel('Conv2D', false, false);
export const nativeFusedConv2dKernel = (): KernelConfig => convKernel('FusedConv2D', false, true);
export const nativeDepthwiseConv2dKernel = (): KernelConfig =>
  convKernel('DepthwiseConv2dNative', true, false);
export const nativeFusedDepthwiseConv2dKernel = (): KernelConfig =>
  convKernel('FusedDepthwiseConv2D', true, true);

/** Attributes of {@link INVERTED_RESIDUAL_KERNEL}. */
export interface InvertedResidualAttrs {
  /** The depthwise convolution's strides and padding (the 1x1 convolutions have stride 1, no padding). */
  readonly strides: [number, number];
  readonly pad: 'same' | 'valid';
  readonly expandActivation: string;
  readonly depthwiseActivation: string;
  readonly projectActivation: string;
  /** Add the block's input to its output (shapes must match). */
  readonly residual: boolean;
}

/** Name of topk's fused inverted-residual kernel (wasm with the native kernels only). */
export const INVERTED_RESIDUAL_KERNEL = 'TopkInvertedResidual';

/** True when the native kernels can run an inverted residual block with these activations. */
export function canRunInvertedResidual(attrs: InvertedResidualAttrs): boolean {
  return (
    nativeKernels() !== undefined &&
    [attrs.expandActivation, attrs.depthwiseActivation, attrs.projectActivation].every(
      (a) => NATIVE_ACTIVATIONS[a] !== undefined,
    )
  );
}

/**
 * TopkInvertedResidual: expansion 1x1 (optional) → depthwise → projection 1x1 (→ + input), each with a
 * per-channel bias and linear/relu/relu6, as one native call that works image by image. Inputs: `x`,
 * `depthwiseFilter` [kh, kw, hidden, 1], `projectFilter` [1, 1, hidden, co], and optional `expandFilter`
 * [1, 1, ci, hidden], `expandBias`, `depthwiseBias`, `projectBias`. Planned by fuseForInference only when
 * {@link canRunInvertedResidual}; it throws otherwise.
 */
export function nativeInvertedResidualKernel(): KernelConfig {
  const kernelFunc = (args: KernelArgs): TensorInfo => {
    const native = nativeKernels();
    if (native === undefined) throw new Error(`${INVERTED_RESIDUAL_KERNEL} needs topk's native kernels`);
    const inputs = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as InvertedResidualAttrs;
    const x = inputs.x!;
    const depthwiseFilter = inputs.depthwiseFilter!;
    const projectFilter = inputs.projectFilter!;
    const [n, h, w, ci] = x.shape as [number, number, number, number];
    const hidden = depthwiseFilter.shape[2] as number;
    const co = projectFilter.shape[3] as number;
    const g = convGeometry(
      [n, h, w, hidden],
      depthwiseFilter.shape,
      { strides: attrs.strides, pad: attrs.pad },
      true,
    );
    const io = kernelIo('wasm', args.backend);
    const y = io.alloc([n, g.outH, g.outW, co], 'float32', false);
    const at = (t: TensorInfo | undefined) => (t === undefined ? -1 : io.pointer(t));
    native.invertedResidual(
      io.heapBytes(),
      io.pointer(x),
      at(inputs.expandFilter),
      at(inputs.expandBias),
      io.pointer(depthwiseFilter),
      at(inputs.depthwiseBias),
      io.pointer(projectFilter),
      at(inputs.projectBias),
      io.pointer(y),
      n,
      h,
      w,
      ci,
      hidden,
      co,
      g.kH,
      g.kW,
      g.strideH,
      g.strideW,
      g.padTop,
      g.padLeft,
      g.outH,
      g.outW,
      NATIVE_ACTIVATIONS[attrs.expandActivation]!,
      NATIVE_ACTIVATIONS[attrs.depthwiseActivation]!,
      NATIVE_ACTIVATIONS[attrs.projectActivation]!,
      attrs.residual ? 1 : 0,
    );
    noteNativeCall();
    return y;
  };
  return { kernelName: INVERTED_RESIDUAL_KERNEL, backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}
