import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModel } from '@topk/backbones';
import { readEmbeddingsFile } from '@topk/cluster';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, put, solidPng, tempDir, topk } from '../test-support.js';

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
    for (let i = 0; i < 4; i++)
      await put(join(dir, 'data', name, `${i}.png`), await solidPng(16, 16, [r, g + i * 8, b]));
  }
  const trained = await topk(
    [
      'train',
      '--data',
      'data',
      '--backbone',
      'simple-cnn',
      '--size',
      '16',
      '--batch-size',
      '4',
      '--epochs',
      '1',
      '--val-split',
      '0',
      '--workers',
      '0',
      '--out',
      'run',
      '--json',
    ],
    dir,
  );
  expect(trained.code).toBe(0);
}, 120_000);
afterAll(() => remove());

describe('topk embed', () => {
  it("writes the head's pooled features: softmax(features · W + b) is topk predict's output", async () => {
    const embedded = await topk(
      [
        'embed',
        '--model',
        'run',
        '--data',
        'data',
        '--workers',
        '0',
        '--batch-size',
        '5',
        '--out',
        'emb.bin',
      ],
      dir,
    );
    expect(embedded.stderr).toBe('');
    expect(embedded.code).toBe(0);
    const predicted = await topk(
      ['predict', '--model', 'run', '--data', 'data', '--workers', '0', '--out', 'preds.csv'],
      dir,
    );
    expect(predicted.code).toBe(0);
    const { ids, dim, vectors } = await readEmbeddingsFile(join(dir, 'emb.bin'));
    const loaded = await loadModel(join(dir, 'run', 'model'));
    expect(dim).toBe(loaded.kind === 'classifier' ? loaded.numFeatures : -1);
    expect(embedded.stdout).toBe(`12 rows × ${dim} (pooled features)\nwritten emb.bin\n`);
    // The default head is pool → dense('predictions', logits): the features are that layer's input.
    const [kernel, bias] = loaded.model.getLayer('predictions').getWeights();
    const w = kernel!.dataSync();
    const b = bias!.dataSync();
    loaded.model.dispose();
    const rows = (await readFile(join(dir, 'preds.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(rows.map((r) => r.split(',')[0])).toEqual(ids);
    expect(ids).toHaveLength(12);
    for (let i = 0; i < ids.length; i++) {
      const logits = [0, 1, 2].map((c) => {
        let s = b[c]!;
        for (let k = 0; k < dim; k++) s += vectors[i * dim + k]! * w[k * 3 + c]!;
        return s;
      });
      const top = Math.max(...logits);
      const exps = logits.map((l) => Math.exp(l - top));
      const sum = exps.reduce((a, e) => a + e, 0);
      const probs = rows[i]!.split(',').slice(1).map(Number);
      for (let c = 0; c < 3; c++) expect(Math.abs(probs[c]! - exps[c]! / sum)).toBeLessThan(1e-5);
    }

    const retrieved = await topk(
      ['retrieve', '--index', 'emb.bin', '--query', 'emb.bin', '--k', '3', '--labels', 'data', '--json'],
      dir,
    );
    expect(retrieved.stderr).toBe('');
    expect(retrieved.code).toBe(0);
    const result = JSON.parse(retrieved.stdout);
    expect(result).toMatchObject({ queries: 12 });
    expect(JSON.stringify(result)).toContain('cat/0.png');
  }, 120_000);

  it('rejects bad input with exit code 2 and one line', async () => {
    expectUsageError(
      await topk(['embed', '--model', 'data', '--data', 'data', '--out', 'e.bin'], dir),
      '--model data: not a topk run directory',
    );
    expectUsageError(
      await topk(
        ['embed', '--model', 'run', '--data', 'data', '--out', 'e.bin', '--layer', 'embedding'],
        dir,
      ),
      '--layer embedding: the head of run has no embedding layer',
    );
    expectUsageError(
      await topk(['embed', '--model', 'run', '--data', 'data', '--out', 'e.bin', '--layer', 'logits'], dir),
      '--layer must be one of',
    );
    expectUsageError(
      await topk(['embed', '--model', 'run', '--data', 'data', '--out', 'data'], dir),
      '--out',
    );
    expectUsageError(await topk(['embed', '--model', 'run', '--data', 'data'], dir), '--out');
  });
});
