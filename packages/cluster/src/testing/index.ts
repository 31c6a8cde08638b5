/**
 * `@topk/cluster/testing`: a throwaway Redis and synthetic data and models for tests of code that runs
 * sharded jobs (the CLI's `topk worker` and `topk cluster` commands), kept out of the main entry.
 *
 * @packageDocumentation
 */
export type { TestImagesOptions } from './images.js';
export { writeTestImages } from './images.js';
export { encodePng } from './png.js';
export type { TestRedis } from './start-redis.js';
export { startRedis } from './start-redis.js';
export type { SyntheticPayload } from './synthetic-model.js';
export { quadrantMeans, syntheticEmbedder, syntheticPredictor } from './synthetic-model.js';
