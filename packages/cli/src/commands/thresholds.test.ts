import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { multiHot, parsePredictionCsv, searchClassThresholds, thresholdsToJSON } from '@topk/thresholding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, put, tempDir, topk } from '../test-support.js';

const LABELS = 'id,labels\na,red dress\nb,floral\nc,red\nd,dress floral\ne,\n';
const PREDS =
  'id,dress,floral,red\na,0.9,0.2,0.6\nb,0.3,0.7,0.2\nc,0.4,0.3,0.45\nd,0.55,0.35,0.1\ne,0.2,0.1,0.3\n';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await put(join(dir, 'labels.csv'), LABELS);
  await put(join(dir, 'preds.csv'), PREDS);
});
afterAll(() => remove());

describe('topk thresholds', () => {
  it('writes the thresholds of searchClassThresholds and reports the scores', async () => {
    const result = await topk(
      ['thresholds', '--preds', 'preds.csv', '--labels', 'labels.csv', '--out', 'out/t.json'],
      dir,
    );
    expect(result.code).toBe(0);
    // Columns dress, floral, red; targets a {dress, red}, b {floral}, c {red}, d {dress, floral}, e {}.
    const targets = multiHot([[0, 2], [1], [2], [0, 1], []], 3);
    const reference = searchClassThresholds(parsePredictionCsv(PREDS), targets, { average: 'micro' });
    const saved = JSON.parse(await readFile(join(dir, 'out', 't.json'), 'utf8'));
    expect(saved).toEqual(thresholdsToJSON(reference.thresholds));
    // Hand-checked: every class separates its positives, so per-class F1 reaches 1; dress must lie in
    // (0.4, 0.55] and the search takes the middle of the best plateau of candidates, 0.48.
    expect(reference.score).toBe(1);
    expect(saved.thresholds[0]).toBe(0.48);
    expect(result.stdout.split('\n')[0]).toBe(
      `f1-micro on 5 rows × 3 classes: 1.0000 with per-class thresholds, ${reference.globalScore.toFixed(4)} with the best global threshold ${reference.globalThreshold} (${reference.rounds} rounds)`,
    );
    expect(result.stdout).toContain('dress   0.48\n');
    expect(result.stdout.endsWith('written out/t.json\n')).toBe(true);
  });

  it('maximises macro-F1 with the at-least-one rule and prints JSON', async () => {
    const result = await topk(
      [
        'thresholds',
        '--preds',
        'preds.csv',
        '--labels',
        'labels.csv',
        '--metric',
        'f1-macro',
        '--at-least-one',
        '--out',
        't2.json',
        '--json',
      ],
      dir,
    );
    const json = JSON.parse(result.stdout);
    const reference = searchClassThresholds(
      parsePredictionCsv(PREDS),
      multiHot([[0, 2], [1], [2], [0, 1], []], 3),
      {
        average: 'macro',
        atLeastOne: true,
      },
    );
    expect(json).toEqual({
      metric: 'f1-macro',
      rows: 5,
      score: reference.score,
      globalThreshold: reference.globalThreshold,
      globalScore: reference.globalScore,
      rounds: reference.rounds,
      atLeastOne: true,
      thresholds: Object.fromEntries(
        reference.thresholds.classes.map((c, i) => [c, reference.thresholds.thresholds[i]]),
      ),
      out: 't2.json',
    });
    expect(JSON.parse(await readFile(join(dir, 't2.json'), 'utf8')).atLeastOne).toBe(true);
  });

  it('rejects bad input with one line and exit code 2', async () => {
    const run = (...argv: string[]) => topk(['thresholds', ...argv], dir);
    expectUsageError(await run('--preds', 'preds.csv', '--labels', 'labels.csv'), '--out is required');
    expectUsageError(await run('--preds', 'preds.csv', '--out', 'x.json'), '--labels is required');
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'labels.csv', '--metric', 'accuracy', '--out', 'x.json'),
      '--metric must be one of f1-micro, f1-macro, got "accuracy"',
    );
    expectUsageError(
      await run('--preds', 'labels.csv', '--labels', 'labels.csv', '--out', 'x.json'),
      '--preds labels.csv: Error in parsePredictionCsv',
    );
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'missing.csv', '--out', 'x.json'),
      '--labels must be an existing path',
    );
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'labels.csv', '--out', '.'),
      '--out must be a file path to write',
    );
  });
});
