import { createPredictionTable } from '@topk/core';
import { createClassThresholds } from '@topk/thresholding';
import { describe, expect, it } from 'vitest';
import { main, microF1 } from './main.js';

describe('examples/multi-label', () => {
  it('microF1 counts true and false positives over every class (worked example)', () => {
    // Rows [0.9, 0.6] and [0.2, 0.7] at 0.5 predict {0, 1} and {1}; targets {0} and {1}:
    // TP = 2, FP = 1, FN = 0, so micro-F1 = 2·2 / (2·2 + 1 + 0) = 0.8.
    const table = createPredictionTable(['a', 'b'], ['x', 'y'], [0.9, 0.6, 0.2, 0.7]);
    expect(microF1(table, [1, 0, 0, 1], 0.5)).toBeCloseTo(0.8, 12);
    // With class thresholds [0.5, 0.65] row a no longer predicts y: F1 = 1.
    expect(microF1(table, [1, 0, 0, 1], createClassThresholds(['x', 'y'], [0.5, 0.65]))).toBeCloseTo(1, 12);
  });

  it('trains two tiny members on mosaics and reports member, mean and PSO ensemble scores', async () => {
    const lines: string[] = [];
    const result = await main({
      trainMosaics: 128,
      validMosaics: 64,
      testMosaics: 64,
      epochs: 1,
      members: [
        { name: 'a', channels: [8, 16], pool: 'avg', seed: 1 },
        { name: 'b', channels: [8, 16], pool: 'max', seed: 2 },
      ],
      psoIterations: 2,
      log: (l) => lines.push(l),
    });
    expect(result.members.map((m) => m.name)).toEqual(['a', 'b']);
    for (const s of [...result.members, result.meanEnsemble, result.psoEnsemble]) {
      expect(s.atHalf).toBeGreaterThanOrEqual(0);
      expect(s.atHalf).toBeLessThanOrEqual(1);
      expect(s.tuned).toBeGreaterThan(0);
      expect(s.tuned).toBeLessThanOrEqual(1);
    }
    expect(result.psoWeights).toHaveLength(2);
    expect(result.psoWeights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(lines.some((l) => l.startsWith('PSO ensemble (weights '))).toBe(true);
  });
});
