import * as tfl from '@tensorflow/tfjs-layers';
import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultLayerGroups,
  discriminativeMultipliers,
  isBatchNormalization,
  setTrainableGroups,
} from './layer-groups.js';
import { expectInvalid, tinyCnn } from './test-helpers.js';

beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});

describe('layer groups', () => {
  it('split a model into body and head at its last weighted layer', () => {
    const model = tinyCnn();
    const [body, head] = defaultLayerGroups(model);
    expect(body!.map((l) => l.getClassName())).toEqual([
      'Conv2D',
      'BatchNormalization',
      'ReLU',
      'GlobalAveragePooling2D',
    ]);
    expect(head!.map((l) => l.getClassName())).toEqual(['Dense']);
    const single = tfl.sequential({
      layers: [tfl.layers.dense({ inputShape: [2], units: 2 }), tfl.layers.softmax()],
    });
    expect(defaultLayerGroups(single)).toHaveLength(1);
    model.dispose();
    single.dispose();
  });

  it('freeze the groups before firstTrainable, keeping batch-norm trainable unless told', () => {
    const model = tinyCnn();
    const groups = defaultLayerGroups(model);
    setTrainableGroups(groups, 1);
    expect(model.layers.map((l) => l.trainable)).toEqual([false, true, false, false, true]);
    expect(isBatchNormalization(model.layers[1]!)).toBe(true);
    setTrainableGroups(groups, 1, { trainBatchNorm: false });
    expect(model.trainableWeights.map((w) => w.name.split('/').at(-1))).toEqual(['kernel', 'bias']);
    setTrainableGroups(groups, 0);
    expect(model.trainableWeights).toHaveLength(6);
    expectInvalid(() => setTrainableGroups(groups, -1), 'setTrainableGroups', 'firstTrainable');
    model.dispose();
  });

  it('space discriminative multipliers geometrically from 1/lrMult to 1 (fastai even_mults)', () => {
    const three = [[], [], []];
    expect(discriminativeMultipliers(three, 100)).toEqual([0.01, 0.1, 1]);
    expect(discriminativeMultipliers([[]], 100)).toEqual([1]);
    expectInvalid(() => discriminativeMultipliers(three, 0), 'discriminativeMultipliers', 'lrMult');
  });
});
