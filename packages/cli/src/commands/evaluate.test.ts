import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, PREDICTIONS_A, put, tempDir, topk, writeClassFolders } from '../test-support.js';

let dir: string;
let remove: () => Promise<void>;

// Multi-label example: labels and predictions for 5 ids, classes dress, floral, red.
const ML_LABELS = 'id,labels\na,red dress\nb,floral\nc,red\nd,dress floral\ne,\n';
const ML_PREDS =
  'id,dress,floral,red\na,0.9,0.2,0.6\nb,0.3,0.7,0.2\nc,0.4,0.3,0.45\nd,0.55,0.35,0.1\ne,0.2,0.1,0.3\n';
const THRESHOLDS = JSON.stringify({
  format: 'topk-thresholds',
  version: 1,
  classes: ['dress', 'floral', 'red'],
  thresholds: [0.48, 0.32, 0.32],
  atLeastOne: false,
});

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  await writeClassFolders(join(dir, 'data'), 3);
  await put(join(dir, 'preds.csv'), PREDICTIONS_A);
  await put(
    join(dir, 'run', 'history.jsonl'),
    '{"epoch":1,"loss":1.2,"val_loss":1.3,"val_accuracy":0.4,"lr":0.001}\n{"epoch":2,"loss":0.8,"val_loss":0.9,"val_accuracy":0.6,"lr":0.0003}\n',
  );
  await put(join(dir, 'ml.csv'), ML_LABELS);
  await put(join(dir, 'ml-preds.csv'), ML_PREDS);
  await put(join(dir, 'thresholds.json'), THRESHOLDS);
  await put(join(dir, 'bad-thresholds.json'), '{"format":"other"}');
  await put(join(dir, 'not-json.json'), 'thresholds!');
  await put(join(dir, 'malformed.csv'), 'id,cat,dog,fox\ncat/0.png,0.5,0.5\n');
  await put(join(dir, 'other-classes.csv'), 'id,cat,cow,fox\ncat/0.png,0.5,0.4,0.1\ndog/0.png,0.5,0.4,0.1\n');
  await put(join(dir, 'unknown-ids.csv'), 'id,cat,dog,fox\nzebra.png,0.5,0.4,0.1\n');
  await put(join(dir, 'unlabelled.csv'), 'id\ncat/0.png\n');
});
afterAll(() => remove());

// References for PREDICTIONS_A (see test-support): p(true class) per row.
const P_TRUE = [0.7, 0.2, 0.6, 0.8, 0.4, 0.4, 0.8, 0.6, 0.3];

