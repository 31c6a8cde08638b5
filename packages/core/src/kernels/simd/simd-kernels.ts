import { type NativeKernels, nativeKernels, noteNativeCall } from '../native/native-kernels.js';
import { KERNELS_WASM_PLAIN, KERNELS_WASM_SHARED } from './kernels-wasm.generated.js';

/** topk's SIMD kernels, compiled from `packages/core/native/kernels.c`; arguments are heap byte offsets. */
export interface SimdKernels {
  topk_sum_rows(x: number, out: number, rows: number, cols: number): void;
  topk_max_pool_grad(
    x: number,
    y: number,
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
  topk_avg_pool_grad(
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
  topk_im2col_t(
    x: number,
    cols: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dwl: number,
    pt: number,
    pl: number,
  ): void;
  topk_tile_rows(src: number, dst: number, rows: number, cols: number): void;
  topk_channel_affine(
    x: number,
    m: number,
    a: number,
    b: number,
    y: number,
    rows: number,
    cols: number,
  ): void;
  topk_bn_grad_sums(
    x: number,
    dy: number,
    mean: number,
    s1: number,
    s2: number,
    rows: number,
    cols: number,
  ): void;
  topk_centered_square_sums(x: number, mean: number, out: number, rows: number, cols: number): void;
  topk_bn_input_grad(
    x: number,
    dy: number,
    a: number,
    b: number,
    k: number,
    dx: number,
    rows: number,
    cols: number,
  ): void;
  topk_col2im(
    cols: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
  ): void;
  topk_flip_swap_filter(w: number, out: number, kh: number, kw: number, ci: number, co: number): void;
  topk_clip_grad(x: number, dy: number, dx: number, n: number, lo: number, hi: number): void;
  topk_relu_grad(x: number, dy: number, dx: number, n: number): void;
  topk_square_grad(x: number, dy: number, dx: number, n: number): void;
  topk_copy_rows(
    src: number,
    dst: number,
    rows: number,
    width: number,
    srcStride: number,
    dstStride: number,
  ): void;
  topk_depthwise_filter_grad(
    x: number,
    dy: number,
    dw: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    kh: number,
    kw: number,
    mult: number,
    sh: number,
    sw: number,
    dh: number,
    dwl: number,
    pt: number,
    pl: number,
  ): void;
}

interface EmscriptenModuleLike {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();
let enabled = true;

/** Turns the SIMD paths off and on (tests use it to exercise the JS fallbacks on wasm). */
export function setSimdKernelsEnabled(value: boolean): void {
  enabled = value;
}

function decodeBase64(text: string): Uint8Array {
  const g = globalThis as { Buffer?: { from(s: string, e: string): Uint8Array } };
  if (g.Buffer !== undefined) return g.Buffer.from(text, 'base64');
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The WebAssembly.Memory of a tfjs wasm backend (`backend.wasm`), if it exposes one. */
export function wasmBackendMemory(wasmModule: unknown): WebAssembly.Memory | undefined {
  const m = wasmModule as EmscriptenModuleLike | undefined;
  return m?.asm?.memory ?? m?.wasmMemory;
}

/**
 * Instantiates the kernels against a tfjs wasm backend's memory (once per memory). Asynchronous because
 * browsers refuse to compile modules over 4 KB synchronously on the main thread.
 */
export async function prepareSimdKernels(wasmModule: unknown): Promise<SimdKernels | undefined> {
  const memory = wasmBackendMemory(wasmModule);
  if (memory === undefined) return undefined;
  const existing = instances.get(memory);
  if (existing !== undefined) return existing;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const bytes = decodeBase64(shared ? KERNELS_WASM_SHARED : KERNELS_WASM_PLAIN);
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const kernels = instance.exports as unknown as SimdKernels;
  instances.set(memory, kernels);
  return kernels;
}

/** Kinds of the native addon's `parallelKernel` (native/node/parallel-kernels.h). */
const PARALLEL = {
  channelAffine: 0,
  bnInputGrad: 1,
  clipGrad: 2,
  reluGrad: 3,
  sumRows: 4,
  bnGradSums: 5,
  centeredSquareSums: 6,
  depthwiseFilterGrad: 7,
  maxPoolGrad: 8,
  avgPoolGrad: 9,
} as const;

const nativeInstances = new WeakMap<WebAssembly.Memory, SimdKernels>();

/**
 * The same kernels where topk's native addon is loaded: the heavy ones (batch-norm passes, activation
 * gradients, the depthwise filter gradient) run as native code compiled from the same C, split over the
 * addon's threads; the rest stay in wasm. Both work in place on the same memory.
 */
function withNativeKernels(
  wasm: SimdKernels,
  memory: WebAssembly.Memory,
  native: NativeKernels,
): SimdKernels {
  const pad = (values: readonly number[], length: number, fill: number) =>
    Array.from({ length }, (_, i) => values[i] ?? fill);
  const run = (
    kind: number,
    inputs: readonly number[],
    outputs: readonly number[],
    sizes: readonly number[],
    lo = 0,
    hi = 0,
  ): void => {
    native.parallelKernel(
      new Uint8Array(memory.buffer),
      kind,
      lo,
      hi,
      ...pad(inputs, 5, -1),
      ...pad(outputs, 2, -1),
      ...pad(sizes, 15, 0),
    );
    noteNativeCall();
  };
  return {
    ...wasm,
    topk_channel_affine: (x, m, a, b, y, rows, cols) =>
      run(PARALLEL.channelAffine, [x, m, a, b], [y], [rows, cols]),
    topk_bn_input_grad: (x, dy, a, b, k, dx, rows, cols) =>
      run(PARALLEL.bnInputGrad, [x, dy, a, b, k], [dx], [rows, cols]),
    topk_clip_grad: (x, dy, dx, n, lo, hi) => run(PARALLEL.clipGrad, [x, dy], [dx], [n], lo, hi),
    topk_relu_grad: (x, dy, dx, n) => run(PARALLEL.reluGrad, [x, dy], [dx], [n]),
    topk_sum_rows: (x, out, rows, cols) => run(PARALLEL.sumRows, [x], [out], [rows, cols]),
    topk_bn_grad_sums: (x, dy, mean, s1, s2, rows, cols) =>
      run(PARALLEL.bnGradSums, [x, dy, mean], [s1, s2], [rows, cols]),
    topk_centered_square_sums: (x, mean, out, rows, cols) =>
      run(PARALLEL.centeredSquareSums, [x, mean], [out], [rows, cols]),
    topk_depthwise_filter_grad: (x, dy, dw, ...sizes) =>
      run(PARALLEL.depthwiseFilterGrad, [x, dy], [dw], sizes),
    topk_max_pool_grad: (x, y, dy, dx, ...sizes) => run(PARALLEL.maxPoolGrad, [x, y, dy], [dx], sizes),
    topk_avg_pool_grad: (dy, dx, ...sizes) => run(PARALLEL.avgPoolGrad, [dy], [dx], sizes),
  };
}

/** The kernels prepared for this wasm backend module, or undefined (callers then use their JS path). */
export function simdKernelsFor(wasmModule: unknown): SimdKernels | undefined {
  const memory = wasmBackendMemory(wasmModule);
  if (memory === undefined || !enabled) return undefined;
  const wasm = instances.get(memory);
  const native = nativeKernels();
  if (wasm === undefined || native === undefined) return wasm;
  let merged = nativeInstances.get(memory);
  if (merged === undefined) {
    merged = withNativeKernels(wasm, memory, native);
    nativeInstances.set(memory, merged);
  }
  return merged;
}
