import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeEmbeddingsFile } from '@topk/cluster';
import { createEmbeddings } from '@topk/ensembling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, put, tempDir, topk } from '../test-support.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  // References: two near (1, 0) labelled a, two near (0, 1) labelled b.
  await writeEmbeddingsFile(
    join(dir, 'ref.bin'),
    createEmbeddings(['r1', 'r2', 'r3', 'r4'], 2, [1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]),
  );
  await writeEmbeddingsFile(join(dir, 'q.bin'), createEmbeddings(['q1', 'q2'], 2, [1, 0.05, 0.05, 1]));
  await writeEmbeddingsFile(join(dir, 'q3.bin'), createEmbeddings(['q1'], 3, [1, 0, 0]));
  await writeEmbeddingsFile(join(dir, 'none.bin'), createEmbeddings([], 2, []));
  await put(join(dir, 'labels.csv'), 'id,label\nr1,a\nr2,a\nr3,b\nr4,b\nq1,a\nq2,b\n');
  await put(join(dir, 'ref-labels.csv'), 'id,label\nr1,a\nr2,a\nr3,b\nr4,b\n');
  await put(join(dir, 'conflict.csv'), 'id,label\nr1,b\n');
  await put(join(dir, 'multi.csv'), 'id,labels\nr1,a b\n');
  await put(join(dir, 'not-embeddings.bin'), 'id,label\n');
});
afterAll(() => remove());

// Cosine similarities by hand: q1 = (1, 0.05), |q1| = √1.0025.
const COS_Q1_R1 = 1 / Math.sqrt(1.0025); // 0.998752
const COS_Q1_R2 = (0.9 + 0.005) / (Math.sqrt(1.0025) * Math.sqrt(0.82)); // 0.998158
const COS_Q1_R4 = (0.1 + 0.045) / (Math.sqrt(1.0025) * Math.sqrt(0.82)); // 0.159926

