// Sharded prediction throughput with 1 and 2 worker processes on this machine, for a decode-bound
// model (synthetic: pixel statistics) and a compute-bound one (a small CNN on tfjs's CPU backend), next
// to the same prediction in one process without a queue. Each configuration runs `repeats` times,
// interleaved; the JSON gives the median, the best and every run, and ratios of the best runs.
//
//   node --conditions=source --import tsx packages/cluster/bench/predict-workers.ts \
//     [--images 1000] [--models synthetic,conv] [--workers 1,2] [--repeats 3]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { predictItems } from '../src/predict-job.js';
import { runShardedJob } from '../src/run-sharded-job.js';
import { shardItems } from '../src/shard-items.js';
import { writeTestImages } from '../src/testing/images.js';
import { startRedis } from '../src/testing/start-redis.js';
import { syntheticPredictor } from '../src/testing/synthetic-model.js';
import { convPredictor } from './conv-predictor.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '1000' },
    models: { type: 'string', default: 'synthetic,conv' },
    workers: { type: 'string', default: '1,2' },
    repeats: { type: 'string', default: '3' },
  },
});
const count = Number(values.images);
const repeats = Number(values.repeats);
const models = values.models.split(',') as ('synthetic' | 'conv')[];
const workerCounts = values.workers.split(',').map(Number);
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const SIZE = 32;
const CLASSES = Array.from({ length: 10 }, (_, i) => `class-${i}`);

async function spawnWorkers(n: number, env: Record<string, string>): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', WORKER], {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolveReady, reject) => {
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('ready ')) resolveReady();
        });
        child.on('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
      });
      return child;
    }),
  );
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      await exited;
    }),
  );
}

const redis = await startRedis();
const dir = await mkdtemp(join(tmpdir(), 'topk-bench-cluster-'));
interface Sample {
  readonly model: string;
  readonly mode: 'in-process' | 'workers';
  readonly workers: number;
  readonly imagesPerSecond: number;
}
const samples: Sample[] = [];
const pools = new Map<number, ChildProcess[]>();
try {
  const items = await writeTestImages(join(dir, 'images'), { count, size: SIZE, seed: 1 });
  const warmup = items.slice(0, 64);
  for (const n of workerCounts)
    pools.set(n, await spawnWorkers(n, { REDIS_URL: redis.url, TOPK_QUEUE: `bench-${n}` }));
  let run = 0;
  const sharded = async (n: number, payload: object, list: typeof items) => {
    const t = performance.now();
    const report = await runShardedJob({
      redis: redis.url,
      queue: `bench-${n}`,
      kind: 'predict',
      payload: payload as never,
      pollMs: 50,
      progressBar: false,
      runId: `run-${run}`,
      shards: shardItems(list, { shards: 8 * n }),
      outDir: join(dir, `run-${run++}`),
    });
    if (report.failed > 0) throw new Error(`bench run failed: ${JSON.stringify(report.failures)}`);
    return list.length / ((performance.now() - t) / 1000);
  };
  for (const model of models) {
    const payload = { model, classes: CLASSES, seed: 3, size: SIZE };
    const predictor = model === 'conv' ? await convPredictor(payload) : syntheticPredictor(payload);
    // Warm-up: this process and every worker load the model (and tfjs) before anything is timed.
    await predictItems(warmup, predictor);
    for (const n of workerCounts) await sharded(n, payload, warmup);
    // Configurations alternate, so a burst of load from other jobs on the machine hits all of them.
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      await predictItems(items, predictor);
      samples.push({
        model,
        mode: 'in-process',
        workers: 0,
        imagesPerSecond: count / ((performance.now() - t) / 1000),
      });
      for (const n of workerCounts) {
        samples.push({
          model,
          mode: 'workers',
          workers: n,
          imagesPerSecond: await sharded(n, payload, items),
        });
      }
    }
    predictor.dispose?.();
  }
} finally {
  for (const children of pools.values()) await stopWorkers(children);
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}

const round = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const configurations = [...new Set(samples.map((s) => `${s.model}/${s.mode}/${s.workers}`))];
const results = configurations.map((key) => {
  const runs = samples.filter((s) => `${s.model}/${s.mode}/${s.workers}` === key);
  const rates = runs.map((s) => s.imagesPerSecond);
  return {
    model: runs[0]!.model,
    mode: runs[0]!.mode,
    workers: runs[0]!.workers,
    images: count,
    imagesPerSecond: round(median(rates)),
    best: round(Math.max(...rates)),
    runs: rates.map(round),
  };
});
const rate = (model: string, workers: number) =>
  results.find((r) => r.model === model && r.mode === 'workers' && r.workers === workers)?.best;
const ratios = Object.fromEntries(
  models.map((model) => {
    const one = rate(model, 1);
    const two = rate(model, 2);
    const inProcess = results.find((r) => r.model === model && r.mode === 'in-process')?.best;
    return [
      model,
      {
        twoWorkersOverOne: one && two ? two / one : null,
        oneWorkerOverInProcess: one && inProcess ? one / inProcess : null,
      },
    ];
  }),
);
console.log(
  JSON.stringify(
    {
      bench: 'cluster-predict-workers',
      machine: {
        cpus: availableParallelism(),
        cpu: cpus()[0]?.model,
        node: process.version,
        loadAverage: loadavg().map(round),
      },
      imageSize: SIZE,
      repeats,
      results,
      ratios: Object.fromEntries(
        Object.entries(ratios).map(([model, r]) => [
          model,
          Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : round(v)])),
        ]),
      ),
    },
    null,
    2,
  ),
);
