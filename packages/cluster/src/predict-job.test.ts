import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePredictionCsv } from '@topk/thresholding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPredictHandler, mergePredictions, type Predictor, predictItems } from './predict-job.js';
import type { ShardItem } from './run-layout.js';
import { runShardedJob } from './run-sharded-job.js';
import { shardItems } from './shard-items.js';
import { type ClusterWorker, startWorker } from './start-worker.js';
import { writeTestImages } from './testing/images.js';
import { encodePng } from './testing/png.js';
import { startRedis, type TestRedis } from './testing/start-redis.js';
import { type SyntheticPayload, syntheticPredictor } from './testing/synthetic-model.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WORKER_MAIN = fileURLToPath(new URL('./testing/worker-main.ts', import.meta.url));
const CLASSES = ['cat', 'dog', 'fox', 'owl', 'yak'];

let redis: TestRedis;
let dir: string;
const workers: ClusterWorker[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'topk-predict-'));
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close({ force: true })));
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Starts `worker-main.ts` in its own Node process; resolves with its name once it is connected. */
async function spawnWorker(env: Record<string, string>): Promise<{ child: ChildProcess; name: string }> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', WORKER_MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const name = await new Promise<string>((resolveName, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start in 30 s:\n${output}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolveName(ready[1]!);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
  return { child, name };
}

function expectSameTable(actualCsv: string, expected: { ids: readonly string[]; probs: Float32Array }) {
  const actual = parsePredictionCsv(actualCsv, { classes: CLASSES });
  expect(actual.ids).toEqual(expected.ids);
  expect(new Set(actual.ids).size).toBe(actual.ids.length);
  let worst = 0;
  actual.probs.forEach((p, k) => {
    worst = Math.max(worst, Math.abs(p - expected.probs[k]!));
  });
  expect(worst).toBeLessThanOrEqual(1e-5);
}

