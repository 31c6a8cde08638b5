import { InvalidArgumentError } from '@topk/core';
import type { ImageDecoder } from '@topk/data-pipeline';
import { checkBatchSize } from './decode-items.js';
import { perRun } from './per-run.js';
import type { JobHandler, ShardJob, ShardOutcome } from './start-worker.js';

/** Options of the model-running shard handlers ({@link createPredictHandler}, {@link createEmbedHandler}). */
export interface ModelHandlerOptions<P, M> {
  /**
   * Builds the model for a run from its payload (e.g. loads `payload.model` from the shared filesystem).
   * Called once per run on each worker; the model is kept for the run's later shards and disposed of
   * when another run starts.
   */
  readonly load: (payload: P) => M | Promise<M>;
  /** Images per model call. @defaultValue 32 */
  readonly batchSize?: number;
  /** @defaultValue sharp */
  readonly decoder?: ImageDecoder;
}

/** What a model-running shard handler passes its work besides the model and the job. */
export interface ModelShardSettings {
  readonly batchSize: number;
  readonly decoder?: ImageDecoder;
}

/**
 * A shard handler that builds its model with `options.load` once per run on each worker (kept for the
 * run's later shards, disposed of when another run starts) and hands it to `work` with each shard.
 * `fn` and `model` name the factory and the model type in the error for a missing `load`.
 */
export function modelJobHandler<P, M extends { dispose?(): unknown }>(
  fn: string,
  model: string,
  options: ModelHandlerOptions<P, M>,
  work: (model: M, job: ShardJob<P>, settings: ModelShardSettings) => Promise<ShardOutcome>,
): JobHandler<P> {
  if (typeof options !== 'object' || options === null || typeof options.load !== 'function') {
    throw new InvalidArgumentError(fn, 'options.load', `a function (payload) => ${model}`, options?.load);
  }
  const { load, batchSize = 32, decoder } = options;
  checkBatchSize(fn, batchSize);
  const settings: ModelShardSettings = { batchSize, ...(decoder !== undefined ? { decoder } : {}) };
  const models = perRun<M>((value) => value.dispose?.());
  return (job) =>
    models.use(
      job.runId,
      () => load(job.payload),
      (value) => work(value, job, settings),
    );
}
