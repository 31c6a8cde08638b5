import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShardItem } from './run-layout.js';
import type { RunProgress } from './run-progress.js';
import { runShardedJob } from './run-sharded-job.js';
import { shardItems } from './shard-items.js';
import {
  type ClusterWorker,
  type JobHandler,
  ShardInputError,
  startWorker,
  type WorkerEvent,
} from './start-worker.js';
import { startRedis, type TestRedis } from './testing/start-redis.js';

let redis: TestRedis;
let dir: string;
const workers: ClusterWorker[] = [];

beforeAll(async () => {
  redis = await startRedis();
  dir = await mkdtemp(join(tmpdir(), 'topk-run-'));
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.close({ force: true })));
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const listing = (n: number): ShardItem[] =>
  Array.from({ length: n }, (_, i) => ({ id: `item-${i}`, label: i % 3 }));

function worker(queue: string, handlers: Record<string, JobHandler>, onEvent?: (event: WorkerEvent) => void) {
  const started = startWorker({ redis: redis.url, queue, handlers, ...(onEvent ? { onEvent } : {}) });
  workers.push(started);
  return started;
}

/** A handler that writes its shard's ids, counting calls per shard. */
function echo(calls: Map<number, number>, delayMs = 0): JobHandler {
  return async (job) => {
    calls.set(job.shard, (calls.get(job.shard) ?? 0) + 1);
    for (let i = 0; i < job.items.length; i++) {
      if (delayMs > 0) await sleep(delayMs / job.items.length);
      job.progress(i + 1);
    }
    await job.writeFile('ids.json', JSON.stringify(job.items.map((item) => item.id)));
    return { info: { first: job.items[0]!.id } };
  };
}

