import { measureLoop } from '../measure.js';
import type { Bench } from '../types.js';

const N = 1024;
/** As the PyTorch reference: three untimed products, then as many as fit in three seconds. */
const SECONDS = 3;

/** 1024×1024 float32 matrix product, in GFLOP/s (2·N³ flops per product). */
export const matmulBench: Bench = {
  name: 'matmul',
  description: `${N}×${N} float32 matMul, 3 warm-up products then ~${SECONDS} s timed; GFLOP/s = 2·N³ / time per product`,
  trains: false,
  async run({ tf }) {
    const a = tf.randomNormal([N, N], 0, 1, 'float32', 1);
    const b = tf.randomNormal([N, N], 0, 1, 'float32', 2);
    try {
      const timing = await measureLoop(
        async () => {
          const c = tf.matMul(a, b);
          // Reading back waits for asynchronous backends; on cpu and wasm it is a 4 MB copy (~1 ms).
          await c.data();
          c.dispose();
        },
        { warmup: 3, maxWarmupSeconds: 30, maxSeconds: SECONDS },
      );
      const gflops = (2 * N ** 3) / (timing.seconds / timing.iterations) / 1e9;
      return { measurements: [{ metric: 'matmul', value: gflops, unit: 'GFLOP/s', ...timing }], notes: [] };
    } finally {
      tf.dispose([a, b]);
    }
  },
};
