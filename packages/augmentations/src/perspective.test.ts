import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { perspective } from './perspective.js';
import { maxAbsDiff, ramp, rows, testImages } from './test-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('perspective', () => {
  const image = () => ramp(9, 9);

  it('reads each output corner from its jittered source corner', () => {
    // Top-left corner moved half-way across (x jitter 0.5 of the 8-pixel span): it reads source (4, 0).
    const jitter = [0.5, 0, 0, 0, 0, 0, 0, 0];
    const t = perspective({ fillMode: 'edge', p: 1 });
    const out = rows(t.replay(image(), { transform: 'perspective', images: [{ jitter }] }));
    const source = rows(image());
    expect(out[0]![0]).toBeCloseTo(source[0]![4]!, 5);
    expect(out[0]![8]).toBeCloseTo(source[0]![8]!, 5);
    expect(out[8]![8]).toBeCloseTo(source[8]![8]!, 5);
    expect(out[8]![0]).toBeCloseTo(source[8]![0]!, 5);
  });

  it('is the identity without jitter', () => {
    const images = testImages(2);
    const t = perspective({ p: 1 });
    const out = t.replay(images, {
      transform: 'perspective',
      images: [{ jitter: new Array(8).fill(0) }, null],
    });
    expect(maxAbsDiff(out, images)).toBeLessThan(1e-5);
  });

  it('moves corners inwards by |N(0, σ)|, below 0.32', () => {
    const params = perspective({ scale: [0.05, 0.1], p: 1 }).sample(new Rng(2), [200, 8, 8, 3]);
    const jitter = params.images.flatMap((e) => [...e!.jitter]);
    expect(Math.min(...jitter)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...jitter)).toBeLessThan(0.32);
    // E|N(0, σ)| = σ·√(2/π); σ averages 0.075.
    const mean = jitter.reduce((a, b) => a + b, 0) / jitter.length;
    expect(mean).toBeCloseTo(0.075 * Math.sqrt(2 / Math.PI), 2);
  });
});
