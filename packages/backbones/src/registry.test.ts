import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, TopkError } from '@topk/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UnknownBackboneError } from './errors.js';
import { makeDivisible } from './mobilenet-v2.js';
import {
  createBackbone,
  getBackboneInfo,
  listBackbones,
  registerBackbone,
  unregisterBackbone,
} from './registry.js';
import { countTrainable } from './test-helpers.js';
import type { BackboneDefinition, DataConfig } from './types.js';

const BUILTINS = [
  'densenet121',
  'efficientnet_b0',
  'mobilenet_v2',
  'resnet18',
  'resnet34',
  'resnet50',
  'resnext50_32x4d',
  'simple-cnn',
  'wide_resnet',
  'wide_resnet50_2',
  'xception',
];

const TINY_CONFIG: DataConfig = {
  inputSize: [8, 8],
  channels: 3,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  interpolation: 'bilinear',
  cropFraction: 1,
};

/** A two-layer custom backbone; `breakGroups` leaves its conv out of every group. */
function tinyFactory(breakGroups = false) {
  return (options: { readonly [key: string]: unknown }): BackboneDefinition => {
    const width = (options.width as number | undefined) ?? 4;
    const input = tfl.input({ shape: [8, 8, 3], name: 'tiny_input' });
    const output = tfl.layers
      .conv2d({
        name: 'tiny_conv',
        filters: width,
        kernelSize: 3,
        kernelInitializer: tfl.initializers.zeros(),
      })
      .apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    return {
      model,
      layerGroups: breakGroups
        ? [{ name: 'stem', layers: ['tiny_input'] }]
        : [
            { name: 'stem', layers: ['tiny_input'] },
            { name: 'body', layers: ['tiny_conv'] },
          ],
      dataConfig: TINY_CONFIG,
    };
  };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  for (const name of listBackbones('test-*')) unregisterBackbone(name);
});

describe('listBackbones', () => {
  it('lists every built-in backbone, sorted', () => {
    expect(listBackbones()).toEqual(BUILTINS);
  });

  it('filters with a glob or a regular expression', () => {
    expect(listBackbones('resnet*')).toEqual(['resnet18', 'resnet34', 'resnet50']);
    expect(listBackbones('*resne?t*')).toEqual(['resnext50_32x4d']);
    expect(listBackbones(/^wide_/)).toEqual(['wide_resnet', 'wide_resnet50_2']);
    expect(listBackbones('simple-cnn')).toEqual(['simple-cnn']);
    expect(listBackbones('nothing*')).toEqual([]);
  });

  it('rejects other filters', () => {
    expect(() => listBackbones(3 as unknown as string)).toThrow(
      'Error in listBackbones: filter must be a glob string or a RegExp, got 3',
    );
  });
});

describe('createBackbone errors', () => {
  it('suggests the closest names for an unknown backbone', () => {
    expect(() => createBackbone('resnet51')).toThrow('Unknown backbone: resnet51 (did you mean resnet50?)');
    expect(() => createBackbone('mobilenetv2')).toThrow(
      'Unknown backbone: mobilenetv2 (did you mean mobilenet_v2?)',
    );
    const error = caught(() => createBackbone('densenet'));
    expect(error).toBeInstanceOf(UnknownBackboneError);
    expect((error as UnknownBackboneError).code).toBe('UNKNOWN_BACKBONE');
    expect((error as UnknownBackboneError).suggestions).toEqual(['densenet121']);
    expect(() => createBackbone('transformer-xl')).toThrow(
      `Unknown backbone: transformer-xl (registered backbones: ${BUILTINS.join(', ')})`,
    );
    expect(() => getBackboneInfo('xceptoin')).toThrow('Unknown backbone: xceptoin (did you mean xception?)');
  });

  it('checks options', () => {
    expect(() => createBackbone('resnet18', { inputSize: 0 })).toThrow(
      'Error in createBackbone: options.inputSize must be an integer >= 1 or [height, width] of such integers, got 0',
    );
    expect(() => createBackbone('densenet121', { inputSize: 28 })).toThrow('an integer >= 29');
    expect(() => createBackbone('xception', { inputSize: [64, 6] })).toThrow('an integer >= 7');
    expect(() => createBackbone('resnet18', { seed: 0.5 })).toThrow(
      'Error in createBackbone: options.seed must be a safe integer, got 0.5',
    );
    expect(() => createBackbone('resnet18', { inputChannels: 0 })).toThrow(InvalidArgumentError);
    expect(() =>
      createBackbone('mobilenet_v2', { widthMultipler: 0.5 } as unknown as { widthMultiplier: number }),
    ).toThrow('Error in createBackbone: options.widthMultipler must be one of the known options');
    expect(() => createBackbone('mobilenet_v2', { widthMultiplier: -1 })).toThrow(InvalidArgumentError);
    expect(() => createBackbone('wide_resnet', { depth: 20 })).toThrow(
      'Error in createBackbone: options.depth must be 6n + 4 with n >= 1 (10, 16, 22, 28, ...), got 20',
    );
    expect(() => createBackbone('wide_resnet', { dropRate: 1 })).toThrow(InvalidArgumentError);
    expect(() => createBackbone('efficientnet_b0', { dropPathRate: 2 })).toThrow(InvalidArgumentError);
    expect(() => createBackbone('simple-cnn', { channels: [] })).toThrow(
      'Error in createBackbone: options.channels must be a non-empty array of positive integers, got array of length 0',
    );
    expect(() => createBackbone('', {})).toThrow(
      'Error in createBackbone: name must be a non-empty string, got ""',
    );
    expect(() => createBackbone('resnet18', 'big' as unknown as object)).toThrow(InvalidArgumentError);
  });
});