describe('topk retrieve', () => {
  it('writes the top-k neighbours with cosine scores and labels, and MAP@k', async () => {
    const result = await topk(
      [
        'retrieve',
        '--index',
        'ref.bin',
        '--query',
        'q.bin',
        '--k',
        '3',
        '--labels',
        'labels.csv',
        '--out',
        'n.csv',
      ],
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '2 queries against 4 references (dim 2), top 3',
        'MAP@3        1.0000',
        'precision@1   1.0000',
        'MAP@R         1.0000',
        'queries scored 2, without any relevant reference 0',
        'written n.csv',
        '',
      ].join('\n'),
    );
    expect(await readFile(join(dir, 'n.csv'), 'utf8')).toBe(
      [
        'query,rank,reference,score,label',
        `q1,1,r1,${COS_Q1_R1.toFixed(6)},a`,
        `q1,2,r2,${COS_Q1_R2.toFixed(6)},a`,
        `q1,3,r4,${COS_Q1_R4.toFixed(6)},b`,
        // q2 = (0.05, 1) mirrors q1, so r3 and r4 mirror r1 and r2.
        `q2,1,r3,${COS_Q1_R1.toFixed(6)},b`,
        `q2,2,r4,${COS_Q1_R2.toFixed(6)},b`,
        `q2,3,r2,${COS_Q1_R4.toFixed(6)},a`,
        '',
      ].join('\n'),
    );
  });

  it('searches a set against itself without its own ids, and scores wrong neighbours', async () => {
    // Swap labels of r2 and r3: each query's first neighbour now has the other label.
    await put(join(dir, 'swapped.csv'), 'id,label\nr1,a\nr2,b\nr3,a\nr4,b\n');
    const json = JSON.parse(
      (
        await topk(
          [
            'retrieve',
            '--index',
            'ref.bin',
            '--query',
            'ref.bin',
            '--exclude-self',
            '--k',
            '2',
            '--labels',
            'swapped.csv',
            '--json',
          ],
          dir,
        )
      ).stdout,
    );
    expect(json).toMatchObject({ queries: 4, references: 4, dim: 2, k: 2, excludeSelf: true });
    expect(json.neighbours[0]).toEqual({
      query: 'r1',
      neighbours: [
        { id: 'r2', score: expect.closeTo(0.9 / Math.sqrt(0.82), 6), label: 'b' },
        { id: 'r4', score: expect.closeTo(0.1 / Math.sqrt(0.82), 6), label: 'b' },
      ],
    });
    // r1 (a): neighbours r2 (b), r4 (b): no relevant reference among the others but r3 (a), never
    // retrieved in the top 2 → AP 0. r2 (b): r1 (a), r4 (b) → AP@2 = (1/2) / min(R = 1, 2) = 0.5.
    // r3 (a): r4 (b), r2 (b) → 0. r4 (b): r3 (a), r2 (b) → 0.5. MAP@2 = 0.25; precision@1 = 0.
    expect(json.metrics.mapAtK).toBeCloseTo(0.25, 12);
    expect(json.metrics.precisionAt1).toBe(0);
  });

  it('prints the neighbours without --out, and skips metrics when queries have no labels', async () => {
    const result = await topk(
      ['retrieve', '--index', 'ref.bin', '--query', 'q.bin', '--k', '1', '--labels', 'ref-labels.csv'],
      dir,
    );
    expect(result.stdout).toBe(
      [
        '2 queries against 4 references (dim 2), top 1',
        'no metrics: 2 query ids have no label',
        `q1: r1 [a] ${COS_Q1_R1.toFixed(4)}`,
        `q2: r3 [b] ${COS_Q1_R1.toFixed(4)}`,
        '',
      ].join('\n'),
    );
    const clamped = JSON.parse(
      (await topk(['retrieve', '--index', 'ref.bin', '--query', 'q.bin', '--k', '50', '--json'], dir)).stdout,
    );
    expect(clamped.k).toBe(4); // at most the number of references
    expect(clamped.neighbours[1].neighbours.map((n: { id: string }) => n.id)).toEqual([
      'r3',
      'r4',
      'r2',
      'r1',
    ]);
  });

  it('rejects bad input with one line and exit code 2', async () => {
    const run = (...argv: string[]) => topk(['retrieve', ...argv], dir);
    expectUsageError(await run('--query', 'q.bin'), '--index is required');
    expectUsageError(await run('--index', 'ref.bin'), '--query is required');
    expectUsageError(
      await run('--index', 'ref.bin', '--query', 'q.bin', '--k', '0'),
      '--k must be an integer in [1, 100000], got "0"',
    );
    expectUsageError(
      await run('--index', 'nope.bin', '--query', 'q.bin'),
      '--index must be an existing file',
    );
    expectUsageError(
      await run('--index', 'ref.bin', '--query', 'q3.bin'),
      '--query q3.bin: vectors of dimension 3, but --index has 2',
    );
    expectUsageError(
      await run('--index', 'not-embeddings.bin', '--query', 'q.bin'),
      '--index not-embeddings.bin: Error in decodeEmbeddings',
    );
    expectUsageError(
      await run('--index', 'none.bin', '--query', 'q.bin'),
      '--index none.bin: holds no embeddings',
    );
    expectUsageError(
      await run('--index', 'ref.bin', '--query', 'q.bin', '--labels', 'labels.csv', 'conflict.csv'),
      '--labels: id "r1" is labelled both "a" and "b"',
    );
    expectUsageError(
      await run('--index', 'ref.bin', '--query', 'q.bin', '--labels', 'multi.csv'),
      '--labels multi.csv: needs one label per id',
    );
    await put(join(dir, 'partial.csv'), 'id,label\nr1,a\n');
    expectUsageError(
      await run('--index', 'ref.bin', '--query', 'q.bin', '--labels', 'partial.csv'),
      '--labels: no label for 3 of the 4 --index ids ("r2", ...)',
    );
    expectUsageError(
      await run('--index', 'ref.bin', '--query', 'q.bin', '--out', '.'),
      '--out must be a file path to write',
    );
  });
});
