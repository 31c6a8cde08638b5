export type { AggregatePredictionsOptions, AggregationMethod } from './aggregate-predictions.js';
export { AGGREGATION_METHODS, aggregatePredictions } from './aggregate-predictions.js';
export { alignTables } from './align-tables.js';
export type {
  CombinePredictionsOptions,
  EnsembleMethod,
  WeightedEnsembleMethod,
} from './combine-predictions.js';
export { combinePredictions, ENSEMBLE_METHODS, WEIGHTED_ENSEMBLE_METHODS } from './combine-predictions.js';
export type { CoordinateAscentOptions } from './coordinate-ascent-weights.js';
export { coordinateAscentWeights } from './coordinate-ascent-weights.js';
export type { CosineKnnIndexOptions, KnnKernel, KnnResult, KnnSearchOptions } from './cosine-knn-index.js';
export { CosineKnnIndex } from './cosine-knn-index.js';
export type { Embeddings } from './embeddings.js';
export { createEmbeddings, l2Normalize } from './embeddings.js';
export type { CombineHierarchicalOptions, HierarchicalRouting } from './hierarchical.js';
export { combineHierarchical } from './hierarchical.js';
export type { MajorityVoteOptions, MajorityVoteResult } from './majority-vote.js';
export { majorityVote } from './majority-vote.js';
export type { MetaEmbeddingsOptions } from './meta-embeddings.js';
export { metaEmbeddings } from './meta-embeddings.js';
export type { ParticleSwarmOptions } from './particle-swarm-weights.js';
export { particleSwarmWeights } from './particle-swarm-weights.js';
export type {
  EvaluateRetrievalOptions,
  RetrievalLabels,
  RetrievalMetrics,
  RetrievalMetricsOptions,
} from './retrieval-metrics.js';
export { evaluateRetrieval, retrievalMetrics } from './retrieval-metrics.js';
export type {
  SearchDirection,
  WeightObjective,
  WeightSearchOptions,
  WeightSearchResult,
  WeightSearchStep,
} from './weight-search.js';
