/**
 * `n` deterministic values in `[low, high)` from a 32-bit linear congruential generator (Numerical
 * Recipes' constants), without touching any backend's RNG: test inputs that are the same on every
 * backend and every run.
 *
 * @example
 * ```ts
 * const x = tf.tensor(fixedValues(2 * 3, 7), [2, 3]);
 * ```
 */
export function fixedValues(n: number, seed: number, low = -0.5, high = 0.5): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + (high - low) * (s / 2 ** 32);
  }
  return out;
}