describe('sharded predict', () => {
  it('over 2 000 images on 3 worker processes, one killed with SIGKILL mid-shard, equals a single-process run', async () => {
    const items = await writeTestImages(join(dir, 'images'), { count: 2000, size: 16, seed: 5 });
    const payload: SyntheticPayload = { classes: CLASSES, seed: 11, delayMs: 40 };
    // The reference: the same predictor over the whole listing in this process.
    const single = await predictItems(items, syntheticPredictor({ ...payload, delayMs: 0 }));
    expect(single.quarantined).toEqual([]);

    const env = { REDIS_URL: redis.url, TOPK_QUEUE: 'q-kill', TOPK_LOCK_MS: '2000', TOPK_STALLED_MS: '500' };
    const started = await Promise.all([spawnWorker(env), spawnWorker(env), spawnWorker(env)]);
    const byName = new Map(started.map(({ child, name }) => [name, child]));
    let killed: { shard: number; worker: string; done: number } | undefined;
    const report = await runShardedJob({
      redis: redis.url,
      queue: 'q-kill',
      runId: 'kill-1',
      kind: 'predict',
      shards: shardItems(items, { shards: 10 }),
      payload: payload as never,
      outDir: join(dir, 'kill-run'),
      pollMs: 50,
      progressBar: false,
      onProgress: (progress) => {
        if (killed !== undefined) return;
        const target = progress.active.find(
          (shard) => shard.done > 0 && shard.done < shard.total && byName.has(shard.worker ?? ''),
        );
        if (target === undefined) return;
        byName.get(target.worker!)!.kill('SIGKILL');
        killed = { shard: target.shard, worker: target.worker!, done: target.done };
      },
    });
    expect(killed).toBeDefined();
    expect(report.completed).toBe(10);
    expect(report.failed).toBe(0);
    const retaken = report.shards[killed!.shard]!;
    expect(retaken.stalled).toBeGreaterThanOrEqual(1);
    expect(retaken.attempts).toBeGreaterThanOrEqual(2);
    expect(retaken.worker).not.toBe(killed!.worker);
    expect(report.retried).toBeGreaterThanOrEqual(1);

    const out = join(dir, 'kill-run', 'predictions.csv');
    const merged = await mergePredictions(report, { out });
    expect(merged).toEqual({ out, rows: 2000, classes: CLASSES, missing: [], quarantined: [] });
    expectSameTable(await readFile(out, 'utf8'), single.table);
  }, 120_000);

  it('quarantines bad images with their reasons and fails a shard the model rejects, after its attempts', async () => {
    const imagesDir = join(dir, 'bad-images');
    const items: ShardItem[] = await writeTestImages(imagesDir, { count: 40, size: 16, seed: 6 });
    const extra = join(imagesDir, 'extra');
    await mkdir(extra, { recursive: true });
    const png = encodePng(16, 16, new Uint8Array(16 * 16 * 3).fill(90));
    await writeFile(join(extra, 'html.png'), '<html>404 Not Found</html>');
    await writeFile(join(extra, 'cut.png'), png.subarray(0, png.length - 20));
    await writeFile(join(extra, 'empty.png'), '');
    await writeFile(join(extra, 'big.png'), encodePng(20, 20, new Uint8Array(20 * 20 * 3).fill(30)));
    const listing: ShardItem[] = [
      ...items.slice(0, 10),
      { id: 'html', source: join(extra, 'html.png') },
      { id: 'cut', source: join(extra, 'cut.png') },
      ...items.slice(10, 20),
      { id: 'gone', source: join(extra, 'gone.png') },
      { id: 'empty', source: join(extra, 'empty.png') },
      ...items.slice(20, 30),
      { id: 'big', source: join(extra, 'big.png') }, // decodes, but the model takes 16 × 16 only
      ...items.slice(30, 40),
    ];
    const payload: SyntheticPayload = { classes: CLASSES, seed: 2, size: 16 };
    workers.push(
      startWorker({
        redis: redis.url,
        queue: 'q-bad',
        handlers: {
          predict: createPredictHandler<SyntheticPayload>({ load: syntheticPredictor, batchSize: 8 }),
        },
      }),
    );
    const shards = shardItems(listing, { shards: 4 });
    const report = await runShardedJob({
      redis: redis.url,
      queue: 'q-bad',
      runId: 'bad-1',
      kind: 'predict',
      shards,
      payload: payload as never,
      outDir: join(dir, 'bad-run'),
      attempts: 2,
      backoffMs: 10,
      pollMs: 20,
      progressBar: false,
    });
    const badShard = shards.findIndex((shard) => shard.some((item) => item.id === 'big'));
    expect(report.completed).toBe(3);
    expect(report.failures).toEqual([
      {
        shard: badShard,
        items: shards[badShard]!.length,
        reason: 'the synthetic model takes 16x16 images, got 20x20',
      },
    ]);
    expect(report.shards[badShard]!.attempts).toBe(2);
    expect(report.quarantined.map((item) => [item.id, item.code])).toEqual([
      ['html', 'not-an-image'],
      ['cut', 'truncated'],
      ['gone', 'missing'],
      ['empty', 'empty'],
    ]);
    for (const item of report.quarantined) expect(item.reason.length).toBeGreaterThan(0);

    const out = join(dir, 'bad-run', 'predictions.csv');
    const merged = await mergePredictions(report, { out });
    const kept = shards.filter((_, s) => s !== badShard).flat();
    const expected = await predictItems(kept, syntheticPredictor(payload));
    expect(merged.rows).toBe(expected.table.ids.length);
    expect(merged.missing).toEqual(shards[badShard]!.map((item) => item.id));
    expect(merged.quarantined).toEqual(['html', 'cut', 'gone', 'empty']);
    expectSameTable(await readFile(out, 'utf8'), expected.table);
  });

  it('loads the model once per run on a worker and disposes of it when the next run starts', async () => {
    const items = (await writeTestImages(join(dir, 'load-images'), { count: 12, seed: 8 })).slice();
    const loads: number[] = [];
    const disposed: number[] = [];
    workers.push(
      startWorker({
        redis: redis.url,
        queue: 'q-load',
        handlers: {
          predict: createPredictHandler<SyntheticPayload>({
            load: (payload) => {
              loads.push(payload.seed);
              return { ...syntheticPredictor(payload), dispose: () => disposed.push(payload.seed) };
            },
          }),
        },
      }),
    );
    const run = (runId: string, seed: number) =>
      runShardedJob({
        redis: redis.url,
        queue: 'q-load',
        runId,
        kind: 'predict',
        shards: shardItems(items, { shards: 4 }),
        payload: { classes: CLASSES, seed },
        outDir: join(dir, runId),
        pollMs: 20,
        progressBar: false,
      });
    expect((await run('load-1', 1)).completed).toBe(4);
    expect(loads).toEqual([1]);
    expect(disposed).toEqual([]);
    expect((await run('load-2', 2)).completed).toBe(4);
    expect(loads).toEqual([1, 2]);
    expect(disposed).toEqual([1]);
  });
});

