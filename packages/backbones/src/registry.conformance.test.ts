import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { expectNoLeaksSync } from '@topk/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from './classifier.js';
import { freeze } from './freezing.js';
import { loadModel, saveModel } from './model-io.js';
import { type BuiltinBackboneName, createBackbone, getBackboneInfo, listBackbones } from './registry.js';
import {
  countTrainable,
  cyclicLabels,
  descentStep,
  fakeImages,
  sameValues,
  sgdStep,
  snapshot,
} from './test-helpers.js';
import type { Backbone } from './types.js';

interface Reference {
  /** Trainable parameters with a `classes`-way dense head on average-pooled features. */
  readonly params: number;
  readonly classes: number;
  readonly source: string;
  readonly numFeatures: number;
  /** Side of the feature map at the default input size. */
  readonly defaultFeatureSide: number;
  /** Small input side for the forward pass. */
  readonly small: number;
  /**
   * The full network's training step on a fixed batch: 2 images at the default input size where that is
   * cheap on the wasm backend, otherwise 4 images at `size` (timings below). `options` turn off stochastic
   * depth so that the losses before and after the step see the same network.
   */
  readonly step: { readonly size: 'default' | number; readonly options?: Readonly<Record<string, unknown>> };
  /**
   * Options under which the family is small enough for a save/load round trip and a freezing step at
   * 16 px, batch 2.
   */
  readonly train?: Readonly<Record<string, unknown>>;
}

// Seconds for one training step at the default input size with a batch of 2, measured on the wasm
// backend (2 threads, a loaded 2-core machine): simple-cnn 0.1, mobilenet_v2 0.6, efficientnet_b0 1.2,
// resnet18 1.9, densenet121 2.6 train there. At 64 px resnet34 takes 2, xception 1.4, resnet50 4,
// resnext50_32x4d 4.3 and wide_resnet50_2 5.3 (about 12x more at 224 px), and WRN-28-10 8-11 at its
// default 32 px: those train at 16 px after building and running forward at the default one. There the
// final feature maps are 1x1, and training-mode batch-norm over 2 values per channel only gives ±1
// (resnet34's loss then does not move for any step size), so those steps take 4 images.

// simple-cnn, closed form: each block is a bias-free 3x3 conv (9 * in * out) and a batch-norm (2 * out).
const SIMPLE_CNN_PARAMS =
  [
    [3, 32],
    [32, 64],
    [64, 128],
    [128, 256],
  ].reduce((sum, [cin, cout]) => sum + 9 * cin! * cout! + 2 * cout!, 0) +
  256 * 1000 +
  1000;

// Reference parameter counts with a 1000-class head (10 for the CIFAR WRN). Trainable parameters only:
// batch-norm moving statistics are not counted, as in PyTorch's `parameters()`.
const REFERENCES: Record<BuiltinBackboneName, Reference> = {
  'simple-cnn': {
    params: SIMPLE_CNN_PARAMS,
    classes: 1000,
    source: 'closed form above (645 896)',
    numFeatures: 256,
    defaultFeatureSide: 4,
    small: 32,
    step: { size: 'default' },
    train: {},
  },
  resnet18: {
    params: 11_689_512,
    classes: 1000,
    source: 'torchvision.models.resnet18 docs, num_params',
    numFeatures: 512,
    defaultFeatureSide: 7,
    small: 32,
    step: { size: 'default' },
    train: {},
  },
  resnet34: {
    params: 21_797_672,
    classes: 1000,
    source: 'torchvision.models.resnet34 docs, num_params',
    numFeatures: 512,
    defaultFeatureSide: 7,
    small: 16,
    step: { size: 16 },
  },
  resnet50: {
    params: 25_557_032,
    classes: 1000,
    source: 'torchvision.models.resnet50 docs, num_params',
    numFeatures: 2048,
    defaultFeatureSide: 7,
    small: 16,
    step: { size: 16 },
  },
  resnext50_32x4d: {
    params: 25_028_904,
    classes: 1000,
    source: 'torchvision.models.resnext50_32x4d docs, num_params',
    numFeatures: 2048,
    defaultFeatureSide: 7,
    small: 16,
    step: { size: 16 },
  },
  wide_resnet50_2: {
    params: 68_883_240,
    classes: 1000,
    source: 'torchvision.models.wide_resnet50_2 docs, num_params',
    numFeatures: 2048,
    defaultFeatureSide: 7,
    small: 16,
    step: { size: 16 },
  },
  wide_resnet: {
    params: 36_479_194,
    classes: 10,
    source:
      'WRN-28-10, Zagoruyko & Komodakis 2016 table 1 (36.5M); exact count of the reference PyTorch code',
    numFeatures: 640,
    defaultFeatureSide: 8,
    small: 8,
    step: { size: 16 },
    // WRN-10-1: the same blocks with one per stage and 16-32-64 channels.
    train: { depth: 10, widen: 1 },
  },
  densenet121: {
    params: 7_978_856,
    classes: 1000,
    source: 'torchvision.models.densenet121 docs, num_params (= Keras DenseNet121 trainable params)',
    numFeatures: 1024,
    defaultFeatureSide: 7,
    small: 29,
    step: { size: 'default' },
  },
  mobilenet_v2: {
    params: 3_504_872,
    classes: 1000,
    source: 'torchvision.models.mobilenet_v2 docs, num_params (= Keras MobileNetV2 trainable params)',
    numFeatures: 1280,
    defaultFeatureSide: 7,
    small: 32,
    step: { size: 'default' },
    train: {},
  },
  efficientnet_b0: {
    params: 5_288_548,
    classes: 1000,
    source: 'torchvision.models.efficientnet_b0 docs, num_params (= Keras EfficientNetB0 trainable params)',
    numFeatures: 1280,
    defaultFeatureSide: 7,
    small: 32,
    step: { size: 'default', options: { dropPathRate: 0 } },
    train: {},
  },
  xception: {
    params: 22_855_952,
    classes: 1000,
    source: 'keras.applications.Xception summary: 22 910 480 total, 22 855 952 trainable',
    numFeatures: 2048,
    defaultFeatureSide: 10,
    small: 16,
    step: { size: 16 },
  },
};

