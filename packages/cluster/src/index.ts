/**
 * `@topk/cluster`: sharded caching, prediction, embedding and ensemble training across machines, on
 * BullMQ and Redis.
 *
 * @packageDocumentation
 */
export type { CacheHandlerOptions, CachePayload } from './cache-job.js';
export { CACHE_FOLDER, createCacheHandler, mergeCaches } from './cache-job.js';
export type { ItemDecodeRequest } from './decode-items.js';
export type { Embedder, EmbedHandlerOptions, EmbedItemsOptions, MergedEmbeddings } from './embed-job.js';
export { createEmbedHandler, EMBEDDINGS_FILE, embedItems, mergeEmbeddings } from './embed-job.js';
export type { EmbeddingsHeader } from './embeddings-file.js';
export {
  decodeEmbeddings,
  EMBEDDINGS_FORMAT_VERSION,
  EMBEDDINGS_MAGIC,
  encodeEmbeddings,
  readEmbeddingsFile,
  readEmbeddingsHeader,
  writeEmbeddingsFile,
} from './embeddings-file.js';
export type { ModelHandlerOptions, ModelShardSettings } from './model-job-handler.js';
export type {
  MergedPredictions,
  MergePredictionsOptions,
  PredictHandlerOptions,
  PredictItemsOptions,
  PredictItemsResult,
  Predictor,
} from './predict-job.js';
export { createPredictHandler, mergePredictions, PREDICTIONS_FILE, predictItems } from './predict-job.js';
export type { RedisConnection, RedisConnectionOptions, RedisOption } from './redis-connection.js';
export { DEFAULT_REDIS_URL, describeRedisConnection, resolveRedisConnection } from './redis-connection.js';
export type { JsonValue, ShardItem, ShardItemInput } from './run-layout.js';
export type { ActiveShard, FormatRunProgressOptions, RunProgress } from './run-progress.js';
export { formatDuration, formatRunProgress } from './run-progress.js';
export type { RunShardedJobOptions, ShardedRunReport, ShardReport } from './run-sharded-job.js';
export { runShardedJob } from './run-sharded-job.js';
export type { ShardableItem, ShardBy, ShardItemsOptions } from './shard-items.js';
export { SHARD_BY, shardItems } from './shard-items.js';
export type {
  ClusterWorker,
  JobHandler,
  ShardJob,
  ShardOutcome,
  StartWorkerOptions,
  WorkerEvent,
} from './start-worker.js';
export { ShardInputError, startWorker } from './start-worker.js';
export type { EnsembleMember, TrainMember, TrainMemberJob } from './train-member-job.js';
export { collectMembers, createTrainMemberHandler, memberSeed } from './train-member-job.js';
