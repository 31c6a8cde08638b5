import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ClusterWorker, readEmbeddingsFile, startWorker } from '@topk/cluster';
import { startRedis, type TestRedis } from '@topk/cluster/testing';
import { openCache } from '@topk/data-pipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClusterHandlers, createClusterHandlers } from '../cluster-handlers.js';
import { expectUsageError, put, solidPng, tempDir, topk } from '../test-support.js';

let dir: string;
let remove: () => Promise<void>;
let redis: TestRedis;
const workers: ClusterWorker[] = [];
const handlerSets: ClusterHandlers[] = [];
const COLORS: Record<string, [number, number, number]> = {
  cat: [200, 40, 40],
  dog: [40, 200, 40],
  fox: [40, 40, 200],
};
const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const IDX = join(PACKAGE, 'assets', 'fashion-mnist', 't10k-images-idx3-ubyte.gz');
const BIN = join(PACKAGE, 'bin', 'topk.mjs');

function parseCsv(text: string) {
  const [header, ...rows] = text.trim().split('\n');
  return {
    header,
    ids: rows.map((r) => r.split(',')[0]),
    values: rows.map((r) => r.split(',').slice(1).map(Number)),
  };
}

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  redis = await startRedis();
  for (const [name, [r, g, b]] of Object.entries(COLORS)) {
    for (let i = 0; i < 4; i++) {
      // 20×12 images: the cluster decoder and the data pipeline must squish them alike to 16×16.
      await put(join(dir, 'data', name, `${i}.png`), await solidPng(20, 12, [r, g + i * 8, b]));
    }
  }
  const trained = await topk(
    [
      'train',
      '--data',
      'data',
      '--backbone',
      'simple-cnn',
      '--size',
      '16',
      '--batch-size',
      '4',
      '--epochs',
      '1',
      '--val-split',
      '0',
      '--workers',
      '0',
      '--out',
      'run',
      '--json',
    ],
    dir,
  );
  expect(trained.code).toBe(0);
  for (let w = 0; w < 2; w++) {
    const set = await createClusterHandlers({ batchSize: 3 });
    handlerSets.push(set);
    workers.push(
      startWorker({ redis: redis.url, handlers: set.handlers, concurrency: 1, name: `test-worker-${w}` }),
    );
  }
  await Promise.all(workers.map((w) => w.ready()));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  for (const set of handlerSets) set.dispose();
  await redis?.stop();
  await remove();
});

