import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '@topk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrayBatches } from './array-batches.js';
import { csvHistory, historyToCsv, historyToJsonl, jsonlHistory } from './history-logger.js';
import { Learner } from './learner.js';
import { expectInvalid, learnableData, tinyMlp } from './test-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'topk-history-'));
beforeAll(async () => {
  await selectBackend({ backend: 'cpu' });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('history loggers', () => {
  it('format rows as CSV (union of columns, blanks for missing) and JSON Lines (NaN as a string)', () => {
    const rows = [
      { epoch: 0, loss: 1.5 },
      { epoch: 1, loss: Number.NaN, valid_loss: 2 },
    ];
    expect(historyToCsv(rows)).toBe('epoch,loss,valid_loss\n0,1.5,\n1,NaN,2\n');
    expect(historyToJsonl(rows)).toBe('{"epoch":0,"loss":1.5}\n{"epoch":1,"loss":"NaN","valid_loss":2}\n');
  });

  it('write one row per epoch during a fit', async () => {
    const { images, labels } = learnableData(8, 4, 3, 7);
    const data = arrayBatches(images, labels, [4], { batchSize: 4 });
    const learner = new Learner({ model: tinyMlp(), train: data, valid: data });
    const csv = csvHistory(join(work, 'nested', 'history.csv'));
    const jsonl = jsonlHistory(join(work, 'history.jsonl'));
    const { history } = await learner.fit(2, { callbacks: [csv, jsonl] });
    const lines = readFileSync(csv.path, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('epoch,loss,accuracy,lr,seconds,imagesPerSecond,valid_loss,valid_accuracy');
    expect(lines).toHaveLength(3);
    expect(Number(lines[2]!.split(',')[1])).toBe(history[1]!.loss);
    const parsed = readFileSync(jsonl.path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed).toEqual(history);
    expect(csv.rows).toEqual(history);
    learner.model.dispose();
  });

  it('round-trip their rows through checkpoint state', () => {
    const logger = jsonlHistory(join(work, 'x.jsonl'));
    logger.setState({
      json: [
        [
          ['epoch', 0],
          ['loss', 'NaN'],
        ],
      ],
    });
    expect(logger.rows[0]!.epoch).toBe(0);
    expect(Number.isNaN(logger.rows[0]!.loss)).toBe(true);
    expect(logger.getState().json).toEqual([
      [
        ['epoch', 0],
        ['loss', 'NaN'],
      ],
    ]);
    expectInvalid(() => csvHistory(''), 'csvHistory', 'path');
  });
});
