import { performance } from 'node:perf_hooks';

/** Options of {@link measureLoop}. */
export interface MeasureOptions {
  /** Untimed iterations first (kernels compiled, buffers allocated, caches warm). @defaultValue 3 */
  readonly warmup?: number;
  /** Stop warming up after this many seconds, once one iteration ran. @defaultValue maxSeconds / 3 */
  readonly maxWarmupSeconds?: number;
  /** Timed iterations, at most. @defaultValue Infinity */
  readonly maxIterations?: number;
  /** Stop timing after this many seconds, once one iteration ran. */
  readonly maxSeconds: number;
}

/** What {@link measureLoop} timed. */
export interface Timing {
  readonly iterations: number;
  readonly seconds: number;
}

/**
 * Warms up, then runs `step` until `maxIterations` ran or `maxSeconds` passed (at least once), as the
 * PyTorch reference does (`while time < 3: step()` for matmul, 3 + 20 steps for the nets). `step` must
 * wait for its result (read it back) so that asynchronous backends are timed, not queued.
 */
export async function measureLoop(step: () => Promise<void>, options: MeasureOptions): Promise<Timing> {
  const {
    warmup = 3,
    maxSeconds,
    maxWarmupSeconds = maxSeconds / 3,
    maxIterations = Number.POSITIVE_INFINITY,
  } = options;
  const warmStart = performance.now();
  for (let i = 0; i < warmup; i++) {
    await step();
    if ((performance.now() - warmStart) / 1000 >= maxWarmupSeconds) break;
  }
  let iterations = 0;
  const start = performance.now();
  let seconds = 0;
  do {
    await step();
    iterations++;
    seconds = (performance.now() - start) / 1000;
  } while (iterations < maxIterations && seconds < maxSeconds);
  return { iterations, seconds };
}
