import { InvalidArgumentError } from '@topk/core';
import { predictOutputs } from './learner.js';
import type { BatchSource, Model } from './types.js';
import { checkInRange, checkOneOf, checkOptions } from './validate.js';

/** One confident prediction on unlabelled data. */
export interface PseudoLabel {
  /** Position of the sample in the unlabelled data's order. */
  readonly index: number;
  /** The predicted class. */
  readonly label: number;
  /** Its probability. */
  readonly prob: number;
  /** The sample's id, when the batches carried ids. */
  readonly id?: string;
}

/** Options of {@link pseudoLabel}. */
export interface PseudoLabelOptions {
  /**
   * Keep predictions whose top probability is at least this.
   * @defaultValue 0.9
   */
  readonly threshold?: number;
  /**
   * How the model's outputs become probabilities: `softmax` for logits, `none` when the model already
   * outputs probabilities.
   * @defaultValue 'softmax'
   */
  readonly activation?: 'softmax' | 'none';
}

/**
 * Pseudo-labelling (the whale-identification winner's "take the predictions above 0.9, add them to the
 * training data, retrain", field note 002): predicts the unlabelled batches in inference mode and returns
 * the confident ones, in data order. Merge them with {@link mergePseudoLabels}.
 */
export async function pseudoLabel(
  model: Model,
  unlabelled: BatchSource,
  options: PseudoLabelOptions = {},
): Promise<PseudoLabel[]> {
  const fn = 'pseudoLabel';
  if (typeof model?.apply !== 'function')
    throw new InvalidArgumentError(fn, 'model', 'a tf.LayersModel', model);
  checkOptions(fn, options);
  const threshold = checkInRange(fn, 'threshold', options.threshold ?? 0.9, 0, 1, true);
  const activation = checkOneOf(fn, 'activation', options.activation ?? 'softmax', [
    'softmax',
    'none',
  ] as const);
  const { values, rows, columns, ids } = await predictOutputs(fn, model, unlabelled, activation);
  const kept: PseudoLabel[] = [];
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < columns; c++) if (values[i * columns + c]! > values[i * columns + best]!) best = c;
    const prob = values[i * columns + best]!;
    if (prob >= threshold)
      kept.push({ index: i, label: best, prob, ...(ids === undefined ? {} : { id: ids[i]! }) });
  }
  return kept;
}

/** Samples in memory: images row-major, one class index per sample. */
export interface LabelledArrays<T extends Float32Array | Uint8Array> {
  readonly images: T;
  readonly labels: Int32Array;
}

/**
 * Appends the pseudo-labelled samples of `unlabelledImages` to the training arrays, ready for
 * {@link arrayBatches}.
 * @param train - the labelled training set.
 * @param unlabelledImages - the unlabelled images, in the order {@link pseudoLabel} saw them.
 * @param pseudo - the confident predictions.
 * @param sampleSize - values per image (e.g. 28·28·1).
 */
export function mergePseudoLabels<T extends Float32Array | Uint8Array>(
  train: LabelledArrays<T>,
  unlabelledImages: T,
  pseudo: readonly PseudoLabel[],
  sampleSize: number,
): LabelledArrays<T> {
  const fn = 'mergePseudoLabels';
  if (!Number.isSafeInteger(sampleSize) || sampleSize < 1) {
    throw new InvalidArgumentError(fn, 'sampleSize', 'a positive integer', sampleSize);
  }
  const { images, labels } = train;
  if (!(labels instanceof Int32Array) || images.length !== labels.length * sampleSize) {
    throw new InvalidArgumentError(fn, 'train', `images of labels.length × ${sampleSize} values`, train);
  }
  if (unlabelledImages.constructor !== images.constructor || unlabelledImages.length % sampleSize !== 0) {
    throw new InvalidArgumentError(
      fn,
      'unlabelledImages',
      `a ${images.constructor.name} of whole samples`,
      unlabelledImages,
    );
  }
  const available = unlabelledImages.length / sampleSize;
  const Ctor = images.constructor as new (length: number) => T;
  const mergedImages = new Ctor(images.length + pseudo.length * sampleSize);
  mergedImages.set(images);
  const mergedLabels = new Int32Array(labels.length + pseudo.length);
  mergedLabels.set(labels);
  pseudo.forEach((p, k) => {
    if (!Number.isSafeInteger(p.index) || p.index < 0 || p.index >= available) {
      throw new InvalidArgumentError(fn, `pseudo[${k}].index`, `an index below ${available}`, p.index);
    }
    mergedImages.set(
      unlabelledImages.subarray(p.index * sampleSize, (p.index + 1) * sampleSize),
      images.length + k * sampleSize,
    );
    mergedLabels[labels.length + k] = p.label;
  });
  return { images: mergedImages, labels: mergedLabels };
}