describe('topk cluster predict, embed, cache (with in-process topk worker handlers)', () => {
  it("merges the workers' shards into the CSV topk predict writes", async () => {
    for (const tta of [false, true]) {
      const flag = tta ? ['--tta'] : [];
      const single = await topk(
        ['predict', '--model', 'run', '--data', 'data', '--workers', '0', '--out', 'single.csv', ...flag],
        dir,
      );
      expect(single.code).toBe(0);
      const sharded = await topk(
        [
          'cluster',
          'predict',
          '--redis',
          redis.url,
          '--model',
          'run',
          '--data',
          'data',
          '--shards',
          '5',
          '--out',
          'sharded.csv',
          ...flag,
        ],
        dir,
      );
      expect(sharded.stderr).toBe('');
      expect(sharded.code).toBe(0);
      expect(sharded.stdout).toContain('5 of 5 shards completed (0 resumed), 12 images, 0 quarantined');
      expect(sharded.stdout).toContain('written sharded.csv');
      const a = parseCsv(await readFile(join(dir, 'single.csv'), 'utf8'));
      const b = parseCsv(await readFile(join(dir, 'sharded.csv'), 'utf8'));
      expect(b.header).toBe('id,cat,dog,fox');
      expect(b.header).toBe(a.header);
      expect(b.ids).toEqual(a.ids);
      expect(b.ids).toHaveLength(12);
      b.values.forEach((row, i) => {
        row.forEach((v, c) => {
          expect(Math.abs(v - a.values[i]![c]!)).toBeLessThan(1e-5);
        });
      });
    }
    // The same command again resumes the finished run: every shard is found done.
    const again = await topk(
      [
        'cluster',
        'predict',
        '--redis',
        redis.url,
        '--model',
        'run',
        '--data',
        'data',
        '--shards',
        '5',
        '--tta',
        '--out',
        'sharded.csv',
      ],
      dir,
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('5 of 5 shards completed (5 resumed)');
  }, 120_000);

  it("merges the workers' shards into the embeddings file topk embed writes, and resumes", async () => {
    const single = await topk(
      ['embed', '--model', 'run', '--data', 'data', '--workers', '0', '--out', 'single.bin'],
      dir,
    );
    expect(single.code).toBe(0);
    const embed = ['cluster', 'embed', '--redis', redis.url, '--model', 'run', '--data', 'data'];
    const sharded = await topk([...embed, '--shards', '4', '--layer', 'pooled', '--out', 'sharded.bin'], dir);
    expect(sharded.stderr).toBe('');
    expect(sharded.code).toBe(0);
    expect(sharded.stdout).toContain('4 of 4 shards completed (0 resumed), 12 images, 0 quarantined');
    expect(sharded.stdout).toContain('written sharded.bin');
    const a = await readEmbeddingsFile(join(dir, 'single.bin'));
    const b = await readEmbeddingsFile(join(dir, 'sharded.bin'));
    expect(sharded.stdout).toContain(`12 rows × ${a.dim} (pooled features)`);
    expect(b.ids).toHaveLength(12);
    expect(b.ids).toEqual(a.ids);
    expect(b.dim).toBe(a.dim);
    expect(b.vectors).toHaveLength(a.vectors.length);
    b.vectors.forEach((v, i) => {
      expect(Math.abs(v - a.vectors[i]!)).toBeLessThan(1e-5);
    });
    // Pooled features of distinct images differ: the comparison above is not between constant rows.
    expect(b.vectors.slice(0, b.dim)).not.toEqual(b.vectors.slice(11 * b.dim, 12 * b.dim));
    // The same command again (the default layer is pooled) resumes the finished run and rewrites the file.
    const bytes = await readFile(join(dir, 'sharded.bin'));
    await rm(join(dir, 'sharded.bin'));
    const again = await topk([...embed, '--shards', '4', '--out', 'sharded.bin'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('4 of 4 shards completed (4 resumed)');
    expect(await readFile(join(dir, 'sharded.bin'))).toEqual(bytes);
    // A named run resumes under its id too, with the run folder where --run-dir says.
    for (const resumedShards of [0, 3]) {
      const named = await topk(
        [
          ...embed,
          '--shards',
          '3',
          '--run-id',
          'embed-named',
          '--run-dir',
          'embed-run',
          '--out',
          'named.bin',
        ],
        dir,
      );
      expect(named.code).toBe(0);
      expect(named.stdout).toContain(`3 of 3 shards completed (${resumedShards} resumed)`);
    }
    expect((await readEmbeddingsFile(join(dir, 'named.bin'))).ids).toEqual(a.ids);
  }, 120_000);

  it('runs shards in a spawned topk worker process, which stops on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'worker', '--redis', redis.url, '--queue', 'spawned', '--backend', 'cpu', '--concurrency', '2'],
      {
        cwd: dir,
        env: { ...process.env, TOPK_CLI_SOURCE: '1', NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((done) => child.on('close', done));
    await new Promise<void>((ready, fail) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (stdout.includes('waiting for shards')) ready();
      });
      child.on('close', () => fail(new Error(`topk worker exited: ${stderr}`)));
    });
    expect(stdout).toMatch(
      /^worker \S+: waiting for shards on queue spawned at redis:\/\/127\.0\.0\.1:\d+\/0\n/,
    );
    const single = await topk(
      [
        'predict',
        '--model',
        'run',
        '--data',
        'data',
        '--backend',
        'cpu',
        '--workers',
        '0',
        '--out',
        'cpu.csv',
      ],
      dir,
    );
    expect(single.code).toBe(0);
    const sharded = await topk(
      [
        'cluster',
        'predict',
        '--redis',
        redis.url,
        '--queue',
        'spawned',
        '--run-id',
        'spawned-run',
        '--model',
        'run',
        '--data',
        'data',
        '--shards',
        '2',
        '--out',
        'spawned.csv',
      ],
      dir,
    );
    expect(sharded.code).toBe(0);
    const a = parseCsv(await readFile(join(dir, 'cpu.csv'), 'utf8'));
    const b = parseCsv(await readFile(join(dir, 'spawned.csv'), 'utf8'));
    expect(b.ids).toEqual(a.ids);
    b.values.forEach((row, i) => {
      row.forEach((v, c) => {
        expect(Math.abs(v - a.values[i]![c]!)).toBeLessThan(1e-5);
      });
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('spawned-run predict shard 0: 6 items, 0 quarantined');
    expect(stdout).toContain('spawned-run predict shard 1: 6 items, 0 quarantined');
    expect(stdout).toContain('stopping: waiting for the running shards');
  }, 120_000);

  it('caches the images resized, with their labels, as one cache', async () => {
    const result = await topk(
      [
        'cluster',
        'cache',
        '--redis',
        redis.url,
        '--data',
        'data',
        '--size',
        '8',
        '--format',
        'raw',
        '--shards',
        '2',
        '--out',
        'cache',
      ],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('12 images cached at 8×8 (raw)');
    const cache = await openCache(join(dir, 'cache'));
    expect(cache?.items).toHaveLength(12);
    expect(cache?.vocabulary?.names).toEqual(['cat', 'dog', 'fox']);
    expect(cache?.items.map((item) => item.label)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  }, 60_000);

  it('rejects bad input with exit code 2 and one line', async () => {
    const predict = (changes: Record<string, string>) => {
      const flags: Record<string, string> = {
        redis: redis.url,
        model: 'run',
        data: 'data',
        shards: '2',
        out: 'p.csv',
        ...changes,
      };
      return topk(['cluster', 'predict', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])], dir);
    };
    expectUsageError(
      await predict({ redis: 'http://localhost:6379' }),
      '--redis must be a redis://',
      "(see 'topk cluster predict --help')",
    );
    expectUsageError(await predict({ shards: '0' }), '--shards must be');
    expectUsageError(await predict({ data: IDX }), 'workers read image files');
    expectUsageError(await predict({ model: 'data' }), '--model data: not a topk run directory');
    expectUsageError(await predict({ 'run-id': 'a b' }), '--run-id must be');
    expectUsageError(
      await topk(
        ['cluster', 'cache', '--redis', redis.url, '--data', 'data', '--shards', '2', '--out', 'c'],
        dir,
      ),
      '--size',
    );
    const embed = (changes: Record<string, string>) => {
      const flags: Record<string, string> = {
        redis: redis.url,
        model: 'run',
        data: 'data',
        shards: '2',
        out: 'e.bin',
        ...changes,
      };
      return topk(['cluster', 'embed', ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, v])], dir);
    };
    expectUsageError(
      await embed({ redis: 'http://localhost:6379' }),
      '--redis must be a redis://',
      "(see 'topk cluster embed --help')",
    );
    expectUsageError(await embed({ shards: '0' }), '--shards must be');
    expectUsageError(await embed({ data: IDX }), 'workers read image files');
    expectUsageError(await embed({ model: 'data' }), '--model data: not a topk run directory');
    expectUsageError(await embed({ 'run-id': 'a/b' }), '--run-id must be');
    expectUsageError(await embed({ layer: 'pool' }), '--layer must be');
    expectUsageError(
      await embed({ layer: 'embedding' }),
      '--layer embedding: the head of run has no embedding layer',
    );
    expectUsageError(
      await topk(
        ['cluster', 'embed', '--redis', redis.url, '--model', 'run', '--data', 'data', '--shards', '2'],
        dir,
      ),
      '--out',
    );
    expectUsageError(await topk(['cluster', 'predcit'], dir), 'unknown subcommand "predcit"');
    expectUsageError(await topk(['cluster'], dir), 'a subcommand is required');
    expectUsageError(await topk(['worker', '--redis', 'localhost'], dir), '--redis must be a redis://');
    expectUsageError(
      await topk(['worker', '--redis', redis.url, '--concurrency', '0'], dir),
      '--concurrency must be',
    );
    expectUsageError(
      await topk(['worker', '--redis', redis.url, '--stalled-ms', '5'], dir),
      '--stalled-ms must be',
    );
    const help = await topk(['cluster', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('predict');
    expect(help.stdout).toContain('cache');
    expect(help.stdout).toMatch(/^ {2}embed {11}embed a dataset on the cluster workers/m);
    const embedHelp = await topk(['cluster', 'embed', '--help'], dir);
    expect(embedHelp.code).toBe(0);
    expect(embedHelp.stdout).toContain('--layer');
  });
});
