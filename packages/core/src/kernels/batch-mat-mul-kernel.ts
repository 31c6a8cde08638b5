import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type KernelIo, kernelIo, size } from './kernel-io.js';
import { biasFits, NATIVE_ACTIVATIONS, stockKernel } from './native/native-conv-kernels.js';
import { type NativeKernels, nativeKernels, noteNativeCall } from './native/native-kernels.js';

type KernelArgs = Parameters<KernelFunc>[0];

/** `x` [...batch, r, c] as a new [...batch, c, r]: one SIMD 4x4-block transpose per matrix. */
export function transposeLastTwo(io: KernelIo, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const rows = x.shape[rank - 2] as number;
  const cols = x.shape[rank - 1] as number;
  const outShape = [...x.shape.slice(0, rank - 2), cols, rows];
  if (io.simd === undefined) {
    const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
    return io.run('Transpose', { x }, { perm });
  }
  const out = io.alloc(outShape, 'float32', false);
  const matrices = size(x.shape) / (rows * cols);
  const bytes = rows * cols * 4;
  for (let m = 0; m < matrices; m++) {
    // A 1x1 "filter" [rows, cols] flipped and swapped is the transposed matrix [cols, rows].
    io.simd.topk_flip_swap_filter(io.pointer(x) + m * bytes, io.pointer(out) + m * bytes, 1, 1, rows, cols);
  }
  return out;
}

/**
 * BatchMatMul with `transposeA` or `transposeB` as an explicit transpose and tfjs-wasm's untransposed
 * product (XNNPACK): tfjs-wasm runs transposed operands through a slow path (a dense layer's weight
 * gradient xᵀ·dy over 16 384 inputs: 28.8 ms, against 1.7 ms this way). Every matMul gradient has one.
 */
export function batchMatMulKernel(): KernelConfig {
  const stock = stockKernel('BatchMatMul');
  const kernelFunc = (args: Parameters<KernelFunc>[0]): TensorInfo | TensorInfo[] => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const native = nativeKernels();
    if (native !== undefined) {
      const out = nativeMatMul(native, args, { transposeA, transposeB });
      if (out !== undefined) return out;
    }
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || b.dtype !== 'float32') {
      return stock.kernelFunc(args);
    }
    const io = kernelIo('wasm', args.backend);
    const left = transposeA ? transposeLastTwo(io, a) : a;
    const right = transposeB ? transposeLastTwo(io, b) : b;
    try {
      return stock.kernelFunc({
        ...args,
        inputs: { a: left, b: right },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (left !== a) io.free(left);
      if (right !== b) io.free(right);
    }
  };
  return { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}

/** Batch sizes of a batched matmul operand: the product of all but its last two axes. */
function batchOf(t: TensorInfo): number {
  return size(t.shape.slice(0, -2));
}

/**
 * a·b (with optional transposes, bias and activation) per batch as a 1x1 convolution of the native
 * kernels, or undefined when the call is not one they cover (the caller then uses tfjs-wasm's kernel).
 * A transposed left operand is transposed explicitly; a transposed right operand is read as it is stored.
 */
export function nativeMatMul(
  native: NativeKernels,
  args: KernelArgs,
  attrs: { transposeA: boolean; transposeB: boolean; activation?: string },
  bias?: TensorInfo,
): TensorInfo | undefined {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const act = NATIVE_ACTIVATIONS[attrs.activation ?? 'linear'];
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || act === undefined) return undefined;
  if (a.shape.length < 2 || a.shape.length !== b.shape.length) return undefined;
  const rank = a.shape.length;
  const batchA = batchOf(a);
  const batchB = batchOf(b);
  const batch = Math.max(batchA, batchB);
  const batchShape = batchA >= batchB ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) return undefined;
  const m = a.shape[attrs.transposeA ? rank - 1 : rank - 2] as number;
  const k = a.shape[attrs.transposeA ? rank - 2 : rank - 1] as number;
  const n = b.shape[attrs.transposeB ? rank - 2 : rank - 1] as number;
  if (!biasFits(bias, n)) return undefined;
  const io = kernelIo('wasm', args.backend);
  const left = attrs.transposeA ? transposeLastTwo(io, a) : a;
  const out = io.alloc([...batchShape, m, n], 'float32', false);
  const heap = io.heapBytes();
  const biasPointer = bias === undefined ? -1 : io.pointer(bias);
  for (let i = 0; i < batch; i++) {
    const aOffset = io.pointer(left) + (batchA === 1 ? 0 : i) * m * k * 4;
    const bOffset = io.pointer(b) + (batchB === 1 ? 0 : i) * k * n * 4;
    const yOffset = io.pointer(out) + i * m * n * 4;
    native.conv2d(
      heap,
      aOffset,
      bOffset,
      biasPointer,
      yOffset,
      1,
      m,
      1,
      k,
      m,
      1,
      n,
      1,
      1,
      1,
      1,
      1,
      1,
      0,
      0,
      act,
      attrs.transposeB ? 1 : 0,
    );
  }
  if (left !== a) io.free(left);
  noteNativeCall();
  return out;
}

/** _FusedMatMul (a dense layer's forward pass) through {@link nativeMatMul} when it applies. */
export function nativeFusedMatMulKernel(): KernelConfig {
  const stock = stockKernel('_FusedMatMul');
  const kernelFunc = (args: KernelArgs): TensorInfo | TensorInfo[] => {
    const native = nativeKernels();
    const { bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string };
    if (native !== undefined && preluActivationWeights === undefined) {
      const out = nativeMatMul(native, args, attrs, bias);
      if (out !== undefined) return out;
    }
    return stock.kernelFunc(args);
  };
  return { kernelName: '_FusedMatMul', backendName: 'wasm', kernelFunc: kernelFunc as KernelFunc };
}
