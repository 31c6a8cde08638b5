import type * as tf from '@tensorflow/tfjs-core';

/** Wall time of one kernel over a timed run. */
export interface KernelTime {
  readonly kernel: string;
  /** Calls during the run. */
  readonly calls: number;
  /** Milliseconds inside the kernel, minus the kernels it ran itself (topk's recast kernels nest). */
  readonly exclusiveMs: number;
}

/** A running kernel timer: {@link stop} restores the backend's kernels and returns the times. */
export interface KernelTimer {
  /** The times so far, longest first. */
  readonly times: () => KernelTime[];
  /** Puts the original kernels back. */
  readonly stop: () => void;
}

/**
 * Wraps every kernel registered for `backendName` with a wall-clock timer. Kernels of the cpu and wasm
 * backends run synchronously, so the time inside a kernel function is its real cost; nested kernels (a
 * kernel that runs others through the engine) are subtracted from their caller. `tf.profile` is no
 * substitute inside a training step: its per-kernel times there came out inflated (their sum exceeded the
 * step's wall time by 40 %).
 */
export function startKernelTimer(tfc: typeof tf, backendName: string): KernelTimer {
  const totals = new Map<string, { calls: number; ms: number }>();
  const stack: number[] = [];
  const originals = tfc.getKernelsForBackend(backendName);
  for (const config of originals) {
    const original = config.kernelFunc;
    const timed: tf.KernelFunc = (args) => {
      const started = performance.now();
      stack.push(0);
      try {
        return original(args);
      } finally {
        const elapsed = performance.now() - started;
        const nested = stack.pop() ?? 0;
        if (stack.length > 0) stack[stack.length - 1] = (stack[stack.length - 1] ?? 0) + elapsed;
        const entry = totals.get(config.kernelName) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += elapsed - nested;
        totals.set(config.kernelName, entry);
      }
    };
    tfc.unregisterKernel(config.kernelName, backendName);
    tfc.registerKernel({ ...config, kernelFunc: timed });
  }
  return {
    times: () =>
      [...totals]
        .map(([kernel, { calls, ms }]) => ({ kernel, calls, exclusiveMs: ms }))
        .sort((a, b) => b.exclusiveMs - a.exclusiveMs),
    stop: () => {
      for (const config of originals) {
        tfc.unregisterKernel(config.kernelName, backendName);
        tfc.registerKernel(config);
      }
    },
  };
}
