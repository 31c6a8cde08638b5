import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis, type TestRedis, writeTestImages } from '@topk/cluster/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { put, solidPng, tempDir, topk } from '../test-support.js';

const PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(PACKAGE, 'bin', 'topk.mjs');
const COLORS: Record<string, [number, number, number]> = {
  cat: [200, 40, 40],
  dog: [40, 200, 40],
  fox: [40, 40, 200],
};

let dir: string;
let remove: () => Promise<void>;
let redis: TestRedis;
const children: ChildProcess[] = [];

function parseCsv(text: string) {
  const [header, ...rows] = text.trim().split('\n');
  return {
    header,
    ids: rows.map((r) => r.split(',')[0]),
    values: rows.map((r) => r.split(',').slice(1).map(Number)),
  };
}

/** Spawns `topk worker` on the CPU backend; resolves once it waits for shards. */
async function spawnWorker(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'worker', '--redis', redis.url, '--queue', 'kill', '--backend', 'cpu', '--stalled-ms', '2000'],
    {
      cwd: dir,
      env: { ...process.env, TOPK_CLI_SOURCE: '1', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((ready, fail) => {
    child.stdout?.on('data', (chunk) => {
      output += chunk;
      if (output.includes('waiting for shards')) ready();
    });
    child.on('close', () => fail(new Error(`topk worker exited: ${output}`)));
  });
  return child;
}

/** The `result.json` files of the finished shards of `runDir`. */
async function shardResults(runDir: string): Promise<{ worker: string; attempt: number }[]> {
  const shards = await readdir(join(runDir, 'shards')).catch(() => [] as string[]);
  const results: { worker: string; attempt: number }[] = [];
  for (const shard of shards) {
    const text = await readFile(join(runDir, 'shards', shard, 'result.json'), 'utf8').catch(() => undefined);
    if (text !== undefined) results.push(JSON.parse(text) as { worker: string; attempt: number });
  }
  return results;
}

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  redis = await startRedis();
  for (const [name, [r, g, b]] of Object.entries(COLORS)) {
    for (let i = 0; i < 4; i++) {
      await put(join(dir, 'train', name, `${i}.png`), await solidPng(20, 12, [r, g + i * 8, b]));
    }
  }
  const trained = await topk(
    [
      'train',
      '--data',
      'train',
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
  // 2 000 noisy 12×12 PNGs in folders of 500 (0/ … 3/), listed as a folder of class folders.
  await writeTestImages(join(dir, 'data'), { count: 2000, size: 12, seed: 21 });
}, 60_000);

afterAll(async () => {
  await Promise.all(
    children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((done) => child.once('close', done));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }),
  );
  await redis?.stop();
  await remove();
});

describe('topk cluster predict with spawned topk workers', () => {
  it('over 2 000 images on 3 workers, one killed with SIGKILL mid-run, writes the CSV topk predict writes', async () => {
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
    const started = await Promise.all([spawnWorker(), spawnWorker(), spawnWorker()]);
    const runDir = join(dir, 'kill-run');
    const sharded = topk(
      [
        'cluster',
        'predict',
        '--redis',
        redis.url,
        '--queue',
        'kill',
        '--run-id',
        'kill-run',
        '--run-dir',
        'kill-run',
        '--model',
        'run',
        '--data',
        'data',
        '--shards',
        '12',
        '--out',
        'sharded.csv',
      ],
      dir,
    );
    // Kill the worker that finished the first shard: it has taken its next shard by then.
    let victim: ChildProcess | undefined;
    let settled = false;
    void sharded.finally(() => {
      settled = true;
    });
    while (victim === undefined && !settled) {
      const [first] = await shardResults(runDir);
      if (first !== undefined) {
        victim = started.find((child) => first.worker.endsWith(`:${child.pid}`));
        expect(victim).toBeDefined();
        victim!.kill('SIGKILL');
      } else {
        await new Promise((wait) => setTimeout(wait, 20));
      }
    }
    const result = await sharded;
    expect(victim).toBeDefined();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('12 of 12 shards completed (0 resumed), 2000 images, 0 quarantined');
    const results = await shardResults(runDir);
    expect(results).toHaveLength(12);
    // The killed worker's shard was taken back from it (BullMQ's stalled check) and run again elsewhere.
    expect(results.some((r) => r.attempt >= 2)).toBe(true);
    expect(results.filter((r) => r.attempt >= 2).every((r) => !r.worker.endsWith(`:${victim!.pid}`))).toBe(
      true,
    );
    const a = parseCsv(await readFile(join(dir, 'cpu.csv'), 'utf8'));
    const b = parseCsv(await readFile(join(dir, 'sharded.csv'), 'utf8'));
    expect(b.header).toBe(a.header);
    expect(b.ids).toHaveLength(2000);
    expect(new Set(b.ids).size).toBe(2000);
    expect(b.ids).toEqual(a.ids);
    let worst = 0;
    b.values.forEach((row, i) => {
      expect(row).toHaveLength(3);
      row.forEach((v, c) => {
        worst = Math.max(worst, Math.abs(v - a.values[i]![c]!));
      });
    });
    expect(worst).toBeLessThan(1e-5);
  }, 90_000);
});
