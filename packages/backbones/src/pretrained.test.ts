import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, type TopkError } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifier, createHead } from './classifier.js';
import { fileSystemHandler } from './file-system-handler.js';
import { forwardFeatures } from './forward-features.js';
import { saveModel } from './model-io.js';
import { loadPretrained } from './pretrained.js';
import { createBackbone } from './registry.js';
import { fakeImages, sameValues, serveDirectory, snapshot } from './test-helpers.js';
import type { GroupedModel } from './types.js';

let root: string;
let sourceDir: string;

const tinyBackbone = (seed: number, inputChannels = 3) =>
  createBackbone('simple-cnn', { channels: [4, 8], inputSize: 8, seed, inputChannels });

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'topk-pretrained-'));
  // The "pretrained" model: a 10-class classifier saved in the tfjs format.
  sourceDir = join(root, 'source');
  const source = createClassifier(tinyBackbone(1), { numClasses: 10 });
  await saveModel(source, sourceDir);
  source.model.dispose();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function expectSameFeatures(a: GroupedModel & { kind: 'classifier' | 'backbone' }, b: typeof a): void {
  const x = fakeImages([2, 8, 8, 3]);
  const [fa, fb] = [forwardFeatures(a as never, x), forwardFeatures(b as never, x)];
  expect(sameValues(fa.dataSync() as Float32Array, fb.dataSync() as Float32Array)).toBe(true);
  tf.dispose([x, fa, fb]);
}

const BACKBONE_WEIGHTS = [
  'block1_bn/beta',
  'block1_bn/gamma',
  'block1_bn/moving_mean',
  'block1_bn/moving_variance',
  'block1_conv/kernel',
  'block2_bn/beta',
  'block2_bn/gamma',
  'block2_bn/moving_mean',
  'block2_bn/moving_variance',
  'block2_conv/kernel',
];

