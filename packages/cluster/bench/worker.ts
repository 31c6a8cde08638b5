// A worker process for the benchmark: the synthetic (decode-bound) and the small CNN (compute-bound)
// predictors. Configured by REDIS_URL and TOPK_QUEUE; prints "ready <name>", exits on SIGTERM.
import { createPredictHandler } from '../src/predict-job.js';
import { startWorker } from '../src/start-worker.js';
import { syntheticPredictor } from '../src/testing/synthetic-model.js';
import { type ConvPayload, convPredictor } from './conv-predictor.js';

type BenchPayload = ConvPayload & { readonly model: 'synthetic' | 'conv' };

const worker = startWorker({
  handlers: {
    predict: createPredictHandler<BenchPayload>({
      load: (payload) => (payload.model === 'conv' ? convPredictor(payload) : syntheticPredictor(payload)),
      batchSize: 32,
    }),
  },
  queue: process.env.TOPK_QUEUE ?? 'topk',
});
await worker.ready();
process.stdout.write(`ready ${worker.name}\n`);
process.on('SIGTERM', () => {
  worker.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
