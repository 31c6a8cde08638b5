import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { BackendError, Rng, selectBackend } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { heavy, light, standard } from './presets.js';
import { listTransforms, TRANSFORMS } from './registry.js';
import { testImages } from './test-helpers.js';
import type { Transform } from './types.js';

// Every transform and preset on the wasm backend (when it loads here) against the cpu backend: the same
// seed must give the same output, so augmentations do not depend on where they run.
const cases: [string, () => Transform][] = [
  ...listTransforms().map((name): [string, () => Transform] => [
    name,
    () => TRANSFORMS[name].create(TRANSFORMS[name].example),
  ]),
  ['light', light],
  ['standard', standard],
  ['heavy', heavy],
];

function run(make: () => Transform): Float32Array {
  return tf.tidy(() => {
    const images = testImages(4);
    return make().apply(images, new Rng(21)).images.dataSync() as Float32Array;
  });
}

describe('cpu and wasm backends', () => {
  it('agree on every transform and preset', async () => {
    await tf.setBackend('cpu');
    const reference = cases.map(([, make]) => run(make));
    try {
      await selectBackend({ backend: 'wasm', purpose: 'predict', env: {} });
    } catch (error) {
      if (error instanceof BackendError) return; // wasm is optional: nothing to compare against here
      throw error;
    }
    expect(tf.getBackend()).toBe('wasm');
    cases.forEach(([name, make], k) => {
      const out = run(make);
      const expected = reference[k]!;
      let worst = 0;
      let total = 0;
      for (let i = 0; i < out.length; i++) {
        const d = Math.abs(out[i]! - expected[i]!);
        worst = Math.max(worst, d);
        total += d;
      }
      // JPEG rounds DCT coefficients: a different summation order can flip one at a .5 boundary.
      const tolerance = name === 'jpegQuality' ? 0.05 : 1e-4;
      expect({ name, worst: worst <= tolerance ? 'ok' : worst }).toEqual({ name, worst: 'ok' });
      expect(total / out.length).toBeLessThan(1e-4);
    });
    await tf.setBackend('cpu');
  });
});