describe('built-in options', () => {
  it('builds at the smallest input the architecture allows, non-square inputs, and other channel counts', () => {
    for (const name of ['densenet121', 'xception'] as const) {
      const min = getBackboneInfo(name).minInputSize!;
      const b = createBackbone(name, { inputSize: min });
      expect(b.model.outputs[0]!.shape.slice(1, 3)).toEqual([1, 1]);
      b.model.dispose();
    }
    const gray = createBackbone('resnet18', { inputSize: [48, 80], inputChannels: 1 });
    expect(gray.model.outputs[0]!.shape).toEqual([null, 2, 3, 512]);
    expect(gray.dataConfig.channels).toBe(1);
    expect(gray.dataConfig.inputSize).toEqual([48, 80]);
    // timm's rule for other channel counts: the mean of the reference statistics.
    expect(gray.dataConfig.mean[0]).toBeCloseTo((0.485 + 0.456 + 0.406) / 3, 12);
    expect(gray.dataConfig.std[0]).toBeCloseTo((0.229 + 0.224 + 0.225) / 3, 12);
    gray.model.dispose();
  });

  it('builds WRN-16-4 with the closed-form parameter count (2.7M in Zagoruyko & Komodakis table 1)', () => {
    // conv1 3*3*3*16; each pre-activation block: BN(in) + 3x3(in, out) + BN(out) + 3x3(out, out)
    // (+ 1x1 projection when the width changes); final BN(64k); a 10-way head.
    const block = (cin: number, cout: number) =>
      2 * cin + 9 * cin * cout + 2 * cout + 9 * cout * cout + (cin === cout ? 0 : cin * cout);
    const k = 4;
    const expected =
      27 * 16 +
      block(16, 16 * k) +
      block(16 * k, 16 * k) +
      block(16 * k, 32 * k) +
      block(32 * k, 32 * k) +
      block(32 * k, 64 * k) +
      block(64 * k, 64 * k) +
      2 * 64 * k +
      (64 * k * 10 + 10);
    expect(expected).toBe(2_748_890);
    const b = createBackbone('wide_resnet', { depth: 16, widen: 4, dropRate: 0.3 });
    expect(countTrainable(b.model) + 64 * k * 10 + 10).toBe(expected);
    expect(b.model.layers.filter((l) => l.getClassName() === 'TopkSeededDropout')).toHaveLength(6);
    expect(b.config.options).toEqual({
      depth: 16,
      widen: 4,
      dropRate: 0.3,
      inputSize: [32, 32],
      inputChannels: 3,
      seed: 0,
    });
    b.model.dispose();
  });

  it('scales MobileNetV2 channels with the width multiplier', () => {
    // MobileNetV2 paper table 2, [filters, repeats, stride] per bottleneck stage (expansion 6 except the first).
    const stages: [number, number, number][] = [
      [16, 1, 1],
      [24, 2, 2],
      [32, 3, 2],
      [64, 4, 2],
      [96, 3, 1],
      [160, 3, 2],
      [320, 1, 1],
    ];
    // Closed-form trainable parameters of the headless network, gamma and beta counted for each BN.
    const params = (alpha: number) => {
      let cin = makeDivisible(32 * alpha);
      let total = 27 * cin + 2 * cin;
      stages.forEach(([filters, repeats], s) => {
        const cout = makeDivisible(Math.trunc(filters * alpha));
        for (let i = 0; i < repeats; i++) {
          const hidden = s === 0 ? cin : 6 * cin;
          if (s > 0) total += cin * hidden + 2 * hidden;
          total += 9 * hidden + 2 * hidden + hidden * cout + 2 * cout;
          cin = cout;
        }
      });
      const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
      return { total: total + cin * last + 2 * last, last };
    };
    // Anchor the formula on the published count: 3 504 872 with the 1000-way head (torchvision docs).
    expect(params(1).total + 1280 * 1000 + 1000).toBe(3_504_872);
    for (const alpha of [0.35, 0.5, 1.4]) {
      const b = createBackbone('mobilenet_v2', { widthMultiplier: alpha, inputSize: 32 });
      expect(countTrainable(b.model)).toBe(params(alpha).total);
      expect(b.numFeatures).toBe(params(alpha).last);
      expect(b.model.getLayer('Conv1').getWeights()[0]!.shape[3]).toBe(makeDivisible(32 * alpha));
      b.model.dispose();
    }
    // _make_divisible: nearest multiple of 8, never more than 10% below the value.
    expect([
      makeDivisible(11.2),
      makeDivisible(16 * 0.35),
      makeDivisible(1280 * 1.4),
      makeDivisible(20),
    ]).toEqual([16, 8, 1792, 24]);
  });

  it('uses Keras layer names where Keras has the architecture', () => {
    const names = (name: 'mobilenet_v2' | 'densenet121' | 'efficientnet_b0' | 'xception' | 'resnet50') => {
      const b = createBackbone(name, { inputSize: 32 });
      const layerNames = b.model.layers.map((l) => l.name);
      b.model.dispose();
      return layerNames;
    };
    expect(names('mobilenet_v2')).toEqual(
      expect.arrayContaining([
        'Conv1',
        'bn_Conv1',
        'expanded_conv_depthwise',
        'block_16_project_BN',
        'Conv_1',
        'out_relu',
      ]),
    );
    expect(names('densenet121')).toEqual(
      expect.arrayContaining([
        'conv1/conv',
        'conv2_block6_concat',
        'pool4_conv',
        'conv5_block16_2_conv',
        'bn',
      ]),
    );
    expect(names('efficientnet_b0')).toEqual(
      expect.arrayContaining([
        'stem_conv',
        'block1a_se_excite',
        'block6d_drop',
        'block7a_project_bn',
        'top_activation',
      ]),
    );
    expect(names('xception')).toEqual(
      expect.arrayContaining([
        'block1_conv1',
        'conv2d_3',
        'batch_normalization_3',
        'add_11',
        'block14_sepconv2_act',
      ]),
    );
    expect(names('resnet50')).toEqual(
      expect.arrayContaining(['conv1_conv', 'conv2_block1_0_conv', 'conv5_block3_out']),
    );
  });
});