describe('predictItems', () => {
  it('keeps the listed order, batches the model calls and reports progress', async () => {
    const items = await writeTestImages(join(dir, 'order-images'), { count: 10, seed: 9 });
    const batches: number[] = [];
    const progress: number[] = [];
    const base = syntheticPredictor({ classes: CLASSES, seed: 4 });
    const predictor: Predictor = {
      ...base,
      predict: (images) => {
        batches.push(images.length);
        return base.predict(images);
      },
    };
    const { table } = await predictItems(items, predictor, {
      batchSize: 4,
      onProgress: (d) => progress.push(d),
    });
    expect(batches).toEqual([4, 4, 2]);
    expect(progress).toEqual([4, 8, 10]);
    expect(table.ids).toEqual(items.map((item) => item.id));
    // Rows are distributions: softmax outputs sum to 1.
    for (let i = 0; i < 10; i++) {
      const row = table.probs.subarray(i * 5, i * 5 + 5);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    }
    // A row depends on its image alone: predicting an item by itself gives the same row.
    const alone = await predictItems([items[7]!], base);
    expect([...alone.table.probs]).toEqual([...table.probs.subarray(35, 40)]);
  });

  it('rejects bad predictors and results', async () => {
    const items = await writeTestImages(join(dir, 'err-images'), { count: 2, seed: 10 });
    await expect(predictItems(items, {} as never)).rejects.toThrow(
      'Error in predictItems: predictor must be a Predictor { classes, predict, decode? }',
    );
    await expect(predictItems(items, { classes: [], predict: () => new Float32Array(0) })).rejects.toThrow(
      'predictor.classes must be a non-empty array of class names',
    );
    await expect(
      predictItems(items, { classes: ['a', 'b'], predict: () => new Float32Array(3) }),
    ).rejects.toThrow(
      'Error in Predictor.predict: its result must be a Float32Array of 2 × 2 probabilities, got Float32Array of length 3',
    );
    await expect(
      predictItems(items, syntheticPredictor({ classes: CLASSES, seed: 1 }), { batchSize: 0 }),
    ).rejects.toThrow('options.batchSize must be a positive integer');
    expect(() => createPredictHandler({} as never)).toThrow(
      'Error in createPredictHandler: options.load must be a function (payload) => Predictor',
    );
  });

  it('mergePredictions needs a completed shard and a file path', async () => {
    const report = { shards: [], failures: [{ shard: 0, items: 1, reason: 'boom' }] } as never;
    await expect(mergePredictions(report, { out: join(dir, 'x.csv') })).rejects.toThrow(
      'Error in mergePredictions: report must be a run with at least one completed shard, got "boom"',
    );
    await expect(mergePredictions(report, { out: '' })).rejects.toThrow('options.out must be a file path');
    await expect(mergePredictions(null as never, { out: 'x' })).rejects.toThrow(
      'report must be a report from runShardedJob',
    );
  });
});
