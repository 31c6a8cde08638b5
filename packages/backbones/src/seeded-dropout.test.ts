import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { SeededDropout } from './seeded-dropout.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function run(layer: tfl.layers.Layer, x: tf.Tensor, training: boolean): Float32Array {
  const y = layer.apply(x, { training }) as tf.Tensor;
  const values = y.dataSync() as Float32Array;
  if (y !== x) y.dispose();
  return values;
}

describe('SeededDropout', () => {
  it('is the identity at inference', () => {
    const x = tf.ones([4, 8]);
    const layer = new SeededDropout({ rate: 0.5, seed: 1 });
    expect(Array.from(run(layer, x, false))).toEqual(Array(32).fill(1));
    x.dispose();
  });

  it('keeps units scaled by 1 / (1 - rate) and drops about `rate` of them', () => {
    const x = tf.ones([100, 100]);
    const values = run(new SeededDropout({ rate: 0.25, seed: 2 }), x, true);
    const kept = values.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
    // 10 000 Bernoulli(0.75) draws: standard deviation 43, so 7 500 ± 250 is a 5.8-sigma band.
    expect(Math.abs(kept.length - 7500)).toBeLessThan(250);
    x.dispose();
  });

  it('draws a new mask at every training call, replayed exactly for the same seed', () => {
    const x = tf.ones([1, 64]);
    const a = new SeededDropout({ rate: 0.5, seed: 3 });
    const b = new SeededDropout({ rate: 0.5, seed: 3 });
    const a1 = run(a, x, true);
    const a2 = run(a, x, true);
    expect(Array.from(a1)).not.toEqual(Array.from(a2));
    expect(Array.from(run(b, x, true))).toEqual(Array.from(a1));
    expect(Array.from(run(b, x, true))).toEqual(Array.from(a2));
    x.dispose();
  });

  it('exists because tfjs-layers Dropout with a seed repeats its mask at every call', () => {
    const x = tf.ones([1, 64]);
    const stock = tfl.layers.dropout({ rate: 0.5, seed: 3 });
    expect(Array.from(run(stock, x, true))).toEqual(Array.from(run(stock, x, true)));
    x.dispose();
  });

  it('drops whole samples with noiseShape [null, 1, 1, 1] (stochastic depth)', () => {
    const x = tf.ones([64, 2, 2, 3]);
    const values = run(new SeededDropout({ rate: 0.5, seed: 4, noiseShape: [null, 1, 1, 1] }), x, true);
    const samples = Array.from({ length: 64 }, (_, i) => values.slice(i * 12, (i + 1) * 12));
    expect(samples.every((s) => s.every((v) => v === s[0]))).toBe(true);
    expect(samples.some((s) => s[0] === 0)).toBe(true);
    expect(samples.some((s) => s[0] === 2)).toBe(true);
    x.dispose();
  });

  it('creates no lasting tensors and serialises its config', () => {
    const x = tf.ones([2, 3]);
    const layer = new SeededDropout({ rate: 0.1, seed: 9, noiseShape: [null, 1] });
    expectNoLeaksSync(() => {
      run(layer, x, true);
    });
    expect(layer.getConfig()).toMatchObject({ rate: 0.1, seed: 9, noiseShape: [null, 1] });
    x.dispose();
  });

  it('rejects bad rates and seeds', () => {
    expect(() => new SeededDropout({ rate: 1 })).toThrow(
      'Error in SeededDropout: rate must be a number in [0, 1), got 1',
    );
    expect(() => new SeededDropout({ rate: -0.1 })).toThrow(InvalidArgumentError);
    expect(() => new SeededDropout({ rate: 0.5, seed: 1.5 })).toThrow(InvalidArgumentError);
  });
});
