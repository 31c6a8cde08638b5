import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('examples/retrieval', () => {
  it('trains two tiny ArcFace embedders and scores top-k retrieval of each and of the meta-embedding', async () => {
    const lines: string[] = [];
    const result = await main({
      trainLimit: 200,
      testLimit: 50,
      epochs: 1,
      embeddingSize: 8,
      k: 5,
      models: [
        { name: 'a', channels: [8, 16], pool: 'avg', seed: 1 },
        { name: 'b', channels: [8, 16], pool: 'max', seed: 2 },
      ],
      log: (l) => lines.push(l),
    });
    expect(result.models.map((m) => m.name)).toEqual(['a', 'b']);
    for (const { metrics } of [...result.models, result.meta]) {
      expect(metrics.k).toBe(5);
      expect(metrics.queries + metrics.queriesWithoutMatch).toBe(50);
      expect(metrics.mapAtK).toBeGreaterThanOrEqual(0);
      expect(metrics.mapAtK).toBeLessThanOrEqual(1);
    }
    // Two 8-dimensional embeddings concatenate to 16 dimensions.
    expect(lines.find((l) => l.startsWith('meta-embedding'))).toMatch(
      /^meta-embedding of 2 models \(16 dims\)/,
    );
  });
});
