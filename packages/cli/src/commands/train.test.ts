import { cp, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, resolve, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadModel } from '@topk/backbones';
import { readEmbeddingsFile } from '@topk/cluster';
import type { Callback } from '@topk/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../load-dataset.js';
import { activateBackend, readArcFaceCentres } from '../run-model.js';
import { expectUsageError, expectUsageErrors, put, solidPng, tempDir, topk } from '../test-support.js';
import { trainRun } from '../train-run.js';

let dir: string;
let remove: () => Promise<void>;
const COLORS: Record<string, [number, number, number]> = {
  cat: [200, 40, 40],
  dog: [40, 200, 40],
  fox: [40, 40, 200],
};

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  for (const [name, [r, g, b]] of Object.entries(COLORS)) {
    for (let i = 0; i < 8; i++)
      await put(join(dir, 'data', name, `${i}.png`), await solidPng(16, 16, [r, g + i * 4, b]));
  }
  await put(join(dir, 'notes.txt'), 'x');
});
afterAll(() => remove());

const base = [
  '--data',
  'data',
  '--backbone',
  'simple-cnn',
  '--size',
  '16',
  '--batch-size',
  '8',
  '--workers',
  '0',
];

describe('topk train, predict', () => {
  it('trains into a run directory that predict and evaluate use, and resumes', async () => {
    const trained = await topk(
      [
        'train',
        ...base,
        '--epochs',
        '2',
        '--lr',
        '1e-2',
        '--augment',
        'light',
        '--mixup',
        '0.4',
        '--out',
        'run',
      ],
      dir,
    );
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    expect(trained.stdout).toMatch(/^backend: /);
    expect(trained.stdout).toContain('epoch 2/2');
    const config = JSON.parse(await readFile(join(dir, 'run', 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      backbone: 'simple-cnn',
      size: [16, 16],
      channels: 3,
      classes: ['cat', 'dog', 'fox'],
      multiLabel: false,
      seed: 0,
    });
    expect(config.mean).toHaveLength(3);
    const history = (await readFile(join(dir, 'run', 'history.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(history.map((h) => h.epoch)).toEqual([0, 1]);
    expect(history[1].valid_accuracy).toBeGreaterThanOrEqual(0);

    const resumed = await topk(
      [
        'train',
        ...base,
        '--epochs',
        '3',
        '--lr',
        '1e-2',
        '--augment',
        'light',
        '--mixup',
        '0.4',
        '--resume',
        '--out',
        'run',
      ],
      dir,
    );
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('epoch 3/3');
    expect(resumed.stdout).not.toContain('epoch 1/3');
    const after = (await readFile(join(dir, 'run', 'history.jsonl'), 'utf8')).trim().split('\n');
    expect(after).toHaveLength(3);

    const predicted = await topk(
      ['predict', '--model', 'run', '--data', 'data', '--tta', '--workers', '0', '--out', 'preds.csv'],
      dir,
    );
    expect(predicted.code).toBe(0);
    const csv = (await readFile(join(dir, 'preds.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('id,cat,dog,fox');
    expect(csv).toHaveLength(25);
    for (const row of csv.slice(1)) {
      const probs = row.split(',').slice(1).map(Number);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    const evaluated = await topk(
      ['evaluate', '--preds', 'preds.csv', '--labels', 'data', '--run', 'run', '--json'],
      dir,
    );
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout).rows).toBe(24);
  }, 120_000);

  it('runs the LR finder with --lr auto and a constant schedule with sgd', async () => {
    const result = await topk(
      [
        'train',
        ...base,
        '--epochs',
        '1',
        '--lr',
        'auto',
        '--schedule',
        'constant',
        '--optimizer',
        'sgd',
        '--val-split',
        '0',
        '--out',
        'run2',
      ],
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/LR finder suggestion: \d/);
  }, 120_000);

  it('rejects bad input with exit code 2 and one line', async () => {
    await expectUsageErrors(dir, [
      [
        [
          'train',
          ...base.slice(0, 2),
          '--size',
          '16',
          '--epochs',
          '1',
          '--out',
          'r',
          '--backbone',
          'resnet51',
        ],
        'Unknown backbone: resnet51',
      ],
      [
        ['train', ...base, '--epochs', '1', '--out', 'r', '--lr', 'fast'],
        '--lr must be a number in (0, 10] or auto',
      ],
      [
        ['train', ...base, '--epochs', '1', '--out', 'r', '--schedule', 'cosine'],
        '--schedule must be one of',
      ],
      [['train', ...base, '--epochs', '1', '--out', 'notes.txt'], '--out must be a directory path'],
      [['train', ...base, '--epochs', '1', '--out', 'fresh', '--resume'], '--resume: no checkpoint'],
      [
        ['train', ...base, '--epochs', '1', '--out', 'r', '--multi-label'],
        '--multi-label needs multi-label data',
      ],
      [
        ['train', ...base, '--epochs', '1', '--out', 'r', '--loss', 'bce'],
        '--loss bce needs multi-label data',
      ],
      [
        ['train', ...base, '--epochs', '1', '--out', 'r', '--val', 'data', '--val-split', '0.1'],
        '--val and --val-split',
      ],
      [
        ['train', ...base.slice(2), '--epochs', '1', '--out', 'r', '--data', 'missing'],
        '--data must be an existing path',
      ],
      [
        ['predict', '--model', 'data', '--data', 'data', '--out', 'p.csv'],
        '--model data: not a topk run directory',
      ],
      [
        ['predict', '--model', 'run', '--data', 'data', '--out', 'p.csv', '--thresholds', 'notes.txt'],
        '--thresholds applies to a multi-label run',
      ],
    ]);
  });
});

/** Rows of a prediction CSV as `{ id, probs }`, with the header's class names. */
async function readPredictions(path: string) {
  const [header, ...rows] = (await readFile(path, 'utf8')).trim().split('\n');
  return {
    classes: header!.split(',').slice(1),
    rows: rows.map((row) => {
      const [id, ...probs] = row.split(',');
      return { id: id!, probs: probs.map(Number) };
    }),
  };
}

describe('topk train --loss arcface', () => {
  it('trains an embedding head whose predict is softmax(scale · cos) to the centres and whose embed is L2-normalised', async () => {
    const trained = await topk(
      [
        'train',
        ...base,
        '--epochs',
        '3',
        '--lr',
        '1e-2',
        '--loss',
        'arcface',
        '--embedding-size',
        '16',
        '--arcface-scale',
        '16',
        '--out',
        'arc',
        '--json',
      ],
      dir,
    );
    expect(trained.stderr).toBe('');
    expect(trained.code).toBe(0);
    const out = JSON.parse(trained.stdout);
    expect(out.config).toMatchObject({
      loss: 'arcface',
      classes: ['cat', 'dog', 'fox'],
      arcFace: { scale: 16, margin: 0.5, embeddingSize: 16, centres: 'arcface-centres.bin' },
    });
    // The Learner's metric task logs accuracy from ArcFace's margin-free logits.
    expect(out.history).toHaveLength(3);
    expect(out.history[2].valid_accuracy).toBeGreaterThanOrEqual(0);
    const loaded = await loadModel(join(dir, 'arc', 'model'));
    expect(loaded.kind === 'classifier' && loaded.head).toMatchObject({
      embeddingSize: 16,
      numClasses: null,
    });
    loaded.model.dispose();
    const centres = (await readArcFaceCentres(join(dir, 'arc', 'arcface-centres.bin')))!;
    expect(centres).toHaveLength(16 * 3);

    const predicted = await topk(
      ['predict', '--model', 'arc', '--data', 'data', '--workers', '0', '--out', 'arc.csv'],
      dir,
    );
    expect(predicted.stderr).toBe('');
    expect(predicted.code).toBe(0);
    const { classes, rows } = await readPredictions(join(dir, 'arc.csv'));
    expect(classes).toEqual(['cat', 'dog', 'fox']);
    expect(rows).toHaveLength(24);
    let correct = 0;
    for (const { id, probs } of rows) {
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      for (const p of probs) expect(p).toBeGreaterThanOrEqual(0);
      if (classes[probs.indexOf(Math.max(...probs))] === id.split('/')[0]) correct++;
    }
    // Three solid colours: chance is 8 of 24.
    expect(correct).toBeGreaterThan(16);

    const embedded = await topk(
      ['embed', '--model', 'arc', '--data', 'data', '--workers', '0', '--out', 'arc.bin'],
      dir,
    );
    expect(embedded.stderr).toBe('');
    expect(embedded.code).toBe(0);
    expect(embedded.stdout).toBe('24 rows × 16 (ArcFace embedding, L2-normalised)\nwritten arc.bin\n');
    const { ids, dim, vectors } = await readEmbeddingsFile(join(dir, 'arc.bin'));
    expect(ids).toEqual(rows.map((r) => r.id));
    expect(dim).toBe(16);
    // Reference: ArcFace at inference (Deng et al. 2019; ArcFace.logits of @topk/losses) is
    // softmax(s · ê · ŵ_c) with ê the unit embedding and ŵ_c the unit centre of class c, no margin.
    const norms = [0, 1, 2].map((c) =>
      Math.hypot(...Array.from({ length: 16 }, (_, k) => centres[k * 3 + c]!)),
    );
    for (let i = 0; i < ids.length; i++) {
      const e = vectors.subarray(i * 16, i * 16 + 16);
      expect(Math.hypot(...e)).toBeCloseTo(1, 5);
      const logits = [0, 1, 2].map((c) => {
        let dot = 0;
        for (let k = 0; k < 16; k++) dot += e[k]! * centres[k * 3 + c]!;
        return (16 * dot) / norms[c]!;
      });
      const top = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - top));
      const sum = exps.reduce((a, b) => a + b, 0);
      for (let c = 0; c < 3; c++) expect(Math.abs(rows[i]!.probs[c]! - exps[c]! / sum)).toBeLessThan(1e-4);
    }

    // A run whose centres file does not fit its classes is refused, not mis-scored.
    await cp(join(dir, 'arc'), join(dir, 'arc-bad'), { recursive: true });
    await writeFile(join(dir, 'arc-bad', 'arcface-centres.bin'), new Uint8Array(16 * 2 * 4));
    expectUsageError(
      await topk(['predict', '--model', 'arc-bad', '--data', 'data', '--out', 'bad.csv'], dir),
      '--model arc-bad: arcface-centres.bin must hold 16 x 3 float32 class centres',
    );
  }, 120_000);

  it('rejects arcface on multi-label data and arcface options without it', async () => {
    await put(join(dir, 'multi.csv'), 'id,labels\ndata/cat/0.png,cat\ndata/dog/0.png,cat dog\n');
    await expectUsageErrors(dir, [
      [
        [
          'train',
          ...base.slice(2),
          '--data',
          'multi.csv',
          '--epochs',
          '1',
          '--out',
          'r',
          '--loss',
          'arcface',
        ],
        '--loss arcface is single-label',
      ],
      [
        ['train', ...base, '--epochs', '1', '--out', 'r', '--arcface-margin', '0.3'],
        '--arcface-margin needs --loss arcface',
      ],
      [
        ['train', ...base, '--epochs', '1', '--out', 'r', '--loss', 'arcface', '--arcface-scale', '0'],
        '--arcface-scale must be a number in (0, 1000]',
      ],
      [
        ['train', ...base, '--epochs', '1', '--out', 'r', '--loss', 'triplet'],
        '--loss must be one of ce, bce, focal, arcface',
      ],
    ]);
  });
});

describe('topk train --pretrained, --fine-tune', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    // A static file server for `dir`, as a model host would be.
    server = createServer((request, response) => {
      const path = normalize(join(dir, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
      if (!path.startsWith(resolve(dir) + sep)) {
        response.writeHead(403).end();
        return;
      }
      readFile(path).then(
        (bytes) => response.writeHead(200).end(bytes),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('starts run B from run A: every weight loaded, B before training has A’s final validation loss', async () => {
    const a = await topk(
      ['train', ...base, '--epochs', '2', '--lr', '1e-2', '--out', 'run-a', '--json'],
      dir,
    );
    expect(a.code).toBe(0);
    const aOut = JSON.parse(a.stdout);
    const aFinal = aOut.history.at(-1).valid_loss as number;
    const loadedA = await loadModel(join(dir, 'run-a', 'model'));
    const weightCount = loadedA.model.weights.length;
    loadedA.model.dispose();

    const b = await topk(
      [
        'train',
        ...base,
        '--epochs',
        '1',
        '--lr',
        '1e-3',
        '--pretrained',
        'run-a',
        '--fine-tune',
        '--out',
        'run-b',
      ],
      dir,
    );
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    const reported = b.stdout.split('\n').find((l) => l.startsWith('pretrained run-a: '));
    expect(reported).toBe(
      `pretrained run-a: ${weightCount} weights loaded, 0 missing, 0 unexpected, 0 of another shape; valid loss before training ${aFinal.toFixed(4)}`,
    );
    expect(b.stdout).toContain('epoch 1/2');
    expect(b.stdout).toMatch(/epoch 1\/2 .*\(head only, backbone frozen\)/);
    expect(b.stdout).not.toMatch(/epoch 2\/2 .*head only/);
    const history = (await readFile(join(dir, 'run-b', 'history.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(history.map((h) => [h.epoch, h.frozen])).toEqual([
      [0, 1],
      [1, 0],
    ]);

    // The same weights as JSON, from the model.json path and over HTTP (a folder URL gets model.json).
    for (const source of ['run-a/model/model.json', `${origin}/run-a/model/`]) {
      const c = await topk(
        ['train', ...base, '--epochs', '1', '--pretrained', source, '--out', 'run-c', '--json'],
        dir,
      );
      expect(c.stderr).toBe('');
      expect(c.code).toBe(0);
      const { pretrained } = JSON.parse(c.stdout);
      expect(pretrained).toMatchObject({
        source,
        loaded: weightCount,
        missing: 0,
        unexpected: 0,
        shapeMismatched: 0,
      });
      expect(pretrained.validLoss).toBeCloseTo(aFinal, 5);
    }
  }, 240_000);

  it('keeps the backbone bit-identical while frozen and trains it after unfreezing', async () => {
    await activateBackend('auto', 'train');
    const loaded = await loadDataset(join(dir, 'data'), { cwd: dir });
    const snapshot = (model: { weights: { originalName: string; read(): tf.Tensor }[] }) =>
      new Map(model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
    const snapshots: Map<string, number[]>[] = [];
    const spy: Callback = {
      name: 'test-snapshot',
      onTrainBegin: ({ learner }) => {
        snapshots.push(snapshot(learner.model as never));
      },
      onEpochEnd: ({ learner }) => {
        snapshots.push(snapshot(learner.model as never));
      },
    };
    const silent = { write: () => true };
    const tensorsBefore = tf.memory().numTensors;
    const result = await trainRun({
      train: loaded.dataset,
      classes: loaded.dataset.vocabulary!.names,
      multiLabel: false,
      channels: 3,
      backbone: 'simple-cnn',
      size: 16,
      epochs: 1,
      batchSize: 8,
      lr: 1e-2,
      schedule: 'one-cycle',
      optimizer: 'adamw',
      augment: 'none',
      mixup: 0,
      cutmix: 0,
      loss: 'ce',
      fineTune: { freezeEpochs: 1 },
      callbacks: [spy],
      seed: 0,
      workers: 0,
      resume: false,
      out: join(dir, 'run-ft'),
      backendLine: 'test',
      io: { stdout: silent, stderr: silent, cwd: dir, env: {}, now: () => 0 },
      quiet: true,
    });
    // The model, optimizer state and batches are all freed.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(result.history.map((h) => h.frozen)).toEqual([1, 0]);
    const model = await loadModel(join(dir, 'run-ft', 'model'));
    const head = new Set(model.layerGroups.find((g) => g.name === 'head')!.layers);
    const names = model.model.weights.map((w) => w.originalName);
    model.model.dispose();
    const isHead = (name: string) => head.has(name.split('/')[0]!);
    const [initial, afterFrozen, afterUnfrozen] = snapshots as [
      Map<string, number[]>,
      Map<string, number[]>,
      Map<string, number[]>,
    ];
    const backbone = names.filter((n) => !isHead(n));
    expect(backbone.length).toBeGreaterThan(10);
    // Frozen phase: every backbone weight, batch-norm moving statistics included, bit for bit.
    for (const name of backbone) expect(afterFrozen.get(name), name).toEqual(initial.get(name));
    expect(
      names.filter(isHead).some((n) => afterFrozen.get(n)!.some((v, i) => v !== initial.get(n)![i])),
    ).toBe(true);
    // Unfrozen phase: the backbone's kernels move (at base_lr / 2 / 100 for the stem up to base_lr / 2).
    const kernels = backbone.filter((n) => n.endsWith('kernel'));
    expect(kernels.length).toBeGreaterThan(0);
    for (const name of kernels) {
      expect(
        afterUnfrozen.get(name)!.some((v, i) => v !== afterFrozen.get(name)![i]),
        name,
      ).toBe(true);
    }
  }, 120_000);

  it('rejects bad sources and combinations with exit code 2 and one line', async () => {
    const train = ['train', ...base, '--epochs', '1', '--out'];
    await expectUsageErrors(dir, [
      [
        [...train, 'r', '--pretrained', 'nowhere/model.json'],
        '--pretrained must be a model.json, a model folder, a topk run directory or an http(s) URL, got "nowhere/model.json"',
      ],
      [[...train, 'r', '--pretrained', 'data'], '--pretrained data: '],
      [
        [...train, 'run-a', '--pretrained', 'run-a', '--resume'],
        '--pretrained and --resume exclude each other',
      ],
      [[...train, 'r', '--freeze-epochs', '2'], '--freeze-epochs needs --fine-tune'],
      [[...train, 'r', '--fine-tune', '--schedule', 'sgdr'], "--fine-tune runs fastai's fine_tune schedule"],
    ]);
    expectUsageError(
      await topk([...train, 'r', '--pretrained', `${origin}/missing/model.json`], dir),
      `--pretrained ${origin}/missing/model.json: `,
      '404',
    );
    // A manifest naming a shard outside its folder: the backbones loaders refuse it.
    const manifest = JSON.parse(await readFile(join(dir, 'run-a', 'model', 'model.json'), 'utf8'));
    manifest.weightsManifest[0].paths = manifest.weightsManifest[0].paths.map(
      (p: string) => `../../run-a/model/${p}`,
    );
    await put(join(dir, 'evil', 'model.json'), JSON.stringify(manifest));
    for (const source of ['evil', `${origin}/evil/model.json`]) {
      const result = await topk([...train, 'r', '--pretrained', source], dir);
      expectUsageError(result, `--pretrained ${source}: `);
      expect(result.stderr).toContain('must be a relative path inside the model folder');
    }
  });
});
