import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Classifier, createClassifier } from './classifier.js';
import { layerGroupLrMultipliers } from './lr-multipliers.js';
import { createBackbone } from './registry.js';
import type { GroupedModel } from './types.js';

let net: Classifier;

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Groups: stem, stage1, stage2, head.
  net = createClassifier(createBackbone('simple-cnn', { channels: [4, 8, 8], inputSize: 8 }), {
    numClasses: 3,
  });
});

afterAll(() => net.model.dispose());

function byGroup(multipliers: Map<string, number>): number[] {
  return net.layerGroups.map((group) => {
    const layer = net.model.getLayer(
      group.layers.find((name) => net.model.getLayer(name).weights.length > 0)!,
    );
    return multipliers.get(layer.weights[0]!.name)!;
  });
}

describe('layerGroupLrMultipliers', () => {
  it("defaults to ULMFiT's factor of 1 / 2.6 per group down from the head", () => {
    const m = byGroup(layerGroupLrMultipliers(net));
    [1 / 2.6 ** 3, 1 / 2.6 ** 2, 1 / 2.6, 1].forEach((expected, i) => {
      expect(m[i]).toBeCloseTo(expected, 12);
    });
  });

  it("spreads geometrically from `lowest` to `base`, as fastai's slice(lo, hi)", () => {
    // fastai even_mults(1e-5, 1e-2, 4) = [1e-5, 1e-4, 1e-3, 1e-2]: relative to hi, 1e-3 ... 1.
    const m = byGroup(layerGroupLrMultipliers(net, { lowest: 1e-3 }));
    [1e-3, 1e-2, 1e-1, 1].forEach((expected, i) => {
      expect(m[i]).toBeCloseTo(expected, 12);
    });
    const scaled = byGroup(layerGroupLrMultipliers(net, { factor: 0.5, base: 2 }));
    expect(scaled).toEqual([0.25, 0.5, 1, 2]);
  });

  it('covers every weight, keyed by the variable names optimizers use', () => {
    const multipliers = layerGroupLrMultipliers(net);
    expect([...multipliers.keys()].sort()).toEqual(net.model.weights.map((w) => w.name).sort());
    for (const w of net.model.trainableWeights)
      expect(multipliers.has((w.read() as tf.Variable).name)).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => layerGroupLrMultipliers(net, { factor: 0.5, lowest: 0.1 })).toThrow(
      'Error in layerGroupLrMultipliers: options must be either factor or lowest, not both, got "both"',
    );
    expect(() => layerGroupLrMultipliers(net, { factor: 0 })).toThrow(
      'options.factor must be a finite number > 0',
    );
    expect(() => layerGroupLrMultipliers(net, { base: -1 })).toThrow(
      'options.base must be a finite number > 0',
    );
    expect(() => layerGroupLrMultipliers({} as GroupedModel)).toThrow(
      'model must be a backbone or classifier',
    );
  });
});
