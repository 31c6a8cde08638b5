/**
 * The example's work, free of the DOM so that Node can run it too: load the pretrained backbone, swap
 * its head for one over the new classes, freeze the body, fine-tune the head with the topk `Learner`,
 * then predict the test images.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type Backbone, createClassifier, freeze, frozenGroups, loadModel } from '@topk/backbones';
import { adamW, arrayBatches, Learner } from '@topk/training';
import { CLASS_NAMES, decodeDataset, type LabelledImages } from './dataset.js';
import { normalise } from './normalise.js';

/** Fashion-MNIST labels of the classes the page fine-tunes on (the backbone was pretrained on 0–4). */
export const NEW_CLASSES = [5, 6, 7, 8, 9] as const;

/** Progress reported during {@link fineTune}. */
export interface FineTuneProgress {
  /** 1-based epoch. */
  readonly epoch: number;
  readonly epochs: number;
  /** Batches done in this epoch. */
  readonly batch: number;
  readonly batches: number;
  /** Training loss of the last batch, or at the end of an epoch its mean. */
  readonly loss: number;
  /** Accuracy on the epoch's training batches, at the end of an epoch. */
  readonly accuracy?: number;
}

/** Options of {@link fineTune}. */
export interface FineTuneOptions {
  /** The pretrained backbone, as `loadModel` takes it: an http(s) URL of its `model.json` in a page. */
  readonly model: string | tf.io.IOHandler;
  /** Bytes of `fashion-mnist-small.bin`. */
  readonly data: Uint8Array;
  /** @defaultValue 10 */
  readonly epochs?: number;
  /**
   * Peak learning rate of the one-cycle schedule.
   * @defaultValue 5e-2
   */
  readonly maxLr?: number;
  /** @defaultValue 25 */
  readonly batchSize?: number;
  /** Seed of the head's initial weights and of the shuffling. @defaultValue 1 */
  readonly seed?: number;
  /**
   * Test images per class whose prediction is returned in {@link FineTuneResult.samples} (the first ones).
   * @defaultValue 2
   */
  readonly samplesPerClass?: number;
  /** Called after every batch and every epoch. */
  readonly onProgress?: (progress: FineTuneProgress) => void;
}

/** One test image's prediction. */
export interface SamplePrediction {
  /** Index into the test images. */
  readonly index: number;
  readonly label: string;
  readonly predicted: string;
  /** Probability of the predicted class. */
  readonly confidence: number;
}

/** What {@link fineTune} measured. */
export interface FineTuneResult {
  /** Fraction of the test images predicted right after fine-tuning. */
  readonly accuracy: number;
  /** Accuracy of the freshly swapped head before any fine-tuning (about chance). */
  readonly accuracyBefore: number;
  readonly trainImages: number;
  readonly testImages: number;
  readonly parameters: number;
  /** Parameters that fine-tuning updated (the new head). */
  readonly trainableParameters: number;
  /** Groups kept frozen. */
  readonly frozen: readonly string[];
  readonly seconds: number;
  readonly samples: readonly SamplePrediction[];
  /** The test images' pixels (0–255) and Fashion-MNIST labels, for drawing the samples. */
  readonly test: LabelledImages;
}

function accuracyOf(probabilities: Float32Array, labels: Uint8Array, classes: number): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = probabilities.subarray(i * classes, (i + 1) * classes);
    let best = 0;
    for (let c = 1; c < classes; c++) if (row[c]! > row[best]!) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}

/** Fine-tunes a new head for {@link NEW_CLASSES} on the frozen pretrained backbone and evaluates it. */
export async function fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
  const {
    model,
    data,
    epochs = 10,
    maxLr = 5e-2,
    batchSize = 25,
    seed = 1,
    samplesPerClass = 2,
    onProgress,
  } = options;
  const start = performance.now();
  const { train, test } = decodeDataset(data);
  const toIndex = (labels: Uint8Array) => labels.map((label) => NEW_CLASSES.indexOf(label as 5));
  const trainLabels = toIndex(train.labels);
  const testLabels = toIndex(test.labels);

  const loaded = await loadModel(model);
  if (loaded.kind !== 'backbone') {
    loaded.model.dispose();
    throw new Error(`Error in fineTune: model must be a saved backbone, got a ${loaded.kind}`);
  }
  // The saved file holds the body only: the pretraining head (classes 0-4) is replaced by a new one.
  const classifier = createClassifier(loaded as Backbone, {
    numClasses: NEW_CLASSES.length,
    logits: true,
    seed,
  });
  freeze(classifier);
  const { mean, std } = classifier.dataConfig;
  const shape = [28, 28, 1];
  const trainData = arrayBatches(normalise(train.images, mean[0]!, std[0]!), trainLabels, shape, {
    batchSize,
    shuffle: true,
    seed,
  });
  const testData = arrayBatches(normalise(test.images, mean[0]!, std[0]!), testLabels, shape, {
    batchSize: 100,
  });
  const batches = Math.ceil(trainLabels.length / batchSize);
  const learner = new Learner({
    model: classifier.model,
    train: trainData,
    // No validation pass per epoch: on a software WebGL device it would cost almost as much as the
    // training; the test images are scored once, after fine-tuning.
    optimizer: adamW({ weightDecay: 1e-2 }),
    task: 'single-label',
    seed,
    callbacks: [
      {
        name: 'progress',
        onBatchEnd: ({ epoch, batch, logs }) =>
          onProgress?.({ epoch: epoch + 1, epochs, batch, batches, loss: Number(logs.loss) }),
        onEpochEnd: ({ epoch, logs }) =>
          onProgress?.({
            epoch: epoch + 1,
            epochs,
            batch: batches,
            batches,
            loss: Number(logs.loss),
            accuracy: Number(logs.accuracy),
          }),
      },
    ],
  });
  try {
    const before = await learner.predict(testData);
    const accuracyBefore = accuracyOf(before.values, testLabels, NEW_CLASSES.length);
    await learner.fitOneCycle(epochs, maxLr);
    const predictions = await learner.predict(testData);
    const accuracy = accuracyOf(predictions.values, testLabels, NEW_CLASSES.length);
    const shown: SamplePrediction[] = [];
    for (const [k, label] of NEW_CLASSES.entries()) {
      const indices = [...testLabels.keys()].filter((i) => testLabels[i] === k).slice(0, samplesPerClass);
      for (const index of indices) {
        const row = predictions.values.subarray(index * NEW_CLASSES.length, (index + 1) * NEW_CLASSES.length);
        let best = 0;
        for (let c = 1; c < row.length; c++) if (row[c]! > row[best]!) best = c;
        shown.push({
          index,
          label: CLASS_NAMES[label],
          predicted: CLASS_NAMES[NEW_CLASSES[best]!],
          confidence: row[best]!,
        });
      }
    }
    const trainableParameters = classifier.model.trainableWeights.reduce(
      (sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1),
      0,
    );
    return {
      accuracy,
      accuracyBefore,
      trainImages: trainLabels.length,
      testImages: testLabels.length,
      parameters: classifier.model.countParams(),
      trainableParameters,
      frozen: frozenGroups(classifier),
      seconds: (performance.now() - start) / 1000,
      samples: shown,
      test,
    };
  } finally {
    learner.optimizer.dispose();
    classifier.model.dispose();
  }
}
