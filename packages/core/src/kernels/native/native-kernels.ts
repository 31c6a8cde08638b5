/**
 * topk's native CPU kernels for Node: a Node-API addon compiled from `packages/core/native/node/*.c` on
 * install (`native/build-node.mjs`), with AVX2 + FMA convolution, filter-gradient and depthwise kernels
 * and a thread pool of their own. They read and write tensors in place in tfjs-wasm's heap, so the wasm
 * backend keeps owning memory and every other kernel, and only the heavy ones run natively.
 *
 * Optional by design: in browsers, on CPUs without AVX2, when the addon was not built, or with
 * `TOPK_NATIVE=0` in the environment, {@link nativeKernels} returns undefined and the kernels that use it
 * take their wasm (XNNPACK) paths.
 */

/** The addon's functions; tensor arguments are byte offsets into `heap`, the wasm memory's bytes. */
export interface NativeKernels {
  readonly isa: string;
  /** y = act(conv(x, w) + bias); bias -1 for none; act 0 linear, 1 relu, 2 relu6; transW: w is [co, K]. */
  conv2d(
    heap: Uint8Array,
    x: number,
    w: number,
    bias: number,
    y: number,
    ...geometryActTransW: number[]
  ): void;
  /** dw [kh, kw, ci, co] of a convolution from its input x and output gradient dy. */
  conv2dFilterGrad(heap: Uint8Array, x: number, dy: number, dw: number, ...geometry: number[]): void;
  /** Depthwise convolution with channel multiplier 1; bias -1 for none. */
  depthwise2d(
    heap: Uint8Array,
    x: number,
    w: number,
    bias: number,
    y: number,
    ...geometryAct: number[]
  ): void;
  /** dx of a depthwise convolution (multiplier 1) from dy and the filter, gathered per input pixel. */
  depthwiseInputGrad(heap: Uint8Array, dy: number, w: number, dx: number, ...geometry: number[]): void;
  /**
   * A MobileNetV2 inverted residual block (optional 1x1 expansion, depthwise, 1x1 projection, optional
   * residual) computed image by image so that the expanded activations never leave the cache.
   */
  invertedResidual(heap: Uint8Array, ...offsetsAndGeometry: number[]): void;
  /**
   * One of topk's wasm SIMD kernels (native/kernels.c) compiled natively and split over the threads:
   * kind, clip bounds, 5 input and 2 output offsets (-1 unused), then 15 sizes (0 unused).
   */
  parallelKernel(heap: Uint8Array, kind: number, lo: number, hi: number, ...operandsAndSizes: number[]): void;
  /** Sets the kernels' thread count (caller included) and returns the count in use. */
  setThreads(threads: number): number;
}

/** Where the native kernels stand in this process. */
export interface NativeKernelStatus {
  /** True when the kernels are loaded and in use. */
  readonly ok: boolean;
  /** The instruction set they were built for, when loaded. */
  readonly isa?: string;
  /** Threads they run on, the calling thread included. */
  readonly threads: number;
  /** Why they are not in use; set exactly when `ok` is false. */
  readonly reason?: string;
}

let loaded: NativeKernels | undefined;
let status: NativeKernelStatus = { ok: false, threads: 0, reason: 'not loaded yet' };
let enabled = true;
let attempt: Promise<NativeKernelStatus> | undefined;
let calls = 0;

/** Counts one kernel call that ran natively (tests use the count to see the native paths taken). */
export function noteNativeCall(): void {
  calls++;
}

/** Kernel calls that ran natively in this process so far. */
export function nativeCallCount(): number {
  return calls;
}

/** Turns the native paths off and on (tests use it to compare them with the wasm paths). */
export function setNativeKernelsEnabled(value: boolean): void {
  enabled = value;
}

/** The loaded native kernels, or undefined (callers then take their wasm paths). */
export function nativeKernels(): NativeKernels | undefined {
  return enabled ? loaded : undefined;
}

/** What {@link prepareNativeKernels} found. */
export function nativeKernelStatus(): NativeKernelStatus {
  return status;
}

interface NodeProcessLike {
  versions?: { node?: string };
  env?: Record<string, string | undefined>;
}

/**
 * Loads the native kernels once (later calls only change the thread count) and reports why they are not
 * used when they cannot be. Never throws.
 *
 * @param threads - thread count for the kernels, the calling thread included (default 2, at most 16).
 */
export async function prepareNativeKernels(threads = 2): Promise<NativeKernelStatus> {
  attempt ??= load();
  await attempt;
  if (loaded !== undefined) {
    status = { ...status, threads: loaded.setThreads(threads) };
  }
  return status;
}

async function load(): Promise<NativeKernelStatus> {
  const proc = (globalThis as { process?: NodeProcessLike }).process;
  if (proc?.versions?.node === undefined) {
    status = { ok: false, threads: 0, reason: 'native kernels exist for Node only' };
    return status;
  }
  if (proc.env?.TOPK_NATIVE === '0') {
    status = { ok: false, threads: 0, reason: 'disabled by TOPK_NATIVE=0' };
    return status;
  }
  try {
    const nodeModule = await import('node:module');
    const require = nodeModule.createRequire(import.meta.url);
    const path = require('node:path') as typeof import('node:path');
    const root = path.dirname(require.resolve('@topk/core/package.json'));
    const file = path.join(root, 'native', 'build', 'topk_native.node');
    const fs = require('node:fs') as typeof import('node:fs');
    if (!fs.existsSync(file)) {
      status = {
        ok: false,
        threads: 0,
        reason: `the addon was not built (${file} is missing; run 'node native/build-node.mjs' in @topk/core)`,
      };
      return status;
    }
    const addon = require(file) as Partial<NativeKernels> & { unsupported?: string };
    if (addon.unsupported !== undefined || addon.conv2d === undefined) {
      status = { ok: false, threads: 0, reason: addon.unsupported ?? 'the addon exports no kernels' };
      return status;
    }
    loaded = addon as NativeKernels;
    status = { ok: true, isa: loaded.isa, threads: 1 };
  } catch (error) {
    status = { ok: false, threads: 0, reason: `loading the addon failed: ${String(error)}` };
  }
  return status;
}
