import type { DataType, KernelBackend, TensorInfo, TypedArray } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { type SimdKernels, simdKernelsFor, wasmBackendMemory } from './simd/simd-kernels.js';

/**
 * The two CPU-memory backends that topk supplies kernels for. Both keep tensor data in typed arrays that a
 * kernel can read and write directly: the `cpu` backend in JS arrays, `wasm` in its linear memory.
 */
export type HostBackendName = 'cpu' | 'wasm';

interface CpuBackendLike extends KernelBackend {
  data: { get(dataId: object): { values: TypedArray } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: TypedArray): TensorInfo;
}

interface WasmBackendLike extends KernelBackend {
  wasm: unknown;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): TypedArray;
  getMemoryOffset(dataId: object): number;
}

/**
 * Uniform access to a host backend's tensor memory from inside a kernel.
 *
 * The wasm heap can grow during any allocation, which detaches every view taken before it, so kernels
 * allocate their outputs first and only then take views of inputs and outputs.
 */
export interface KernelIo {
  readonly backendName: HostBackendName;
  /** Allocates an output tensor, zero-filled unless `zeroed` is false (for kernels that write every value). */
  alloc(shape: readonly number[], dtype?: DataType, zeroed?: boolean): TensorInfo;
  /** A view of a tensor's values; valid until the next allocation. */
  view(info: TensorInfo): TypedArray;
  /** Runs another kernel of the same backend and returns its output. */
  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs?: Record<string, unknown>): TensorInfo;
  /** Frees an intermediate tensor that the kernel allocated. */
  free(info: TensorInfo): void;
  /** topk's SIMD kernels sharing this backend's memory (wasm only, once prepared). */
  readonly simd: SimdKernels | undefined;
  /** Byte offset of a tensor in the wasm heap (wasm only). */
  pointer(info: TensorInfo): number;
  /** The whole wasm heap as bytes (wasm only); valid until the next allocation. */
  heapBytes(): Uint8Array;
}

export function kernelIo(backendName: HostBackendName, backend: unknown): KernelIo {
  const run = (
    kernelName: string,
    inputs: Record<string, TensorInfo>,
    attrs: Record<string, unknown> = {},
  ) => {
    const kernel = tf.getKernel(kernelName, backendName);
    if (kernel === undefined)
      throw new Error(`Kernel '${kernelName}' is not registered for backend '${backendName}'`);
    // Kernel functions are typed for the engine's maps; the ones called here return a single TensorInfo.
    return kernel.kernelFunc({ inputs, backend, attrs } as never) as TensorInfo;
  };
  const free = (info: TensorInfo) => {
    (backend as KernelBackend).disposeData(info.dataId);
  };
  if (backendName === 'cpu') {
    const cpu = backend as CpuBackendLike;
    return {
      backendName,
      alloc: (shape, dtype = 'float32') =>
        cpu.makeTensorInfo(
          [...shape],
          dtype,
          tf.util.getTypedArrayFromDType(dtype as 'float32', size(shape)),
        ),
      view: (info) => cpu.data.get(info.dataId).values,
      run,
      free,
      simd: undefined,
      pointer: () => {
        throw new Error('The cpu backend has no heap pointers');
      },
      heapBytes: () => {
        throw new Error('The cpu backend has no heap');
      },
    };
  }
  const wasm = backend as WasmBackendLike;
  return {
    backendName,
    alloc: (shape, dtype = 'float32', zeroed = true) => {
      const info = wasm.makeOutput([...shape], dtype);
      if (zeroed) wasm.typedArrayFromHeap(info).fill(0);
      return info;
    },
    view: (info) => wasm.typedArrayFromHeap(info),
    run,
    free,
    simd: simdKernelsFor(wasm.wasm),
    pointer: (info) => wasm.getMemoryOffset(info.dataId),
    // From the memory itself: the threaded build's HEAPU8 view can lag behind a growth of shared memory.
    heapBytes: () => {
      const memory = wasmBackendMemory(wasm.wasm);
      return memory === undefined
        ? (wasm.wasm as { HEAPU8: Uint8Array }).HEAPU8
        : new Uint8Array(memory.buffer);
    },
  };
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
