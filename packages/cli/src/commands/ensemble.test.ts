import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Rng } from '@topk/core';
import { combinePredictions, particleSwarmWeights } from '@topk/ensembling';
import { logLoss, parsePredictionCsv } from '@topk/thresholding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectUsageError,
  PREDICTIONS_A,
  PREDICTIONS_B,
  put,
  tempDir,
  topk,
  writeClassFolders,
} from '../test-support.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await writeClassFolders(join(dir, 'data'), 3);
  await put(join(dir, 'a.csv'), PREDICTIONS_A);
  await put(join(dir, 'b.csv'), PREDICTIONS_B);
  await put(join(dir, 'cow.csv'), PREDICTIONS_A.replace('id,cat,dog,fox', 'id,cat,cow,fox'));
  await put(join(dir, 'fewer.csv'), PREDICTIONS_A.split('\n').slice(0, 5).join('\n'));
  await put(join(dir, 'ml.csv'), 'id,labels\ncat/0.png,cat\n');
  await put(
    join(dir, 'ml-all.csv'),
    `id,labels\n${A.ids.map((id) => `${id},${id.split('/')[0]}`).join('\n')}\n`,
  );
});
afterAll(() => remove());

const A = parsePredictionCsv(PREDICTIONS_A);
const B = parsePredictionCsv(PREDICTIONS_B, { classes: A.classes }); // columns reordered to cat, dog, fox

async function output(name: string) {
  return parsePredictionCsv(await readFile(join(dir, name), 'utf8'));
}

function expectCells(table: { probs: Float32Array }, expected: (a: number, b: number) => number) {
  const want = Array.from(A.probs, (a, k) => expected(a, B.probs[k]!));
  for (const [k, p] of table.probs.entries()) expect(p).toBeCloseTo(want[k]!, 6);
}

