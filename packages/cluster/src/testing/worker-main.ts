// A worker process for the tests: `node --conditions=source --import tsx worker-main.ts`, configured by
// the environment (REDIS_URL, TOPK_QUEUE, TOPK_CONCURRENCY, TOPK_LOCK_MS, TOPK_STALLED_MS). It prints
// "ready <name>" once connected and exits cleanly on SIGTERM.
import { createCacheHandler } from '../cache-job.js';
import { createEmbedHandler } from '../embed-job.js';
import { createPredictHandler } from '../predict-job.js';
import { startWorker } from '../start-worker.js';
import { type SyntheticPayload, syntheticEmbedder, syntheticPredictor } from './synthetic-model.js';

const env = process.env;
const worker = startWorker({
  handlers: {
    predict: createPredictHandler<SyntheticPayload>({ load: syntheticPredictor, batchSize: 16 }),
    embed: createEmbedHandler<SyntheticPayload>({ load: syntheticEmbedder, batchSize: 16 }),
    cache: createCacheHandler(),
  },
  queue: env.TOPK_QUEUE ?? 'topk',
  concurrency: Number(env.TOPK_CONCURRENCY ?? 1),
  lockDuration: Number(env.TOPK_LOCK_MS ?? 30_000),
  stalledInterval: Number(env.TOPK_STALLED_MS ?? 30_000),
  onEvent: (event) => {
    if (event.type === 'error') process.stderr.write(`worker error: ${event.error.message}\n`);
  },
});
await worker.ready();
process.stdout.write(`ready ${worker.name}\n`);
process.on('SIGTERM', () => {
  worker.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