describe('loadPretrained', () => {
  it('loads the backbone and skips a head of another class count, reporting it', async () => {
    const target = createClassifier(tinyBackbone(2), { numClasses: 4 });
    const headBefore = snapshot(target.model).get('predictions/kernel');
    const before = tf.memory().numTensors;
    const report = await loadPretrained(target, sourceDir);
    expect(tf.memory().numTensors).toBe(before);
    expect(report.loaded).toEqual(BACKBONE_WEIGHTS);
    expect(report.shapeMismatched).toEqual([
      { name: 'predictions/bias', expected: [4], received: [10] },
      { name: 'predictions/kernel', expected: [8, 4], received: [8, 10] },
    ]);
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(sameValues(snapshot(target.model).get('predictions/kernel'), headBefore)).toBe(true);
    const reference = createClassifier(tinyBackbone(1), { numClasses: 10 });
    await loadPretrained(reference, sourceDir, { strict: true });
    expectSameFeatures(target, reference);
    target.model.dispose();
    reference.model.dispose();
  });

  it('cuts the head off when loading into a headless backbone', async () => {
    const backbone = tinyBackbone(3);
    const report = await loadPretrained(backbone, sourceDir);
    expect(report.loaded).toEqual(BACKBONE_WEIGHTS);
    expect(report.unexpected).toEqual(['predictions/bias', 'predictions/kernel']);
    backbone.model.dispose();
  });

  it('leaves a matching head alone with skipHead', async () => {
    const target = createClassifier(tinyBackbone(2), { numClasses: 10 });
    const head = snapshot(target.model);
    const report = await loadPretrained(target, sourceDir, { skipHead: true });
    expect(report.skipped).toEqual(['predictions/bias', 'predictions/kernel']);
    expect(report.unexpected).toEqual([]);
    expect(report.missing).toEqual([]);
    expect(sameValues(snapshot(target.model).get('predictions/kernel'), head.get('predictions/kernel'))).toBe(
      true,
    );
    target.model.dispose();
  });

  it('throws in strict mode before changing anything', async () => {
    const target = createClassifier(tinyBackbone(2), { numClasses: 4 });
    const before = snapshot(target.model);
    const error = await loadPretrained(target, sourceDir, { strict: true }).catch((e: unknown) => e);
    expect((error as TopkError).code).toBe('PRETRAINED_MISMATCH');
    expect((error as Error).message).toContain('0 missing, 0 unexpected and 2 shape-mismatched weights');
    const after = snapshot(target.model);
    for (const [name, values] of before) expect(sameValues(values, after.get(name)), name).toBe(true);
    target.model.dispose();
  });

  it('maps names as Keras converters write them: model prefixes, ":0" suffixes, Keras 3 indices', async () => {
    // A Keras-style conversion of MobileNetV2 (alpha 0.35, Keras layer names): the weights of our own
    // model renamed the way tensorflowjs_converter and Keras 3 name them, with a Keras topology that
    // topk never needs to deserialise.
    const source = createBackbone('mobilenet_v2', { widthMultiplier: 0.35, inputSize: 32, seed: 5 });
    const dir = join(root, 'keras');
    await source.model.save(fileSystemHandler(dir));
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.modelTopology = {
      class_name: 'Functional',
      keras_version: '2.15.0',
      backend: 'tensorflow',
      config: {},
    };
    json.generatedBy = 'keras v2.15.0';
    json.convertedBy = 'TensorFlow.js Converter v4.22.0';
    const weights = json.weightsManifest[0].weights as { name: string }[];
    weights.forEach((w, i) => {
      if (w.name === 'Conv1/kernel') w.name = 'Conv1/0';
      else w.name = i % 2 === 0 ? `mobilenetv2_0.35_224/${w.name}:0` : `${w.name}:0`;
    });
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const target = createBackbone('mobilenet_v2', { widthMultiplier: 0.35, inputSize: 32, seed: 6 });
    const report = await loadPretrained(target, dir, { strict: true });
    expect(report.loaded).toHaveLength(source.model.weights.length);
    const [a, b] = [snapshot(source.model), snapshot(target.model)];
    for (const [name, values] of a) expect(sameValues(values, b.get(name)), name).toBe(true);
    source.model.dispose();
    target.model.dispose();
  });

  it("adapts the stem convolution to other channel counts as timm's adapt_input_conv", async () => {
    const source = tinyBackbone(1);
    const kernel = source.model.getLayer('block1_conv').getWeights()[0]!;
    const gray = tinyBackbone(2, 1);
    const report = await loadPretrained(gray, source);
    expect(report.adapted).toEqual([
      { name: 'block1_conv/kernel', expected: [3, 3, 1, 4], received: [3, 3, 3, 4] },
    ]);
    expect(report.loaded).toContain('block1_conv/kernel');
    const summed = tf.sum(kernel, 2, true);
    tf.test_util.expectArraysClose(
      gray.model.getLayer('block1_conv').getWeights()[0]!.dataSync(),
      summed.dataSync(),
      1e-6,
    );
    // Four channels: RGB repeated (R, G, B, R) and scaled by 3 / 4.
    const four = tinyBackbone(2, 4);
    await loadPretrained(four, source.model);
    const expected = tf.mul(tf.concat([kernel, tf.slice(kernel, [0, 0, 0, 0], [-1, -1, 1, -1])], 2), 0.75);
    tf.test_util.expectArraysClose(
      four.model.getLayer('block1_conv').getWeights()[0]!.dataSync(),
      expected.dataSync(),
      1e-6,
    );
    const strict = tinyBackbone(2, 1);
    const noAdapt = await loadPretrained(strict, source, { adaptInputChannels: false });
    expect(noAdapt.shapeMismatched.map((m) => m.name)).toEqual(['block1_conv/kernel']);
    // getWeights() hands out the variables themselves: only the derived tensors are disposed here.
    tf.dispose([summed, expected]);
    for (const b of [source, gray, four, strict]) b.model.dispose();
  });

  it('loads from a URL, a tfjs model and a map of named tensors', async () => {
    const server = await serveDirectory(root);
    try {
      const fromUrl = tinyBackbone(7);
      const report = await loadPretrained(fromUrl, `${server.url}/source/model.json`);
      expect(report.loaded).toEqual(BACKBONE_WEIGHTS);
      const fromModel = tinyBackbone(8);
      await loadPretrained(fromModel, fromUrl.model, { strict: true });
      const tensors = Object.fromEntries(fromUrl.model.weights.map((w) => [w.originalName, w.read()]));
      const fromMap = tinyBackbone(9);
      await loadPretrained(fromMap.model, tensors, { strict: true });
      expectSameFeatures(fromUrl, fromModel);
      expectSameFeatures(fromUrl, fromMap);
      // The copies are independent of the source.
      fromUrl.model.getLayer('block1_conv').setWeights([tf.zeros([3, 3, 3, 4])]);
      expect(
        sameValues(
          snapshot(fromUrl.model).get('block1_conv/kernel'),
          snapshot(fromModel.model).get('block1_conv/kernel'),
        ),
      ).toBe(false);
      for (const b of [fromUrl, fromModel, fromMap]) b.model.dispose();
    } finally {
      await server.close();
    }
  });

  it("loads weights held in memory: a bundled model.json's manifest and its shards", async () => {
    const json = JSON.parse(await readFile(join(sourceDir, 'model.json'), 'utf8'));
    const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
    const bytes = new Uint8Array(await readFile(join(sourceDir, manifest[0]!.paths[0]!)));
    // The same bytes as two shards (one of them a Uint8Array view with an offset, as Node's Buffer
    // pool hands out), and as specs with one buffer: the forms a bundler or an IOHandler gives.
    const cut = 100;
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 8);
    const shards = [bytes.slice(0, cut).buffer, padded.subarray(8 + cut)];
    const fromManifest = tinyBackbone(4);
    const before = tf.memory().numTensors;
    const report = await loadPretrained(fromManifest, { weightsManifest: manifest, weightData: shards });
    expect(tf.memory().numTensors).toBe(before);
    expect(report.loaded).toEqual(BACKBONE_WEIGHTS);
    expect(report.unexpected).toEqual(['predictions/bias', 'predictions/kernel']);
    const fromSpecs = tinyBackbone(5);
    await loadPretrained(fromSpecs, { weightSpecs: manifest[0]!.weights, weightData: bytes.buffer });
    const reference = tinyBackbone(6);
    await loadPretrained(reference, sourceDir);
    expectSameFeatures(fromManifest, reference);
    expectSameFeatures(fromSpecs, reference);
    // uint8-quantised weights (tensorflowjs_converter --quantize_uint8) decode to min + scale * byte.
    const quantised = tinyBackbone(7);
    const specs = manifest[0]!.weights.map((w) => ({
      ...w,
      quantization: { dtype: 'uint8' as const, min: -1, scale: 0.5 },
    }));
    const count = specs.reduce((sum, w) => sum + w.shape.reduce((a, d) => a * d, 1), 0);
    const codes = Uint8Array.from({ length: count }, (_, i) => i % 5);
    await loadPretrained(quantised, { weightSpecs: specs, weightData: codes });
    const kernel = quantised.model.getLayer('block1_conv').getWeights()[0]!.dataSync();
    expect(Array.from(kernel.slice(0, 6))).toEqual([-1, -0.5, 0, 0.5, 1, -1]);
    for (const b of [fromManifest, fromSpecs, reference, quantised]) b.model.dispose();
  });

  it('rejects in-memory weights without specs or with the wrong number of bytes', async () => {
    const json = JSON.parse(await readFile(join(sourceDir, 'model.json'), 'utf8'));
    const manifest = json.weightsManifest as tf.io.WeightsManifestConfig;
    const backbone = tinyBackbone(1);
    await expect(loadPretrained(backbone, { weightData: new ArrayBuffer(4) })).rejects.toThrow(
      'Error in loadPretrained: source.weightSpecs must be a non-empty array of weight specs (or source.weightsManifest)',
    );
    await expect(
      loadPretrained(backbone, { weightsManifest: manifest, weightData: 'AAAA' as unknown as ArrayBuffer }),
    ).rejects.toThrow('source.weightData must be an ArrayBuffer, a Uint8Array or an array of them');
    await expect(
      loadPretrained(backbone, { weightsManifest: manifest, weightData: new ArrayBuffer(12) }),
    ).rejects.toThrow(/source\.weightData must be \d+ bytes for the 12 weights of its specs, got "12 bytes"/);
    backbone.model.dispose();
  });

  it('moves a head trained on precomputed features onto the classifier', async () => {
    const backbone = tinyBackbone(1);
    const options = { numClasses: 3, hiddenUnits: [6], batchNorm: true, seed: 4 };
    const net = createClassifier(backbone, { ...options, pool: 'concat', seed: 5 });
    const head = createHead(net.numFeatures, options);
    const report = await loadPretrained(net, head);
    expect(report.missing).toEqual(BACKBONE_WEIGHTS);
    expect(report.unexpected).toEqual([]);
    const x = fakeImages([3, 8, 8, 3]);
    const features = forwardFeatures(net, x);
    const [viaHead, viaNet] = [head.model.predict(features) as tf.Tensor, net.model.predict(x) as tf.Tensor];
    tf.test_util.expectArraysClose(viaNet.dataSync(), viaHead.dataSync(), 1e-6);
    tf.dispose([x, features, viaHead, viaNet]);
    net.model.dispose();
    head.model.dispose();
  });

  it('rejects bad targets and sources', async () => {
    await expect(loadPretrained({} as GroupedModel, sourceDir)).rejects.toThrow(
      'Error in loadPretrained: target must be a tfjs LayersModel, backbone or classifier',
    );
    const backbone = tinyBackbone(1);
    await expect(loadPretrained(backbone, 7 as unknown as string)).rejects.toThrow(InvalidArgumentError);
    await expect(loadPretrained(backbone, { load: async () => ({ modelTopology: {} }) })).rejects.toThrow(
      'Error in loadPretrained: the source has no weights',
    );
    await expect(
      loadPretrained(backbone, sourceDir, { strict: 'yes' as unknown as boolean }),
    ).rejects.toThrow('options.strict must be a boolean');
    backbone.model.dispose();
  });
});
