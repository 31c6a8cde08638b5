import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { createBackbone, createClassifier, saveModel } from '@topk/backbones';
import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeDataset } from './dataset.js';
import { type FineTuneProgress, fineTune } from './fine-tune.js';

const PUBLIC = new URL('../public/', import.meta.url);

describe('fineTune in Node (the page does the same in a browser)', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm' });
  });

  it('swaps the head of the shipped backbone, trains only it and beats chance clearly', async () => {
    const data = new Uint8Array(await readFile(new URL('fashion-mnist-small.bin', PUBLIC)));
    const progress: FineTuneProgress[] = [];
    const before = tf.memory().numTensors;
    const result = await fineTune({
      model: fileURLToPath(new URL('model/', PUBLIC)),
      data,
      onProgress: (p) => progress.push(p),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.trainImages).toBe(250);
    expect(result.testImages).toBe(200);
    expect(result.frozen).toEqual(['stem', 'stage1', 'stage2']);
    // 64 pooled features to 5 classes; the body's 23 632 parameters stay frozen.
    expect(result.trainableParameters).toBe(64 * 5 + 5);
    expect(result.parameters).toBe(23_632 + 325);
    // 5 balanced classes, chance 20 % (binomial sd 2.8 % on 200 images): 22.5 % before, 80.5 % after.
    expect(result.accuracyBefore).toBeLessThan(0.4);
    expect(result.accuracy).toBeGreaterThan(0.65);
    // 10 batches per epoch, then an epoch-end report with the mean loss and training accuracy.
    expect(progress).toHaveLength(10 * 11);
    expect(progress[10]).toMatchObject({ epoch: 1, batch: 10, batches: 10 });
    expect(progress[10]!.accuracy).toBeGreaterThanOrEqual(0);
    expect(progress.filter((p) => p.accuracy !== undefined)).toHaveLength(10);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ epoch: 10, epochs: 10, batch: 10, batches: 10 });
    expect(last.accuracy).toBeGreaterThan(progress[10]!.accuracy!);
    expect(result.samples).toHaveLength(10);
  });

  it('refuses a saved model that is not a bare backbone', async () => {
    const backbone = createBackbone('simple-cnn', {
      inputSize: 28,
      inputChannels: 1,
      channels: [4],
    } as never);
    const classifier = createClassifier(backbone, { numClasses: 3 });
    let saved: tf.io.ModelArtifacts | undefined;
    await saveModel(classifier, {
      save: async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
      },
    });
    classifier.model.dispose();
    const data = encodeDataset({
      train: { images: new Uint8Array(784), labels: Uint8Array.of(5) },
      test: { images: new Uint8Array(784), labels: Uint8Array.of(6) },
    });
    const before = tf.memory().numTensors;
    await expect(fineTune({ model: { load: async () => saved! }, data })).rejects.toThrow(
      'Error in fineTune: model must be a saved backbone, got a classifier',
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
