import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@topk/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLASSES, loadFashionMnist } from './data.js';
import { formatResults, runRecipe } from './pipeline.js';
import { MEMBERS } from './recipe.js';

// The subset committed with the CLI: 3000 training and 1000 test images, the same IDX file names.
const SUBSET = fileURLToPath(new URL('../../../packages/cli/assets/fashion-mnist/', import.meta.url));

beforeAll(async () => {
  await selectBackend({ backend: 'wasm' });
});

function expectProbabilityTable(probs: Float32Array, rows: number): void {
  expect(probs.length).toBe(rows * CLASSES.length);
  for (let i = 0; i < rows; i++) {
    let sum = 0;
    for (let c = 0; c < CLASSES.length; c++) {
      const p = probs[i * CLASSES.length + c]!;
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      sum += p;
    }
    expect(sum).toBeCloseTo(1, 4);
  }
}

describe('examples/fashion-mnist', () => {
  it('loads a seeded subset, the same for the same seed', async () => {
    const a = await loadFashionMnist(SUBSET, 50, 3);
    const b = await loadFashionMnist(SUBSET, 50, 3);
    const full = await loadFashionMnist(SUBSET, undefined, 3);
    expect([a.train.count, a.test.count, full.train.count, full.test.count]).toEqual([50, 50, 3000, 1000]);
    expect(a.train.images).toEqual(b.train.images);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(a.train.images.length).toBe(50 * 784);
  });

  it('trains two members on 500 images, evaluates TTA and the ensemble, writes JSON, leaks nothing', async () => {
    const data = await loadFashionMnist(SUBSET, 500, 0);
    const out = await mkdtemp(join(tmpdir(), 'topk-fmnist-'));
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    try {
      const result = await runRecipe({
        data,
        // Two half-width simple-cnn members, the second on SGDR (the WRN costs more per image).
        members: [
          { ...MEMBERS.cnn!, backboneOptions: { channels: [16, 32, 64] } },
          {
            ...MEMBERS['cnn-deep']!,
            backboneOptions: { channels: [16, 32, 64, 128] },
            schedule: 'sgdr',
            maxLr: 1e-2,
          },
        ],
        epochs: 2,
        batchSize: 32,
        backend: 'wasm',
        out,
        log: (l) => lines.push(l),
      });
      expect(tf.memory().numTensors).toBe(before);
      expect(result.backend).toBe('wasm');
      expect(result.members.map((m) => m.name)).toEqual(['cnn', 'cnn-deep']);
      // 10 balanced classes: chance is 10 % (binomial sd 1.3 % on 500 images); this run gets 56.0 % for
      // the first member with TTA and 58.8 % for the ensemble.
      expect(result.members[0]!.ttaAccuracy).toBeGreaterThan(0.3);
      expect(result.ensembleAccuracy).toBeGreaterThan(0.3);
      for (const table of [...result.memberTables, result.ensembleTable]) {
        expect(table.classes).toEqual(CLASSES);
        expectProbabilityTable(table.probs, 500);
      }
      // The mean ensemble is the mean of the members' TTA tables.
      for (const i of [0, 1234, 4999]) {
        const mean = (result.memberTables[0]!.probs[i]! + result.memberTables[1]!.probs[i]!) / 2;
        expect(result.ensembleTable.probs[i]).toBeCloseTo(mean, 6);
      }
      const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
      expect(metrics.ensembleAccuracy).toBe(result.ensembleAccuracy);
      expect(metrics.members[1].ttaAccuracy).toBe(result.members[1]!.ttaAccuracy);
      const predictions = JSON.parse(await readFile(join(out, 'predictions.json'), 'utf8'));
      expect(predictions.ensemble).toHaveLength(500);
      expect(Object.keys(predictions.members)).toEqual(['cnn', 'cnn-deep']);
      expect(lines.join('\n')).toMatch(/\nensemble \(mean of TTA\)\s+\d+\.\d\d %/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('formats one row per member and the two ensembles', () => {
    const member = {
      name: 'cnn',
      backbone: 'simple-cnn',
      params: 1000,
      epochs: 2,
      schedule: 'one-cycle' as const,
      mixupAlpha: 0.2,
      trainLoss: 0.5,
      accuracy: 0.9,
      ttaAccuracy: 0.91234,
      trainSeconds: 12.34,
      predictSeconds: 1,
    };
    const table = formatResults({
      members: [member],
      ensembleAccuracy: 0.925,
      geometricAccuracy: 0.9249,
    }).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^member\s+backbone\s+params\s+epochs\s+acc\s+acc\+TTA\s+train s\s+predict s$/);
    expect(table[1]).toMatch(/^cnn\s+simple-cnn\s+1000\s+2\s+90\.00 %\s+91\.23 %\s+12\.3\s+1\.0$/);
    expect(table[2]).toMatch(/^ensemble \(mean of TTA\)\s+92\.50 %/);
    expect(table[3]).toMatch(/^ensemble \(geometric\)\s+92\.49 %/);
  });
});