const TRAIN_SIZE = 16;

// The wasm backend: 224-px passes of every backbone in seconds rather than minutes on tfjs-cpu.
beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

describe('backbone registry conformance', () => {
  it('has a reference entry for every built-in backbone', () => {
    const builtins = listBackbones().filter((name) => getBackboneInfo(name).builtin);
    expect(builtins).toEqual(Object.keys(REFERENCES).sort());
  });

  describe.each(Object.entries(REFERENCES) as [BuiltinBackboneName, Reference][])('%s', (name, ref) => {
    let backbone: Backbone;
    beforeAll(() => {
      backbone = createBackbone(name, { inputSize: ref.small });
    });
    afterAll(() => backbone.model.dispose());

    it(`has the reference parameter count (${ref.source})`, () => {
      const classifier = createClassifier(backbone, { numClasses: ref.classes });
      const params = countTrainable(classifier.model);
      expect(Math.abs(params - ref.params) / ref.params).toBeLessThan(0.005);
      expect(params).toBe(ref.params);
      // The classifier shares the backbone's layers: only the head is new.
      expect(params - countTrainable(backbone.model)).toBe(ref.numFeatures * ref.classes + ref.classes);
    });

    it('builds and runs forward at its default input size, with the reference count and the same seeded weights', () => {
      const info = getBackboneInfo(name);
      const before = tf.memory().numTensors;
      const atDefault = createBackbone(name);
      // The classifier shares the backbone's layers: disposing it frees both.
      let owner = atDefault.model;
      try {
        const [height, width] = info.dataConfig!.inputSize;
        expect(atDefault.dataConfig.inputSize).toEqual([height, width]);
        expect(atDefault.model.inputs[0]!.shape).toEqual([null, height, width, 3]);
        const side = ref.defaultFeatureSide;
        expect(atDefault.model.outputs[0]!.shape).toEqual([null, side, side, ref.numFeatures]);
        // A forward pass at the default size gives the reference feature map.
        const x = fakeImages([1, height, width, 3]);
        const y = atDefault.model.predict(x) as tf.Tensor;
        expect(y.shape).toEqual([1, side, side, ref.numFeatures]);
        expect(tf.tidy(() => tf.all(tf.isFinite(y)).dataSync()[0])).toBe(1);
        tf.dispose([x, y]);
        // Weight shapes do not depend on the input size, so the same seed gives the same weights.
        const weights = backbone.model.weights;
        expect(atDefault.model.weights.map((w) => w.originalName)).toEqual(
          weights.map((w) => w.originalName),
        );
        for (const i of [0, Math.floor(weights.length / 2), weights.length - 1]) {
          const [a, b] = [atDefault.model.weights[i]!.read(), weights[i]!.read()];
          expect(
            sameValues(a.dataSync() as Float32Array, b.dataSync() as Float32Array),
            weights[i]!.originalName,
          ).toBe(true);
        }
        // The reference parameter count at the default size too (within 1%; exact in fact).
        const classifier = createClassifier(atDefault, { numClasses: ref.classes });
        owner = classifier.model;
        const params = countTrainable(classifier.model);
        expect(Math.abs(params - ref.params) / ref.params).toBeLessThan(0.01);
        expect(params).toBe(ref.params);
      } finally {
        owner.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    });

    it('carries a data config and layer groups that cover every layer once', () => {
      const { dataConfig, layerGroups } = backbone;
      expect(dataConfig.inputSize).toEqual([ref.small, ref.small]);
      expect(dataConfig.channels).toBe(3);
      expect(dataConfig.mean).toHaveLength(3);
      expect(dataConfig.std.every((s) => s > 0)).toBe(true);
      expect(['bilinear', 'bicubic', 'nearest']).toContain(dataConfig.interpolation);
      expect(dataConfig.cropFraction).toBeGreaterThan(0);
      expect(dataConfig.cropFraction).toBeLessThanOrEqual(1);
      expect(layerGroups[0]!.name).toBe('stem');
      expect(layerGroups.slice(1).map((g) => g.name)).toEqual(
        layerGroups.slice(1).map((_, i) => `stage${i + 1}`),
      );
      const grouped = layerGroups.flatMap((g) => g.layers);
      expect(new Set(grouped).size).toBe(grouped.length);
      expect([...grouped].sort()).toEqual(backbone.model.layers.map((l) => l.name).sort());
      expect(backbone.numFeatures).toBe(ref.numFeatures);
      expect(backbone.config).toEqual({
        name,
        options: { inputSize: [ref.small, ref.small], inputChannels: 3, seed: 0 },
      });
    });

    it('runs a forward pass at a small input size without leaking tensors', () => {
      const x = fakeImages([1, ref.small, ref.small, 3]);
      const [shape, finite] = expectNoLeaksSync(() => {
        const y = backbone.model.predict(x) as tf.Tensor;
        const result = [y.shape, tf.tidy(() => tf.all(tf.isFinite(y)).dataSync()[0])] as const;
        y.dispose();
        return result;
      });
      x.dispose();
      const side = backbone.model.outputs[0]!.shape[1];
      expect(shape).toEqual([1, side, side, ref.numFeatures]);
      expect(finite).toBe(1);
    });

    const stepSize =
      ref.step.size === 'default' ? getBackboneInfo(name).dataConfig!.inputSize[0] : ref.step.size;
    it(`lowers the loss on a fixed batch with one training step (${stepSize} px${ref.step.size === 'default' ? ', the default size' : ''})`, () => {
      const net = createClassifier(createBackbone(name, { inputSize: stepSize, ...ref.step.options }), {
        numClasses: 3,
      });
      const n = ref.step.size === 'default' ? 2 : 4;
      const x = fakeImages([n, stepSize, stepSize, 3], 4);
      const y = cyclicLabels(n, 3);
      const before = tf.memory().numTensors;
      // Training mode: batch-norm on batch statistics, as fit() runs it.
      const step = descentStep(net.model, x, y);
      expect(tf.memory().numTensors).toBe(before);
      expect(step.finite).toBe(true);
      // Every trainable weight, stem to head, receives a gradient.
      expect(step.zeroGradients).toEqual([]);
      expect(step.learningRate).not.toBeNull();
      expect(step.lossAfter).toBeLessThan(step.lossBefore);
      tf.dispose([x, y]);
      net.model.dispose();
    });

    if (ref.train !== undefined) {
      const options = { inputSize: TRAIN_SIZE, ...ref.train };

      it('gives different weights for another seed', () => {
        const other = createBackbone(name, { inputSize: ref.small, seed: 1 });
        const kernel = (b: Backbone) =>
          b.model.weights
            .find((w) => w.shape.length === 4)!
            .read()
            .dataSync();
        expect(sameValues(kernel(other) as Float32Array, kernel(backbone) as Float32Array)).toBe(false);
        other.model.dispose();
      });

      it('round-trips through save and load with identical outputs', async () => {
        const dir = await mkdtemp(join(tmpdir(), `topk-${name}-`));
        const net = createClassifier(createBackbone(name, options), { numClasses: 5, seed: 3 });
        try {
          await saveModel(net, dir);
          const loaded = await loadModel(dir);
          const x = fakeImages([2, TRAIN_SIZE, TRAIN_SIZE, 3], 1);
          const a = net.model.predict(x) as tf.Tensor;
          const b = loaded.model.predict(x) as tf.Tensor;
          expect(sameValues(a.dataSync() as Float32Array, b.dataSync() as Float32Array)).toBe(true);
          expect(loaded.layerGroups).toEqual(net.layerGroups);
          expect(loaded.kind).toBe('classifier');
          tf.dispose([x, a, b]);
          loaded.model.dispose();
        } finally {
          net.model.dispose();
          await rm(dir, { recursive: true, force: true });
        }
      });

      it('leaves frozen weights bit-identical after a training step', () => {
        const net = createClassifier(createBackbone(name, options), { numClasses: 3 });
        freeze(net);
        const x = fakeImages([2, TRAIN_SIZE, TRAIN_SIZE, 3], 2);
        const y = cyclicLabels(2, 3);
        const before = snapshot(net.model);
        sgdStep(net.model, x, y, 0.1);
        const after = snapshot(net.model);
        const head = new Set(net.layerGroups.at(-1)!.layers);
        for (const layer of net.model.layers) {
          for (const w of layer.weights) {
            const unchanged = sameValues(before.get(w.originalName), after.get(w.originalName));
            // Frozen: every weight bit-identical, batch-norm moving statistics included.
            expect(unchanged, w.originalName).toBe(!head.has(layer.name));
          }
        }
        tf.dispose([x, y]);
        net.model.dispose();
      });
    }
  });
});