describe('runShardedJob', () => {
  it('runs every shard on a worker, reports progress, and writes results and the report into the run folder', async () => {
    const calls = new Map<number, number>();
    worker('q-basic', { echo: echo(calls, 40) });
    const progress: RunProgress[] = [];
    const outDir = join(dir, 'basic');
    const items = listing(50);
    const report = await runShardedJob({
      redis: redis.url,
      queue: 'q-basic',
      runId: 'basic-1',
      kind: 'echo',
      shards: shardItems(items, { shards: 5 }),
      payload: { note: 'x' },
      outDir,
      pollMs: 20,
      progressBar: false,
      onProgress: (p) => progress.push(p),
    });
    expect(report).toMatchObject({
      runId: 'basic-1',
      kind: 'echo',
      queue: 'q-basic',
      outDir: resolve(outDir),
      completed: 5,
      failed: 0,
      items: 50,
      processed: 50,
      quarantined: [],
      failures: [],
      retried: 0,
      resumed: 0,
    });
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1]);
    for (const shard of report.shards) {
      expect(shard).toMatchObject({
        state: 'completed',
        items: 10,
        processed: 10,
        files: ['ids.json'],
        attempts: 1,
      });
      expect(shard.info).toEqual({ first: `item-${shard.shard * 10}` });
      expect(JSON.parse(await readFile(join(shard.dir, 'ids.json'), 'utf8'))).toEqual(
        items.slice(shard.shard * 10, shard.shard * 10 + 10).map((item) => item.id),
      );
    }
    expect(JSON.parse(await readFile(join(outDir, 'report.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(report)),
    );
    const last = progress.at(-1)!;
    expect(last.shards).toEqual({ total: 5, completed: 5, failed: 0, active: 0, waiting: 0 });
    expect(last.items).toEqual({ total: 50, done: 50, failed: 0, quarantined: 0 });
    expect(last.etaSeconds).toBe(0);
    // Some look caught a shard half-way, as its worker reported it.
    expect(
      progress.some((p) => p.active.some((a) => a.done > 0 && a.done < a.total && a.worker !== undefined)),
    ).toBe(true);
  });

  it('a restarted coordinator resumes: finished shards are kept and only the missing ones run', async () => {
    const calls = new Map<number, number>();
    const first = worker('q-resume', { echo: echo(calls, 60) });
    const options = {
      redis: redis.url,
      queue: 'q-resume',
      runId: 'resume-1',
      kind: 'echo',
      shards: shardItems(listing(60), { shards: 6 }),
      outDir: join(dir, 'resume'),
      pollMs: 20,
      progressBar: false,
    };
    const controller = new AbortController();
    await expect(
      runShardedJob({
        ...options,
        signal: controller.signal,
        onProgress: (p) => {
          if (p.shards.completed >= 2) controller.abort();
        },
      }),
    ).rejects.toThrow(/abort/i);
    await first.close(); // finishes the shard it holds, takes no other
    const finishedBefore = calls.size;
    expect(finishedBefore).toBeGreaterThanOrEqual(2);
    expect(finishedBefore).toBeLessThan(6);

    // The second worker starts once the coordinator has looked at the run folder.
    let second: ClusterWorker | undefined;
    const report = await runShardedJob({
      ...options,
      onProgress: () => {
        second ??= worker('q-resume', { echo: echo(calls) });
      },
    });
    expect(second).toBeDefined();
    expect(report.completed).toBe(6);
    expect(report.resumed).toBe(finishedBefore);
    expect([...calls.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1, 1]); // nothing ran twice

    // The run folder alone is enough: with the jobs gone from Redis, nothing runs again.
    const queue = new Queue('q-resume', { connection: { host: '127.0.0.1', port: redis.port } });
    await queue.obliterate({ force: true });
    await queue.close();
    const again = await runShardedJob(options);
    expect(again.completed).toBe(6);
    expect(again.resumed).toBe(6);
    expect([...calls.values()]).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('a failing shard is retried, then reported with its reason; input errors fail at once; the run completes', async () => {
    const calls = new Map<number, number>();
    let broken = true;
    const events: WorkerEvent[] = [];
    const inner = echo(calls);
    worker(
      'q-fail',
      {
        echo: async (job) => {
          if (broken && job.shard === 1) throw new Error('model exploded on shard 1');
          if (broken && job.shard === 2) throw new ShardInputError('payload names no model');
          return inner(job);
        },
      },
      (event) => events.push(event),
    );
    const options = {
      redis: redis.url,
      queue: 'q-fail',
      runId: 'fail-1',
      kind: 'echo',
      shards: shardItems(listing(40), { shards: 4 }),
      outDir: join(dir, 'fail'),
      attempts: 3,
      backoffMs: 10,
      pollMs: 20,
      progressBar: false,
    };
    const report = await runShardedJob(options);
    expect(report.completed).toBe(2);
    expect(report.failed).toBe(2);
    expect(report.failures).toEqual([
      { shard: 1, items: 10, reason: 'model exploded on shard 1' },
      { shard: 2, items: 10, reason: 'payload names no model' },
    ]);
    expect(report.shards[1]).toMatchObject({ state: 'failed', attempts: 3, processed: 0, files: [] });
    expect(report.shards[2]).toMatchObject({ state: 'failed', attempts: 1 });
    expect(report.retried).toBe(2);
    const failed = events.filter((event) => event.type === 'failed');
    expect(failed.map((event) => [event.shard, event.attempt, event.final])).toEqual([
      [1, 1, false],
      [2, 1, true],
      [1, 2, false],
      [1, 3, true],
    ]);

    // Resumed as is, failed shards stay failed; with retryFailed they run again.
    broken = false;
    const kept = await runShardedJob(options);
    expect(kept.failed).toBe(2);
    expect(kept.resumed).toBe(4);
    const retried = await runShardedJob({ ...options, retryFailed: true });
    expect(retried.completed).toBe(4);
    expect(retried.failures).toEqual([]);
  });

  it('a kind no worker handles fails with the reason', async () => {
    worker('q-kind', { echo: echo(new Map()) });
    const report = await runShardedJob({
      redis: redis.url,
      queue: 'q-kind',
      runId: 'kind-1',
      kind: 'embed',
      shards: [listing(2)],
      outDir: join(dir, 'kind'),
      attempts: 1,
      pollMs: 20,
      progressBar: false,
    });
    expect(report.failures[0]!.reason).toMatch(
      /^worker .+ has no handler for jobs of kind "embed" \(it runs echo\)$/,
    );
  });

  it('pins relative image paths to the coordinator folder, as workers run elsewhere', async () => {
    const seen: (string | undefined)[] = [];
    worker('q-paths', {
      look: async (job) => {
        seen.push(...job.items.map((item) => item.source));
        return undefined;
      },
    });
    await runShardedJob({
      redis: redis.url,
      queue: 'q-paths',
      runId: 'paths-1',
      kind: 'look',
      shards: [[{ id: 'a', source: 'data/a.png' }, { id: 'b', source: '/abs/b.png' }, { id: 'c' }]],
      outDir: join(dir, 'paths'),
      pollMs: 20,
      progressBar: false,
    });
    expect(seen).toEqual([resolve('data/a.png'), '/abs/b.png', undefined]);
  });

  it('refuses to reuse a run id for another job', async () => {
    worker('q-reuse', { echo: echo(new Map()) });
    const options = {
      redis: redis.url,
      queue: 'q-reuse',
      runId: 'reuse-1',
      kind: 'echo',
      shards: shardItems(listing(4), { shards: 2 }),
      payload: { model: 'a' },
      outDir: join(dir, 'reuse'),
      pollMs: 20,
      progressBar: false,
    };
    await runShardedJob(options);
    await expect(runShardedJob({ ...options, payload: { model: 'b' } })).rejects.toThrow(
      `Error in runShardedJob: options.runId must be a new run id or another outDir (${resolve(dir, 'reuse')} holds a run started with another payload), got "reuse-1"`,
    );
    await expect(
      runShardedJob({ ...options, shards: shardItems(listing(4), { shards: 4 }) }),
    ).rejects.toThrow('holds a run started with 2 shards of other sizes');
    await expect(runShardedJob({ ...options, kind: 'other' })).rejects.toThrow('started with kind "echo"');
    // The same id with another folder would mix two runs' jobs in the queue.
    const queue = new Queue('q-reuse', { connection: { host: '127.0.0.1', port: redis.port } });
    await queue.add('echo', { dir: '/elsewhere' } as never, { jobId: 'reuse-2.shard-00000' });
    await queue.close();
    await expect(
      runShardedJob({ ...options, runId: 'reuse-2', outDir: join(dir, 'reuse-2') }),
    ).rejects.toThrow(
      'options.runId must be a run id not used by another run (queue q-reuse holds its jobs for /elsewhere), got "reuse-2"',
    );
  });

  it('rejects bad options before touching Redis', async () => {
    const base = { runId: 'r', kind: 'echo', shards: [listing(2)], outDir: join(dir, 'bad') };
    await expect(runShardedJob({ ...base, runId: 'a:b' })).rejects.toThrow(
      'options.runId must be a run id of 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit, got "a:b"',
    );
    await expect(runShardedJob({ ...base, kind: '' })).rejects.toThrow('options.kind must be a job kind');
    await expect(runShardedJob({ ...base, shards: [] })).rejects.toThrow(
      'options.shards must be a non-empty array',
    );
    await expect(runShardedJob({ ...base, shards: [[{ id: 'a' }], [{ id: 'a' }]] })).rejects.toThrow(
      'options.shards[1][0].id must be unique across shards (it repeats options.shards[0][0]), got "a"',
    );
    await expect(
      runShardedJob({ ...base, shards: [[{ id: 'a', source: new Uint8Array(2) as never }]] }),
    ).rejects.toThrow(
      'options.shards[0][0].source must be a file path (workers read images from the shared filesystem)',
    );
    await expect(runShardedJob({ ...base, attempts: 0 })).rejects.toThrow(
      'options.attempts must be a positive integer',
    );
    await expect(runShardedJob({ ...base, payload: 1n as never })).rejects.toThrow(
      'options.payload must be a JSON value',
    );
    await expect(runShardedJob({ ...base, queue: 'a b' })).rejects.toThrow(
      'options.queue must be a queue name',
    );
    await expect(runShardedJob({ ...base, outDir: '' })).rejects.toThrow(
      'options.outDir must be a folder path',
    );
    await expect(runShardedJob({ ...base, pollMs: 1 })).rejects.toThrow(
      'options.pollMs must be a number >= 10',
    );
  });
});

describe('startWorker', () => {
  it('rejects bad options', () => {
    expect(() => startWorker({ handlers: {} })).toThrow(
      'Error in startWorker: options.handlers must be an object mapping job kinds to handlers',
    );
    expect(() => startWorker({ handlers: { a: 1 as never } })).toThrow(
      'options.handlers["a"] must be a function',
    );
    const handlers = { a: async () => undefined };
    expect(() => startWorker({ handlers, concurrency: 0 })).toThrow(
      'options.concurrency must be a positive integer',
    );
    expect(() => startWorker({ handlers, lockDuration: 1.5 })).toThrow(
      'options.lockDuration must be a positive integer',
    );
    expect(() => startWorker({ handlers, queue: 'a:b' })).toThrow('options.queue must be a queue name');
    expect(() => startWorker({ handlers, redis: 'http://x' })).toThrow(
      'redis.url must be a redis:// or rediss:// URL',
    );
  });
});