describe('registerBackbone', () => {
  it('registers, builds, lists and removes a custom backbone', () => {
    registerBackbone('test-tiny', tinyFactory(), { description: 'two layers' });
    expect(listBackbones('test-*')).toEqual(['test-tiny']);
    expect(getBackboneInfo('test-tiny')).toEqual({
      name: 'test-tiny',
      description: 'two layers',
      builtin: false,
    });
    const b = createBackbone('test-tiny', { width: 6 });
    expect(b.numFeatures).toBe(6);
    expect(b.config).toEqual({ name: 'test-tiny', options: { width: 6 } });
    expect(b.layerGroups.map((g) => g.name)).toEqual(['stem', 'body']);
    b.model.dispose();
    expect(unregisterBackbone('test-tiny')).toBe(true);
    expect(unregisterBackbone('test-tiny')).toBe(false);
    expect(() => createBackbone('test-tiny')).toThrow(UnknownBackboneError);
  });

  it('throws on duplicate names, built-in or custom', () => {
    expect(() => registerBackbone('resnet50', tinyFactory())).toThrow(
      'Error in registerBackbone: name must be a name not already registered, got "resnet50"',
    );
    registerBackbone('test-dup', tinyFactory());
    expect(() => registerBackbone('test-dup', tinyFactory())).toThrow('a name not already registered');
  });

  it('rejects bad names, factories and removals of built-ins', () => {
    expect(() => registerBackbone('bad name', tinyFactory())).toThrow(InvalidArgumentError);
    expect(() => registerBackbone('test-x', 'factory' as unknown as ReturnType<typeof tinyFactory>)).toThrow(
      'Error in registerBackbone: factory must be a function, got "factory"',
    );
    expect(() => unregisterBackbone('resnet18')).toThrow(InvalidArgumentError);
  });

  it('checks what a factory returns', () => {
    registerBackbone('test-broken', tinyFactory(true));
    expect(() => createBackbone('test-broken')).toThrow(
      'Backbone test-broken: layer tiny_conv is in no layer group',
    );
    registerBackbone('test-nothing', () => ({}) as BackboneDefinition);
    expect(() => createBackbone('test-nothing')).toThrow(TopkError);
    registerBackbone('test-config', (o) => ({
      ...tinyFactory()(o),
      dataConfig: { ...TINY_CONFIG, mean: [0] },
    }));
    expect(() => createBackbone('test-config')).toThrow(
      'dataConfig.mean and dataConfig.std need one finite value per channel',
    );
    expect(() => createBackbone('test-config', { when: new Date() } as never)).toThrow(
      'Error in createBackbone: options.when must be a JSON value, got object',
    );
  });
});
