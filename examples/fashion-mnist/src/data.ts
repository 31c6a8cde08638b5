import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, Rng } from '@topk/core';
import { FASHION_MNIST_CLASSES } from '@topk/data-pipeline';
import { readIdx } from '@topk/training';

/** Fashion-MNIST's classes, in label order. */
export const CLASSES = FASHION_MNIST_CLASSES;

/** Side of a Fashion-MNIST image. */
export const IMAGE_SIDE = 28;

/** 28x28 grayscale images as bytes (row-major, one image after the other) and their labels. */
export interface ImageSet {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

/** The training and test sets. */
export interface FashionMnist {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/**
 * `limit` images of `set` drawn without replacement by `rng`, kept in their original order; the whole
 * set when `limit` is undefined or not smaller.
 */
export function subsample(set: ImageSet, limit: number | undefined, rng: Rng): ImageSet {
  if (limit === undefined || limit >= set.count) return set;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidArgumentError('subsample', 'limit', 'a positive integer', limit);
  }
  const picked = rng
    .permutation(set.count)
    .slice(0, limit)
    .sort((a, b) => a - b);
  const pixels = IMAGE_SIDE * IMAGE_SIDE;
  const images = new Uint8Array(limit * pixels);
  const labels = new Uint8Array(limit);
  picked.forEach((source, i) => {
    images.set(set.images.subarray(source * pixels, (source + 1) * pixels), i * pixels);
    labels[i] = set.labels[source]!;
  });
  return { images, labels, count: limit };
}

/**
 * Reads `train-images-idx3-ubyte.gz`, `train-labels-idx1-ubyte.gz`, `t10k-images-idx3-ubyte.gz` and
 * `t10k-labels-idx1-ubyte.gz` from `dir` and keeps a seeded random `limit` of each set.
 */
export async function loadFashionMnist(
  dir: string,
  limit: number | undefined,
  seed: number,
): Promise<FashionMnist> {
  const read = async (file: string) => (await readIdx(await readFile(join(dir, file)))).data as Uint8Array;
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    read('train-images-idx3-ubyte.gz'),
    read('train-labels-idx1-ubyte.gz'),
    read('t10k-images-idx3-ubyte.gz'),
    read('t10k-labels-idx1-ubyte.gz'),
  ]);
  const set = (images: Uint8Array, labels: Uint8Array, name: string): ImageSet => {
    if (images.length !== labels.length * IMAGE_SIDE * IMAGE_SIDE) {
      throw new InvalidArgumentError(
        'loadFashionMnist',
        name,
        `${labels.length} images of 28x28 to match its labels`,
        `${images.length} bytes`,
      );
    }
    return { images, labels, count: labels.length };
  };
  const rng = new Rng(seed);
  return {
    train: subsample(set(trainImages!, trainLabels!, 'train'), limit, rng.split('train')),
    test: subsample(set(testImages!, testLabels!, 'test'), limit, rng.split('test')),
  };
}
