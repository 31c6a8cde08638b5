import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCnn } from './benches/train-cnn.js';
import { buildMnet } from './benches/train-mnet.js';
import { countTrainableParams } from './train-and-predict.js';

// Builds the nets (weights initialised, nothing run): cheap. The counts are `params` as printed by
// ../shared/reference/torch_train_step.py (`sum(p.numel() for p in m.parameters())`, running stats excluded).
describe('bench nets mirror the PyTorch reference', () => {
  beforeAll(async () => {
    await selectBackend({ backend: 'cpu', purpose: 'predict', env: {} });
  });

  it.each([
    // conv 3·3·3·32+32, conv 3·3·32·64+64, dense 16·16·64·10+10
    ['cnn', buildCnn, 183_242],
    // the sum over cbr / inverted-residual blocks, checked against torch's printout
    ['mnet', buildMnet, 126_154],
  ])('%s has the same trainable parameter count (%#)', (_name, build, params) => {
    const before = tf.memory().numTensors;
    const model = build();
    expect(countTrainableParams(model)).toBe(params);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
