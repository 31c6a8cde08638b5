import type { PredictionTable } from '@topk/core';
import { createPredictionTable, Rng } from '@topk/core';

// Synthetic validation sets for the weight-search tests (test-only module).

function randomRows(rng: Rng, n: number, c: number): Float32Array {
  const probs = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let j = 0; j < c; j++) {
      const v = rng.gamma(1);
      probs[i * c + j] = v;
      total += v;
    }
    for (let j = 0; j < c; j++) probs[i * c + j] = probs[i * c + j]! / total;
  }
  return probs;
}

/**
 * Three random models A, B, C and the target table 0.6·A + 0.3·B + 0.1·C: the squared distance of the
 * combined table to the target is smallest at exactly those weights.
 */
export function knownOptimum(seed: number) {
  const rng = new Rng(seed);
  const n = 60;
  const c = 4;
  const ids = Array.from({ length: n }, (_, i) => `i${i}`);
  const classes = ['a', 'b', 'c', 'd'];
  const tables = [0, 1, 2].map(() => createPredictionTable(ids, classes, randomRows(rng, n, c)));
  const best = [0.6, 0.3, 0.1];
  const target = new Float64Array(n * c);
  for (let k = 0; k < target.length; k++) {
    target[k] = best.reduce((s, w, m) => s + w * tables[m]!.probs[k]!, 0);
  }
  const squaredError = (t: PredictionTable) => t.probs.reduce((s, p, k) => s + (p - target[k]!) ** 2, 0);
  return { tables, best, squaredError };
}

/**
 * Single-label data where model 0 is clearly better: it puts 0.7 on the label 90% of the time (else on
 * a wrong class), while models 1 and 2 are random.
 */
export function oneGoodModel(seed: number) {
  const rng = new Rng(seed);
  const n = 200;
  const c = 5;
  const ids = Array.from({ length: n }, (_, i) => `i${i}`);
  const classes = ['a', 'b', 'c', 'd', 'e'];
  const labels = Int32Array.from({ length: n }, () => rng.int(0, c));
  const good = new Float32Array(n * c);
  for (let i = 0; i < n; i++) {
    const hit = rng.bernoulli(0.9) ? labels[i]! : (labels[i]! + rng.int(1, c)) % c;
    for (let j = 0; j < c; j++) good[i * c + j] = j === hit ? 0.7 : 0.075;
  }
  const tables = [good, randomRows(rng, n, c), randomRows(rng, n, c)].map((p) =>
    createPredictionTable(ids, classes, p),
  );
  return { tables, labels };
}

/** Multi-label data: model 0 separates the classes well, model 1 is noise. */
export function multiLabelSet(seed: number) {
  const rng = new Rng(seed);
  const n = 150;
  const c = 4;
  const ids = Array.from({ length: n }, (_, i) => `i${i}`);
  const classes = ['a', 'b', 'c', 'd'];
  const targets = Uint8Array.from({ length: n * c }, () => (rng.bernoulli(0.3) ? 1 : 0));
  const good = Float32Array.from(targets, (y) => (y ? rng.uniform(0.5, 1) : rng.uniform(0, 0.55)));
  const noise = Float32Array.from(targets, () => rng.next());
  return {
    tables: [createPredictionTable(ids, classes, good), createPredictionTable(ids, classes, noise)],
    targets,
  };
}
