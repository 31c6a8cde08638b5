import { setTimeout as sleep } from 'node:timers/promises';
import { Rng } from '@topk/core';
import type { DecodedImage } from '@topk/data-pipeline';
import type { Embedder } from '../embed-job.js';
import type { Predictor } from '../predict-job.js';

/** The payload of test runs with the synthetic models. */
export interface SyntheticPayload {
  readonly classes: readonly string[];
  readonly seed: number;
  /** Sleep per batch, to make shards last long enough to kill a worker mid-shard. @defaultValue 0 */
  readonly delayMs?: number;
  /** Reject images of another size (as a model with a fixed input would). */
  readonly size?: number;
  /** Embedding length. @defaultValue 8 */
  readonly dim?: number;
}

const FEATURES = 12;

/** Mean of each channel over each quadrant, in [0, 1]: 12 features of an RGB image. */
export function quadrantMeans(image: DecodedImage): Float64Array {
  const { data, width, height, channels } = image;
  const sums = new Float64Array(FEATURES);
  const counts = new Float64Array(4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = (y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1);
      counts[q]!++;
      for (let c = 0; c < 3; c++)
        sums[q * 3 + c]! += data[(y * width + x) * channels + (c % channels)]! / 255;
    }
  }
  return sums.map((sum, k) => sum / Math.max(1, counts[Math.floor(k / 3)]!));
}

function matrix(seed: number, rows: number, cols: number, std: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.normal(0, std));
}

function checkSize(images: readonly DecodedImage[], size: number | undefined): void {
  if (size === undefined) return;
  for (const image of images) {
    if (image.width !== size || image.height !== size) {
      throw new Error(`the synthetic model takes ${size}x${size} images, got ${image.width}x${image.height}`);
    }
  }
}

/**
 * A deterministic stand-in for a classifier: softmax of the 12 quadrant channel means projected by a fixed
 * seeded matrix. A pure function of the pixels, so a sharded run must reproduce a single-process run.
 */
export function syntheticPredictor(payload: SyntheticPayload): Predictor {
  const { classes, seed, delayMs = 0, size } = payload;
  const c = classes.length;
  const weights = matrix(seed, FEATURES, c, 3);
  return {
    classes,
    decode: { channels: 3 },
    async predict(images) {
      checkSize(images, size);
      if (delayMs > 0) await sleep(delayMs);
      const out = new Float32Array(images.length * c);
      images.forEach((image, i) => {
        const features = quadrantMeans(image);
        const logits = Array.from({ length: c }, (_, j) => {
          let sum = 0;
          for (let k = 0; k < FEATURES; k++) sum += features[k]! * weights[k * c + j]!;
          return sum;
        });
        const max = Math.max(...logits);
        const exps = logits.map((z) => Math.exp(z - max));
        const total = exps.reduce((a, b) => a + b, 0);
        exps.forEach((e, j) => {
          out[i * c + j] = e / total;
        });
      });
      return out;
    },
  };
}

/** A deterministic stand-in for an embedding model: the quadrant means projected and L2-normalised. */
export function syntheticEmbedder(payload: SyntheticPayload): Embedder {
  const { seed, delayMs = 0, size, dim = 8 } = payload;
  const weights = matrix(seed + 1, FEATURES, dim, 1);
  return {
    dim,
    async embed(images) {
      checkSize(images, size);
      if (delayMs > 0) await sleep(delayMs);
      const out = new Float32Array(images.length * dim);
      images.forEach((image, i) => {
        const features = quadrantMeans(image);
        const row = Array.from({ length: dim }, (_, j) => {
          let sum = 0;
          for (let k = 0; k < FEATURES; k++) sum += features[k]! * weights[k * dim + j]!;
          return sum;
        });
        const norm = Math.hypot(...row) || 1;
        row.forEach((v, j) => {
          out[i * dim + j] = v / norm;
        });
      });
      return out;
    },
  };
}
