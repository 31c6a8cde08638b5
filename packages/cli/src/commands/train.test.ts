import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
    expectUsageError(
      await topk(
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
        dir,
      ),
      'Unknown backbone: resnet51',
    );
    expectUsageError(
      await topk(['train', ...base, '--epochs', '1', '--out', 'r', '--lr', 'fast'], dir),
      '--lr must be a number in (0, 10] or auto',
    );
    expectUsageError(
      await topk(['train', ...base, '--epochs', '1', '--out', 'r', '--schedule', 'cosine'], dir),
      '--schedule must be one of',
    );
    expectUsageError(
      await topk(['train', ...base, '--epochs', '1', '--out', 'notes.txt'], dir),
      '--out must be a directory path',
    );
    expectUsageError(
      await topk(['train', ...base, '--epochs', '1', '--out', 'fresh', '--resume'], dir),
      '--resume: no checkpoint',
    );
    expectUsageError(
      await topk(['train', ...base, '--epochs', '1', '--out', 'r', '--multi-label'], dir),
      '--multi-label needs multi-label data',
    );
    expectUsageError(
      await topk(['train', ...base, '--epochs', '1', '--out', 'r', '--loss', 'bce'], dir),
      '--loss bce needs multi-label data',
    );
    expectUsageError(
      await topk(
        ['train', ...base, '--epochs', '1', '--out', 'r', '--val', 'data', '--val-split', '0.1'],
        dir,
      ),
      '--val and --val-split',
    );
    expectUsageError(
      await topk(['train', ...base.slice(2), '--epochs', '1', '--out', 'r', '--data', 'missing'], dir),
      '--data must be an existing path',
    );
    expectUsageError(
      await topk(['predict', '--model', 'data', '--data', 'data', '--out', 'p.csv'], dir),
      '--model data: not a topk run directory',
    );
    expectUsageError(
      await topk(
        ['predict', '--model', 'run', '--data', 'data', '--out', 'p.csv', '--thresholds', 'notes.txt'],
        dir,
      ),
      '--thresholds applies to a multi-label run',
    );
  });
});
