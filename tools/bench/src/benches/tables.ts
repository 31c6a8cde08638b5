import { createPredictionTable, type PredictionTable, Rng } from '@topk/core';
import { combinePredictions } from '@topk/ensembling';
import { accuracy, searchClassThresholds } from '@topk/thresholding';
import type { Bench, Measurement } from '../types.js';

const ROWS = 100_000;
const CLASSES = 1_000;

function randomTable(rows: number, classes: number, rng: Rng): PredictionTable {
  const probs = new Float32Array(rows * classes);
  for (let i = 0; i < probs.length; i++) probs[i] = rng.next();
  return createPredictionTable(
    Array.from({ length: rows }, (_, i) => `id${i}`),
    Array.from({ length: classes }, (_, j) => `c${j}`),
    probs,
  );
}

/**
 * Ensembling and thresholding on large prediction tables (plain arrays, no tensors): two 100 000 × 1 000
 * tables combined by mean, geometric mean, rank average and vote, top-1 accuracy, and a per-class
 * threshold search on a 20 000 × 100 multi-label table. Rows per second; must stay bounded.
 */
export const tablesBench: Bench = {
  name: 'tables',
  description: `ensembles of two ${ROWS} x ${CLASSES} tables, accuracy, per-class thresholds (20 000 x 100)`,
  trains: false,
  firstBackendOnly: true,
  async run({ log }) {
    const rng = new Rng(11);
    const tables = [randomTable(ROWS, CLASSES, rng), randomTable(ROWS, CLASSES, rng)];
    const labels = Int32Array.from({ length: ROWS }, () => rng.int(0, CLASSES));
    const measurements: Measurement[] = [];
    const time = (metric: string, rows: number, f: () => unknown) => {
      const started = performance.now();
      f();
      const seconds = (performance.now() - started) / 1000;
      measurements.push({
        metric,
        value: Number((rows / seconds).toFixed(0)),
        unit: 'rows/s',
        iterations: 1,
        seconds,
      });
      log(`${metric}: ${(rows / seconds).toFixed(0)} rows/s (${seconds.toFixed(2)} s)`);
    };
    for (const method of ['mean', 'geometric-mean', 'rank-average', 'vote'] as const) {
      time(`ensemble-${method}`, ROWS, () => combinePredictions(tables, { method, rng: rng.split(method) }));
    }
    time('accuracy', ROWS, () => accuracy(tables[0]!, labels));
    const small = randomTable(20_000, 100, rng);
    const targets = new Float32Array(20_000 * 100).map(() => (rng.next() < 0.05 ? 1 : 0));
    time('thresholds-per-class', 20_000, () => searchClassThresholds(small, targets));
    return { measurements, notes: [] };
  },
};
