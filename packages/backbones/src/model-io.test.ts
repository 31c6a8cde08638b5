import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, type TopkError } from '@topk/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Classifier, createClassifier, createHead } from './classifier.js';
import { fileSystemHandler } from './file-system-handler.js';
import { GroupedConv2D } from './grouped-conv2d.js';
import { loadModel, saveModel } from './model-io.js';
import { createBackbone, listBackbones, registerBackbone, unregisterBackbone } from './registry.js';
import { SeededDropout } from './seeded-dropout.js';
import { fakeImages, sameValues, serveDirectory, snapshot } from './test-helpers.js';
import { urlHandler } from './url-handler.js';

let root: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'topk-model-io-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  for (const name of listBackbones('test-*')) unregisterBackbone(name);
});

function tinyClassifier(): Classifier {
  return createClassifier(createBackbone('simple-cnn', { channels: [4, 8], inputSize: 8 }), {
    numClasses: 3,
    hiddenUnits: [5],
    batchNorm: true,
    dropout: 0.3,
  });
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function expectSameOutputs(a: tfl.LayersModel, b: tfl.LayersModel, x: tf.Tensor): void {
  const [ya, yb] = [a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor];
  expect(sameValues(ya.dataSync() as Float32Array, yb.dataSync() as Float32Array)).toBe(true);
  tf.dispose([ya, yb]);
}

describe('fileSystemHandler', () => {
  it('writes model.json and weight shards of at most shardSizeBytes, and reads them back', async () => {
    const net = tinyClassifier();
    const dir = join(root, 'sharded');
    await net.model.save(fileSystemHandler(dir, { shardSizeBytes: 1024 }));
    const files = (await readdir(dir)).sort();
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const bytes = net.model.weights.reduce(
      (sum, w) => sum + 4 * w.shape.reduce<number>((a, d) => a * d!, 1),
      0,
    );
    const count = Math.ceil(bytes / 1024);
    expect(json.weightsManifest[0].paths).toEqual(
      Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`),
    );
    expect(files).toEqual([...json.weightsManifest[0].paths, 'model.json'].sort());
    expect(json.format).toBe('layers-model');
    // A .json path and a file:// URL name the same model.
    const again = await tfl.loadLayersModel(fileSystemHandler(join(dir, 'model.json')));
    const viaUrl = await tfl.loadLayersModel(fileSystemHandler(pathToFileURL(dir).href));
    const x = fakeImages([2, 8, 8, 3]);
    expectSameOutputs(net.model, again, x);
    expectSameOutputs(net.model, viaUrl, x);
    tf.dispose(x);
    for (const m of [net.model, again, viaUrl]) m.dispose();
  });

  it('refuses weight paths outside the model folder', async () => {
    const dir = join(root, 'unsafe');
    await mkdir(join(dir, 'model'), { recursive: true });
    await writeFile(join(dir, 'outside.bin'), new Uint8Array(16));
    for (const path of [
      '../outside.bin',
      'sub/../../outside.bin',
      '/etc/passwd',
      'C:/x.bin',
      'http://127.0.0.1:9/x.bin',
    ]) {
      const json = {
        modelTopology: {},
        weightsManifest: [{ paths: [path], weights: [{ name: 'w', shape: [4], dtype: 'float32' }] }],
      };
      await writeFile(join(dir, 'model', 'model.json'), JSON.stringify(json));
      const error = await caught(fileSystemHandler(join(dir, 'model')).load!());
      expect(error, path).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toBe(
        `Error in fileSystemHandler: weightsManifest path must be a relative path inside the model folder, got ${JSON.stringify(path)}`,
      );
    }
  });

  it('reports missing and malformed model.json files', async () => {
    const missing = await caught(fileSystemHandler(join(root, 'nothing-here')).load!());
    expect((missing as TopkError).code).toBe('MODEL_NOT_FOUND');
    const dir = join(root, 'malformed');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'model.json'), '{"modelTopology": {}');
    expect(((await caught(fileSystemHandler(dir).load!())) as TopkError).code).toBe('INVALID_MODEL_JSON');
    await writeFile(join(dir, 'model.json'), '{"modelTopology": {}, "weightsManifest": [{"paths": [3]}]}');
    expect(((await caught(fileSystemHandler(dir).load!())) as TopkError).code).toBe('INVALID_MODEL_JSON');
    expect(() => fileSystemHandler('')).toThrow(
      'Error in fileSystemHandler: location must be a non-empty path, got ""',
    );
    expect(() => fileSystemHandler(dir, { shardSizeBytes: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('saveModel and loadModel', () => {
  it('restore a classifier with its layer groups, data config and head', async () => {
    const net = tinyClassifier();
    const dir = join(root, 'classifier');
    const before = tf.memory().numTensors;
    await saveModel(net, dir);
    const loaded = (await loadModel(dir)) as Classifier;
    expect(loaded.kind).toBe('classifier');
    expect(loaded.layerGroups).toEqual(net.layerGroups);
    expect(loaded.dataConfig).toEqual(net.dataConfig);
    expect(loaded.head).toEqual(net.head);
    expect(loaded.config).toEqual(net.config);
    expect(loaded.output).toBe('probabilities');
    const x = fakeImages([2, 8, 8, 3]);
    expectSameOutputs(net.model, loaded.model, x);
    x.dispose();
    loaded.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    net.model.dispose();
  });

  it('restore backbones and standalone heads', async () => {
    const backbone = createBackbone('mobilenet_v2', { widthMultiplier: 0.35, inputSize: 32, seed: 3 });
    await saveModel(backbone, join(root, 'backbone'));
    const loaded = await loadModel(join(root, 'backbone', 'model.json'));
    expect(loaded.kind).toBe('backbone');
    expect(loaded).toMatchObject({ name: 'mobilenet_v2', numFeatures: 1280, config: backbone.config });
    const head = createHead(12, { embeddingSize: 4 });
    await saveModel(head, join(root, 'head'));
    const loadedHead = await loadModel(join(root, 'head'));
    expect(loadedHead).toMatchObject({ kind: 'head', head: head.head, layerGroups: head.layerGroups });
    for (const m of [backbone.model, loaded.model, head.model, loadedHead.model]) m.dispose();
  });

  it('restore models with topk custom layers (grouped convolution, seeded dropout)', async () => {
    registerBackbone('test-grouped', () => {
      const input = tfl.input({ shape: [6, 6, 4], name: 'in' });
      const conv = new GroupedConv2D({ name: 'gconv', filters: 8, kernelSize: 3, groups: 2, seed: 1 }).apply(
        input,
      );
      const drop = new SeededDropout({ name: 'drop', rate: 0.5, seed: 2 }).apply(conv) as tfl.SymbolicTensor;
      return {
        model: tfl.model({ inputs: input, outputs: drop }),
        layerGroups: [{ name: 'all', layers: ['in', 'gconv', 'drop'] }],
        dataConfig: {
          inputSize: [6, 6],
          channels: 4,
          mean: [0, 0, 0, 0],
          std: [1, 1, 1, 1],
          interpolation: 'nearest',
          cropFraction: 1,
        },
      };
    });
    const net = createClassifier(createBackbone('test-grouped'), { numClasses: 2 });
    await saveModel(net, join(root, 'grouped'));
    const loaded = await loadModel(join(root, 'grouped'));
    expect(loaded.model.getLayer('gconv')).toBeInstanceOf(GroupedConv2D);
    expect(loaded.model.getLayer('drop')).toBeInstanceOf(SeededDropout);
    const x = fakeImages([2, 6, 6, 4]);
    expectSameOutputs(net.model, loaded.model, x);
    x.dispose();
    net.model.dispose();
    loaded.model.dispose();
  });

  it('load over HTTP, refusing manifests that point outside the model folder', async () => {
    const net = tinyClassifier();
    await saveModel(net, join(root, 'served', 'models', 'tiny'));
    await writeFile(join(root, 'served', 'secret.bin'), new Uint8Array(64));
    const server = await serveDirectory(join(root, 'served'));
    try {
      const loaded = await loadModel(`${server.url}/models/tiny/model.json`);
      const x = fakeImages([1, 8, 8, 3]);
      expectSameOutputs(net.model, loaded.model, x);
      x.dispose();
      loaded.model.dispose();
      const jsonPath = join(root, 'served', 'models', 'tiny', 'model.json');
      const json = JSON.parse(await readFile(jsonPath, 'utf8'));
      for (const path of [
        '../../secret.bin',
        '%2e%2e/%2e%2e/secret.bin',
        '/secret.bin',
        '//127.0.0.1/secret.bin',
        'http://example.com/x.bin',
      ]) {
        json.weightsManifest[0].paths = [path];
        await writeFile(jsonPath, JSON.stringify(json));
        const error = await caught(loadModel(`${server.url}/models/tiny/model.json`));
        expect(error, path).toBeInstanceOf(InvalidArgumentError);
      }
      expect(server.requests.filter((r) => r.includes('secret'))).toEqual([]);
      const missing = await caught(urlHandler(`${server.url}/models/none/model.json`).load!());
      expect((missing as TopkError).code).toBe('FETCH_FAILED');
      expect((missing as Error).message).toContain('answered 404');
    } finally {
      await server.close();
      net.model.dispose();
    }
  });

  it('refuse models without a topk description, bad destinations and bad URLs', async () => {
    const input = tfl.input({ shape: [2] });
    const plain = tfl.model({
      inputs: input,
      outputs: tfl.layers.dense({ units: 1 }).apply(input) as tfl.SymbolicTensor,
    });
    await plain.save(fileSystemHandler(join(root, 'plain')));
    const error = await caught(loadModel(join(root, 'plain')));
    expect((error as TopkError).code).toBe('NOT_A_TOPK_MODEL');
    const net = tinyClassifier();
    await expect(saveModel(net, 'http://127.0.0.1/upload')).rejects.toThrow(
      'Error in saveModel: destination must be a path or IOHandler (use tf.io.http to upload)',
    );
    await expect(saveModel({} as Classifier, root)).rejects.toThrow(
      'Error in saveModel: model must be a backbone, classifier or head',
    );
    await expect(loadModel(42 as unknown as string)).rejects.toThrow(InvalidArgumentError);
    expect(() => urlHandler('ftp://example.com/model.json')).toThrow(
      'Error in urlHandler: url must be an absolute http(s) URL',
    );
    expect(() => urlHandler('model.json')).toThrow(InvalidArgumentError);
    plain.dispose();
    net.model.dispose();
  });
});

describe('round trip snapshot', () => {
  it('keeps every weight bit-identical', async () => {
    const net = tinyClassifier();
    await saveModel(net, join(root, 'snapshot'));
    const loaded = await loadModel(join(root, 'snapshot'));
    const [a, b] = [snapshot(net.model), snapshot(loaded.model)];
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [name, values] of a) expect(sameValues(values, b.get(name)), name).toBe(true);
    net.model.dispose();
    loaded.model.dispose();
  });
});
