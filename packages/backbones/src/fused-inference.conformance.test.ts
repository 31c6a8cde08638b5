import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { fuseForInference, selectBackend } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from './classifier.js';
import { createBackbone, listBackbones } from './registry.js';

// Every registered backbone, with a head, gives the same predictions through topk's fused inference plan
// (batch-norm folded into convolutions, ReLU/ReLU6 into their clamp, ZeroPadding2D into the padding) as
// through tfjs-layers' model.predict: the plan must know every layer pattern the registry builds.
describe('fuseForInference on every registered backbone', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'wasm', purpose: 'predict' });
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const name of listBackbones()) {
    it(`${name}: the plan predicts as model.predict does`, () => {
      // Small enough that the widest default (WRN) stays quick; 32 px is the smallest size every family takes.
      const backbone = createBackbone(name, { inputSize: 32, seed: 5 });
      const classifier = createClassifier(backbone, { numClasses: 3, dropout: 0 });
      const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 9);
      const before = tf.memory().numTensors;
      const plan = fuseForInference(classifier.model);
      const expected = classifier.model.predict(x) as tf.Tensor;
      const actual = plan.predict(x) as tf.Tensor;
      const difference = tf.tidy(() => tf.max(tf.abs(tf.sub(expected, actual))).dataSync()[0]!);
      expect(difference).toBeLessThan(1e-4);
      if (/resnet|mobilenet|densenet|efficientnet|simple-cnn/.test(name)) {
        expect(plan.report.foldedBatchNorms).toBeGreaterThan(0);
      }
      tf.dispose([expected, actual]);
      plan.dispose();
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(x);
      classifier.model.dispose();
    }, 60_000);
  }
});
