import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { steepestLr } from '@topk/training';
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
      await put(join(dir, 'data', name, `${i}.png`), await solidPng(16, 16, [r, g + i * 4, b]));
  }
  await put(join(dir, 'one', 'cat', '0.png'), await solidPng(16, 16, [1, 2, 3]));
  await put(join(dir, 'notes.txt'), 'x');
});
afterAll(() => remove());

const base = ['--data', 'data', '--backbone', 'simple-cnn', '--size', '16', '--batch-size', '4'];

describe('topk find-lr', () => {
  it('sweeps the rate exponentially, prints the suggestion and writes the curve', async () => {
    const result = await topk(
      ['find-lr', ...base, '--iterations', '12', '--workers', '0', '--out', 'out/curve.json'],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const curve = JSON.parse(await readFile(join(dir, 'out', 'curve.json'), 'utf8'));
    const n = curve.lrs.length;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(n).toBeLessThanOrEqual(12);
    expect(curve.diverged).toBe(n < 12);
    expect(curve).toMatchObject({ backbone: 'simple-cnn', size: 16, batchSize: 4 });
    // fastai's lr_find schedule: lr_i = 1e-7 · (10 / 1e-7)^(i / (iterations − 1)).
    for (let i = 0; i < n; i++) expect(curve.lrs[i] / (1e-7 * 1e8 ** (i / 11))).toBeCloseTo(1, 10);
    // The smoothed loss is the bias-corrected EMA of the raw losses with beta 0.98.
    let average = 0;
    for (let i = 0; i < n; i++) {
      average = 0.98 * average + 0.02 * curve.rawLosses[i];
      expect(curve.losses[i]).toBeCloseTo(average / (1 - 0.98 ** (i + 1)), 5);
    }
    // Three classes, random weights: the first loss is near ln 3 = 1.0986.
    expect(curve.rawLosses[0]).toBeGreaterThan(0.5);
    expect(curve.rawLosses[0]).toBeLessThan(2);
    expect(curve.suggestion).toBe(steepestLr(curve.lrs, curve.losses) ?? null);
    const minimum = curve.losses.indexOf(Math.min(...curve.losses));
    expect(curve.minimumDiv10).toBeCloseTo(curve.lrs[minimum] / 10, 15);
    expect(result.stdout).toContain(`suggestion (steepest descent): ${curve.suggestion.toExponential(2)}`);
    expect(result.stdout).toContain('written out/curve.json');

    const json = await topk(['find-lr', ...base, '--iterations', '12', '--workers', '0', '--json'], dir);
    expect(json.code).toBe(0);
    // Same seed, same batches, same weights: the same curve.
    expect(JSON.parse(json.stdout)).toEqual(curve);
  }, 120_000);

  it('rejects bad input with exit code 2 and one line', async () => {
    expectUsageError(
      await topk(['find-lr', ...base.slice(0, 2), '--size', '16', '--backbone', 'resnet51'], dir),
      'Unknown backbone: resnet51',
    );
    expectUsageError(await topk(['find-lr', ...base, '--iterations', '2'], dir), '--iterations must be');
    expectUsageError(await topk(['find-lr', ...base.slice(2), '--data', 'missing'], dir), '--data must be');
    expectUsageError(await topk(['find-lr', ...base, '--out', 'data'], dir), '--out must be a file path');
    expectUsageError(await topk(['find-lr', ...base.slice(2), '--data', 'one'], dir), 'at least 2 classes');
    expectUsageError(await topk(['find-lr', '--data', 'data', '--size', '16'], dir), '--backbone');
  });
});
