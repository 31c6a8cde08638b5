import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { kernelIo, size } from './kernel-io.js';

type Args = Parameters<KernelFunc>[0];

const is32Bit = (info: TensorInfo) => info.dtype === 'float32' || info.dtype === 'int32';

function stock(name: string): KernelFunc {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`The wasm backend has no '${name}' kernel to extend`);
  return kernel.kernelFunc;
}

/**
 * Concat for the wasm backend: each input is one strided SIMD copy into the output (rows = the product of
 * the axes before `axis`, width = its extent along `axis` times the inner block). tfjs-wasm's kernel
 * loops per element when joining along the channel axis, as colour transforms do.
 */
export function concatKernel(): KernelConfig {
  const fallback = stock('Concat');
  const kernelFunc = (args: Args): TensorInfo | TensorInfo[] => {
    const inputs = Object.values(args.inputs) as TensorInfo[];
    const { axis } = args.attrs as unknown as { axis: number | number[] };
    const io = kernelIo('wasm', args.backend);
    const first = inputs[0];
    if (io.simd === undefined || first === undefined || !inputs.every(is32Bit)) return fallback(args);
    const rank = first.shape.length;
    const ax = tf.util.parseAxisParam(axis, first.shape)[0] as number;
    const sameElsewhere = inputs.every(
      (t) =>
        t.dtype === first.dtype &&
        t.shape.length === rank &&
        t.shape.every((d, i) => i === ax || d === first.shape[i]),
    );
    if (!sameElsewhere || rank === 0) return fallback(args);
    const outShape = [...first.shape];
    outShape[ax] = inputs.reduce((n, t) => n + (t.shape[ax] as number), 0);
    const out = io.alloc(outShape, first.dtype, false);
    const rows = size(first.shape.slice(0, ax));
    const inner = size(first.shape.slice(ax + 1));
    const outWidth = (outShape[ax] as number) * inner;
    let offset = 0;
    for (const t of inputs) {
      const width = (t.shape[ax] as number) * inner;
      if (width > 0 && rows > 0) {
        io.simd.topk_copy_rows(io.pointer(t), io.pointer(out) + offset * 4, rows, width, width, outWidth);
      }
      offset += width;
    }
    return out;
  };
  return { kernelName: 'Concat', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}

/** SplitV for the wasm backend: each part is one strided SIMD copy out of the input (see concatKernel). */
export function splitKernel(): KernelConfig {
  const fallback = stock('SplitV');
  const kernelFunc = (args: Args): TensorInfo | TensorInfo[] => {
    const { x } = args.inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as {
      numOrSizeSplits: number | number[];
      axis: number;
    };
    const io = kernelIo('wasm', args.backend);
    if (io.simd === undefined || !is32Bit(x) || x.shape.length === 0) return fallback(args);
    const ax = tf.util.parseAxisParam(axis, x.shape)[0] as number;
    const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, ax);
    const rows = size(x.shape.slice(0, ax));
    const inner = size(x.shape.slice(ax + 1));
    const inWidth = (x.shape[ax] as number) * inner;
    const outs = sizes.map((s) => {
      const shape = [...x.shape];
      shape[ax] = s;
      return io.alloc(shape, x.dtype, false);
    });
    let offset = 0;
    outs.forEach((out, i) => {
      const width = (sizes[i] as number) * inner;
      if (width > 0 && rows > 0) {
        io.simd!.topk_copy_rows(io.pointer(x) + offset * 4, io.pointer(out), rows, width, inWidth, width);
      }
      offset += width;
    });
    return outs;
  };
  return { kernelName: 'SplitV', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}