describe('topk evaluate (single-label)', () => {
  it('computes the metrics, report, confusion matrix and top losses (hand-computed references)', async () => {
    const result = await topk(['evaluate', '--preds', 'preds.csv', '--labels', 'data', '--json'], dir);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const json = JSON.parse(result.stdout);
    expect(json).toMatchObject({
      predictions: 'preds.csv',
      labels: 'data',
      rows: 9,
      classes: ['cat', 'dog', 'fox'],
      multiLabel: false,
    });
    expect(json.metrics.accuracy).toBeCloseTo(6 / 9, 12);
    // sklearn log_loss: mean -ln p(true), the table's float32 values.
    expect(json.metrics.logLoss).toBeCloseTo(-P_TRUE.reduce((s, p) => s + Math.log(p), 0) / 9, 6);
    // F1 per class: cat 2·2/(4+1+1) = 2/3, dog 2·2/(4+2+1) = 4/7, fox 2·2/(4+0+1) = 4/5.
    expect(json.metrics.macroF1).toBeCloseTo((2 / 3 + 4 / 7 + 4 / 5) / 3, 12);
    expect(json.metrics.top5Accuracy).toBeUndefined(); // only for more than 5 classes
    expect(json.confusionMatrix).toEqual([
      [2, 1, 0],
      [1, 2, 0],
      [0, 1, 2],
    ]);
    expect(json.classificationReport.classes.map((c: { precision: number }) => c.precision)).toEqual([
      2 / 3,
      0.5,
      1,
    ]);
    expect(json.mostConfused).toEqual([
      { actual: 'cat', predicted: 'dog', count: 1 },
      { actual: 'dog', predicted: 'cat', count: 1 },
      { actual: 'fox', predicted: 'dog', count: 1 },
    ]);
    // Highest -ln p(true) first; dog/1 and dog/2 tie at -ln 0.4 and keep row order.
    expect(json.topLosses.map((l: { id: string }) => l.id)).toEqual([
      'cat/1.png',
      'fox/2.png',
      'dog/1.png',
      'dog/2.png',
      'cat/2.png',
      'fox/1.png',
      'cat/0.png',
      'dog/0.png',
      'fox/0.png',
    ]);
    expect(json.topLosses[0]).toMatchObject({ actual: 'cat', predicted: 'dog', probability: 0.2 });
    expect(json.topLosses[0].loss).toBeCloseTo(Math.log(5), 6);
  });

  it('prints the text report: metrics, sklearn-style report, confusion matrix, most confused, top losses', async () => {
    const result = await topk(
      ['evaluate', '--preds', 'preds.csv', '--labels', 'data', '--top-losses', '2'],
      dir,
    );
    expect(result.code).toBe(0);
    const text = result.stdout;
    expect(
      text.startsWith(
        'preds.csv: 9 rows, 3 classes, single-label\naccuracy  0.6667\nlog-loss  0.7190\nmacro F1  0.6794\n',
      ),
    ).toBe(true);
    expect(text).toContain('         dog     0.5000    0.6667    0.5714         3\n');
    expect(text).toContain('actual \\ predicted  cat  dog  fox\ncat                   2    1    0\n');
    expect(text).toContain('most confused (actual -> predicted: count):\n  cat -> dog: 1\n');
    expect(text).toContain(
      'top losses:\n  1.609  cat/1.png  actual cat, predicted dog, p(actual) 0.200\n  1.204  fox/2.png',
    );
    expect(text).not.toContain('dog/1.png  actual');
  });

  it('writes a self-contained HTML report with curves, confusion matrix, per-class metrics and thumbnails', async () => {
    const result = await topk(
      ['evaluate', '--preds', 'preds.csv', '--labels', 'data', '--run', 'run', '--report', 'out/report.html'],
      dir,
      { tty: true },
    );
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('report written to out/report.html\n')).toBe(true);
    expect(result.stderr).toContain('thumbnails [');
    const html = await readFile(join(dir, 'out', 'report.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html.match(/<svg /g)).toHaveLength(3); // loss, metrics, learning rate
    expect(html.match(/<td class="cm-cell/g)).toHaveLength(9);
    expect(html.match(/<tr class="class-row">/g)).toHaveLength(3);
    expect(html.match(/<img class="thumb" src="data:image\/png;base64,/g)).toHaveLength(9);
    // Nothing is fetched: the only URL is the SVG namespace.
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:|src="(?!data:)/);
  });
});

describe('topk evaluate (multi-label)', () => {
  it('decides at 0.5 by default (hand-computed F1 and binary log-loss)', async () => {
    const json = JSON.parse(
      (await topk(['evaluate', '--preds', 'ml-preds.csv', '--labels', 'ml.csv', '--json'], dir)).stdout,
    );
    expect(json.multiLabel).toBe(true);
    // Decisions at 0.5: a {dress, red}, b {floral}, c {}, d {dress}, e {} → tp 4, fp 0, fn 2 (c red, d floral).
    expect(json.metrics.microF1).toBeCloseTo(8 / 10, 12);
    // dress 1, floral 2/3, red 2/3.
    expect(json.metrics.macroF1).toBeCloseTo((1 + 2 / 3 + 2 / 3) / 3, 12);
    const probs = ML_PREDS.trim()
      .split('\n')
      .slice(1)
      .flatMap((line) => line.split(',').slice(1).map(Number));
    const targets = [1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0];
    const bce =
      -probs.reduce((s, p, k) => s + (targets[k] ? Math.log(p) : Math.log(1 - p)), 0) / probs.length;
    expect(json.metrics.binaryLogLoss).toBeCloseTo(bce, 6);
    expect(json.confusionMatrix).toBeUndefined();
    expect(json.topLosses[0]).toMatchObject({ id: 'd', actual: 'dress floral', predicted: 'dress' });
  });

  it('applies per-class thresholds from --thresholds', async () => {
    const result = await topk(
      ['evaluate', '--preds', 'ml-preds.csv', '--labels', 'ml.csv', '--thresholds', 'thresholds.json'],
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('micro F1         1.0000\nmacro F1         1.0000\n');
    expect(result.stdout).toContain('Per-class thresholds from thresholds.json.');
    const report = await topk(
      [
        'evaluate',
        '--preds',
        'ml-preds.csv',
        '--labels',
        'ml.csv',
        '--thresholds',
        'thresholds.json',
        '--report',
        'ml.html',
      ],
      dir,
    );
    expect(report.code).toBe(0);
    const html = await readFile(join(dir, 'ml.html'), 'utf8');
    expect(html).not.toContain('<td class="cm-cell');
    expect(html.match(/class="missing"/g)).toHaveLength(5); // ids are not image files
  });
});

describe('topk evaluate: bad input', () => {
  it('rejects bad flags and files with one line and exit code 2', async () => {
    const run = (...argv: string[]) => topk(['evaluate', ...argv], dir);
    expectUsageError(await run('--labels', 'data'), '--preds is required');
    expectUsageError(await run('--preds', 'preds.csv'), '--labels is required');
    expectUsageError(
      await run('--preds', 'nope.csv', '--labels', 'data'),
      '--preds must be an existing file, got "nope.csv"',
    );
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'data', '--report', 'data'),
      '--report must be a file path to write',
    );
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'data', '--run', 'preds.csv'),
      '--run must be an existing directory',
    );
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'data', '--run', 'data'),
      '--run data: no history.jsonl',
    );
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'data', '--top-losses', 'x'),
      '--top-losses must be an integer',
    );
    expectUsageError(
      await run('--preds', 'malformed.csv', '--labels', 'data'),
      '--preds malformed.csv: Error in parsePredictionCsv: text (line 2) must be 4 fields like the header',
    );
    expectUsageError(
      await run('--preds', 'other-classes.csv', '--labels', 'data'),
      '--labels data: class "dog" of id "dog/0.png" is not a column of --preds',
    );
    expectUsageError(
      await run('--preds', 'unknown-ids.csv', '--labels', 'data'),
      '--labels data: no label for 1 of the 1 ids of --preds ("zebra.png")',
    );
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'unlabelled.csv'),
      '--labels unlabelled.csv: holds no labels',
    );
    expectUsageError(
      await run('--preds', 'preds.csv', '--labels', 'data', '--thresholds', 'thresholds.json'),
      '--thresholds applies to multi-label',
    );
    expectUsageError(
      await run('--preds', 'ml-preds.csv', '--labels', 'ml.csv', '--thresholds', 'not-json.json'),
      '--thresholds not-json.json: not JSON',
    );
    expectUsageError(
      await run('--preds', 'ml-preds.csv', '--labels', 'ml.csv', '--thresholds', 'bad-thresholds.json'),
      '--thresholds bad-thresholds.json: Error in thresholdsFromJSON',
    );
  });
});