describe('topk ensemble', () => {
  it('averages (arithmetic, weighted, geometric, harmonic), matching rows by id and columns by name', async () => {
    expect((await topk(['ensemble', '--inputs', 'a.csv', 'b.csv', '--out', 'mean.csv'], dir)).code).toBe(0);
    const mean = await output('mean.csv');
    expect(mean.ids).toEqual(A.ids);
    expect(mean.classes).toEqual(['cat', 'dog', 'fox']);
    expectCells(mean, (a, b) => (a + b) / 2);

    await topk(['ensemble', '--inputs', 'a.csv', 'b.csv', '--weights', '3', '1', '--out', 'w.csv'], dir);
    expectCells(await output('w.csv'), (a, b) => (3 * a + b) / 4);
    await topk(['ensemble', '--method', 'geometric', '--inputs', 'a.csv', 'b.csv', '--out', 'g.csv'], dir);
    expectCells(await output('g.csv'), (a, b) => Math.sqrt(a * b));
    await topk(['ensemble', '--method', 'harmonic', '--inputs', 'a.csv', 'b.csv', '--out', 'h.csv'], dir);
    expectCells(await output('h.csv'), (a, b) => (2 * a * b) / (a + b));
    await topk(['ensemble', '--method', 'max', '--inputs', 'a.csv', 'b.csv', '--out', 'm.csv'], dir);
    expectCells(await output('m.csv'), (a, b) => Math.max(a, b));
  });

  it('rank-averages as @topk/ensembling does', async () => {
    await topk(['ensemble', '--method', 'rank', '--inputs', 'a.csv', 'b.csv', '--out', 'r.csv'], dir);
    expect((await output('r.csv')).probs).toEqual(
      combinePredictions([A, B], { method: 'rank-average' }).probs,
    );
  });

  it('votes one-hot, reproducibly under a seed; weights decide ties', async () => {
    await topk(
      ['ensemble', '--method', 'vote', '--seed', '5', '--inputs', 'a.csv', 'b.csv', '--out', 'v1.csv'],
      dir,
    );
    await topk(
      ['ensemble', '--method', 'vote', '--seed', '5', '--inputs', 'a.csv', 'b.csv', '--out', 'v2.csv'],
      dir,
    );
    const v1 = await output('v1.csv');
    expect(await readFile(join(dir, 'v1.csv'), 'utf8')).toBe(await readFile(join(dir, 'v2.csv'), 'utf8'));
    expect(Array.from(v1.probs).every((p) => p === 0 || p === 1)).toBe(true);
    // Rows where both models agree: cat/0 cat, dog/0 dog, dog/1 dog, fox/0 fox, fox/1 fox.
    for (const [row, winner] of [
      [0, 0],
      [3, 1],
      [4, 1],
      [6, 2],
      [7, 2],
    ] as const) {
      expect(Array.from(v1.probs.subarray(row * 3, row * 3 + 3))).toEqual(
        [0, 1, 2].map((j) => (j === winner ? 1 : 0)),
      );
    }
    // With weight 2 against 1, model A wins every disagreement: its argmax one-hot.
    await topk(
      [
        'ensemble',
        '--method',
        'vote',
        '--weights',
        '2',
        '1',
        '--inputs',
        'a.csv',
        'b.csv',
        '--out',
        'vw.csv',
      ],
      dir,
    );
    const argmaxA = [0, 1, 0, 1, 1, 0, 2, 2, 1];
    expect(Array.from((await output('vw.csv')).probs)).toEqual(
      argmaxA.flatMap((w) => [0, 1, 2].map((j) => (j === w ? 1 : 0))),
    );
  });

  it('scores each input and the ensemble with --labels', async () => {
    const result = await topk(
      [
        'ensemble',
        '--inputs',
        'a.csv',
        'b.csv',
        '--labels',
        'data',
        '--metric',
        'accuracy',
        '--out',
        'e.csv',
        '--json',
      ],
      dir,
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      method: 'mean',
      inputs: ['a.csv', 'b.csv'],
      weights: null,
      rows: 9,
      classes: 3,
      metric: 'accuracy',
    });
    expect(json.scores).toEqual({ 'a.csv': 6 / 9, 'b.csv': 1 });
    // Mean rows: cat/1 (0.4, 0.5, 0.1) → dog and fox/2 (0.15, 0.45, 0.4) → dog are wrong; the other 7 right.
    expect(json.ensembleScore).toBeCloseTo(7 / 9, 12);
    const text = await topk(
      [
        'ensemble',
        '--inputs',
        'a.csv',
        'b.csv',
        '--labels',
        'data',
        '--metric',
        'accuracy',
        '--out',
        'e.csv',
      ],
      dir,
    );
    expect(text.stdout).toBe(
      [
        'mean ensemble of 2 inputs, 9 rows × 3 classes',
        'input       weight    accuracy',
        'a.csv       0.5000      0.6667',
        'b.csv       0.5000      1.0000',
        'ensemble                0.7778',
        'written e.csv',
        '',
      ].join('\n'),
    );
  });

  it('searches weights with PSO exactly as particleSwarmWeights does under the seed', async () => {
    const result = await topk(
      [
        'ensemble',
        '--method',
        'pso',
        '--inputs',
        'a.csv',
        'b.csv',
        '--labels',
        'data',
        '--seed',
        '3',
        '--particles',
        '6',
        '--iterations',
        '8',
        '--out',
        'pso.csv',
        '--json',
      ],
      dir,
    );
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    const labels = [0, 0, 0, 1, 1, 1, 2, 2, 2];
    const reference = particleSwarmWeights([A, B], (t) => logLoss(t, labels), {
      rng: new Rng(3),
      direction: 'minimize',
      particles: 6,
      iterations: 8,
    });
    expect(json.metric).toBe('log-loss');
    expect(json.evaluations).toBe(6 * 9);
    expect(json.weights).toEqual(
      reference.weights.map((w) => w / reference.weights.reduce((s, v) => s + v, 0)),
    );
    expect(json.ensembleScore).toBeCloseTo(reference.score, 12);
    // Particle 0 starts at equal weights: never worse than the plain mean.
    expect(json.ensembleScore).toBeLessThanOrEqual(logLoss(combinePredictions([A, B]), labels) + 1e-12);
    expect((await output('pso.csv')).probs).toEqual(
      combinePredictions([A, B], { weights: reference.weights }).probs,
    );
    // Multi-label labels: micro-F1 at 0.5 by default, maximised.
    const multi = await topk(
      [
        'ensemble',
        '--method',
        'pso',
        '--inputs',
        'a.csv',
        'b.csv',
        '--labels',
        'ml-all.csv',
        '--iterations',
        '2',
        '--out',
        'pso-ml.csv',
        '--json',
      ],
      dir,
    );
    const multiJson = JSON.parse(multi.stdout);
    expect(multiJson.metric).toBe('f1-micro');
    expect(multiJson.ensembleScore).toBeGreaterThanOrEqual(multiJson.scores['a.csv']);
  });

  it('rejects bad input with one line and exit code 2', async () => {
    const run = (...argv: string[]) => topk(['ensemble', ...argv], dir);
    expectUsageError(
      await run('--inputs', 'a.csv', '--out', 'x.csv'),
      '--inputs needs at least 2 values, got 1',
    );
    expectUsageError(await run('--inputs', 'a.csv', 'b.csv'), '--out is required');
    expectUsageError(
      await run('--inputs', 'a.csv', 'nope.csv', '--out', 'x.csv'),
      '--inputs must be an existing file, got "nope.csv"',
    );
    expectUsageError(
      await run('--method', 'median', '--inputs', 'a.csv', 'b.csv', '--out', 'x.csv'),
      '--method must be one of mean, geometric',
    );
    expectUsageError(
      await run('--inputs', 'a.csv', 'b.csv', '--weights', '1', '--out', 'x.csv'),
      '--weights needs one value per input (2), got 1',
    );
    expectUsageError(
      await run('--inputs', 'a.csv', 'b.csv', '--weights', '0', '0', '--out', 'x.csv'),
      '--weights needs at least one positive value',
    );
    expectUsageError(
      await run('--inputs', 'a.csv', 'b.csv', '--weights', '1', '-1', '--out', 'x.csv'),
      '--weights must be a number in [0, inf)',
    );
    expectUsageError(
      await run('--method', 'max', '--inputs', 'a.csv', 'b.csv', '--weights', '1', '1', '--out', 'x.csv'),
      '--weights cannot be combined with --method max',
    );
    expectUsageError(
      await run(
        '--method',
        'pso',
        '--inputs',
        'a.csv',
        'b.csv',
        '--weights',
        '1',
        '1',
        '--labels',
        'data',
        '--out',
        'x.csv',
      ),
      '--weights cannot be combined with --method pso',
    );
    expectUsageError(
      await run('--method', 'pso', '--inputs', 'a.csv', 'b.csv', '--out', 'x.csv'),
      '--method pso needs --labels',
    );
    expectUsageError(
      await run('--inputs', 'a.csv', 'b.csv', '--seed', '-1', '--out', 'x.csv'),
      '--seed must be an integer in [0, 4294967295]',
    );
    expectUsageError(
      await run('--inputs', 'a.csv', 'cow.csv', '--out', 'x.csv'),
      '--inputs cow.csv: Error in parsePredictionCsv',
    );
    expectUsageError(
      await run('--inputs', 'a.csv', 'fewer.csv', '--out', 'x.csv'),
      '--inputs a.csv: Error in alignTables',
    );
    expectUsageError(
      await run('--inputs', 'a.csv', 'b.csv', '--labels', 'ml.csv', '--metric', 'accuracy', '--out', 'x.csv'),
      '--labels ml.csv: no label for 8 of the 9 ids of --inputs',
    );
    expectUsageError(
      await run(
        '--inputs',
        'a.csv',
        'b.csv',
        '--labels',
        'ml-all.csv',
        '--metric',
        'accuracy',
        '--out',
        'x.csv',
      ),
      '--metric accuracy needs single-label --labels',
    );
  });
});
