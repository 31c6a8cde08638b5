import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedHandler, EMBEDDINGS_FILE, embedItems, mergeEmbeddings } from './embed-job.js';
import { readEmbeddingsFile } from './embeddings-file.js';
import { runShardedJob } from './run-sharded-job.js';
import { shardItems } from './shard-items.js';
import { type ClusterWorker, startWorker } from './start-worker.js';
import { writeTestImages } from './testing/images.js';
import { startRedis, type TestRedis } from './testing/start-redis.js';
import { type SyntheticPayload, syntheticEmbedder } from './testing/synthetic-model.js';

let redis: TestRedis;
let dir: string;
let worker: ClusterWorker;

beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'topk-embed-'));
  worker = startWorker({
    redis: redis.url,
    queue: 'q-embed',
    concurrency: 2,
    handlers: { embed: createEmbedHandler<SyntheticPayload>({ load: syntheticEmbedder, batchSize: 5 }) },
  });
});
afterAll(async () => {
  await worker?.close({ force: true });
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('sharded embed', () => {
  it('merges shard embeddings into one file equal to a single-process run, ids in input order', async () => {
    const items = await writeTestImages(join(dir, 'images'), { count: 50, seed: 12 });
    const listing = [
      ...items.slice(0, 20),
      { id: 'missing', source: join(dir, 'nope.png') },
      ...items.slice(20),
    ];
    const payload: SyntheticPayload = { classes: ['a'], seed: 3, dim: 6 };
    const report = await runShardedJob({
      redis: redis.url,
      queue: 'q-embed',
      runId: 'embed-1',
      kind: 'embed',
      shards: shardItems(listing, { shards: 4 }),
      payload: payload as never,
      outDir: join(dir, 'run'),
      pollMs: 20,
      progressBar: false,
    });
    expect(report.completed).toBe(4);
    expect(report.shards.every((shard) => shard.files.includes(EMBEDDINGS_FILE))).toBe(true);
    const out = join(dir, 'run', 'embeddings.bin');
    const merged = await mergeEmbeddings(report, { out });
    expect(merged).toEqual({ out, rows: 50, dim: 6, missing: [], quarantined: ['missing'] });
    const single = await embedItems(items, syntheticEmbedder(payload));
    const read = await readEmbeddingsFile(out);
    expect(read.ids).toEqual(items.map((item) => item.id));
    expect(read.dim).toBe(6);
    expect([...read.vectors]).toEqual([...single.embeddings.vectors]);
    // Unit vectors: the synthetic embedder L2-normalises each row.
    expect(Math.hypot(...read.vectors.subarray(0, 6))).toBeCloseTo(1, 6);
  });

  it('rejects bad embedders, results and reports', async () => {
    const items = await writeTestImages(join(dir, 'err'), { count: 2, seed: 13 });
    await expect(embedItems(items, {} as never)).rejects.toThrow(
      'Error in embedItems: embedder must be an Embedder { dim, embed, decode? }',
    );
    await expect(embedItems(items, { dim: 0, embed: () => new Float32Array(0) })).rejects.toThrow(
      'embedder.dim must be a positive integer, got 0',
    );
    await expect(embedItems(items, { dim: 3, embed: () => new Float32Array(5) })).rejects.toThrow(
      'Error in Embedder.embed: its result must be a Float32Array of 2 × 3 values, got Float32Array of length 5',
    );
    await expect(embedItems(items, { dim: 1, embed: () => Float32Array.of(1, Number.NaN) })).rejects.toThrow(
      'vectors[1] (row 1) must be a finite number',
    );
    expect(() => createEmbedHandler({} as never)).toThrow(
      'options.load must be a function (payload) => Embedder',
    );
    await expect(
      mergeEmbeddings({ shards: [], failures: [] } as never, { out: join(dir, 'x') }),
    ).rejects.toThrow('report must be a run with at least one completed shard');
    await expect(mergeEmbeddings({ shards: [] } as never, { out: '' })).rejects.toThrow(
      'options.out must be a file path',
    );
  });
});
