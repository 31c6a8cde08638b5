/**
 * `@topk/data-pipeline`: image sources, decoding, resizing, quarantine of bad files, splits, samplers,
 * streaming batches and caches.
 *
 * @packageDocumentation
 */
export type { ArraySample, ArraySourceOptions } from './array-source.js';
export { fromArrays } from './array-source.js';
export type {
  BatchStream,
  BatchStreamOptions,
  BatchStreamStats,
  EpochOptions,
  StreamBatch,
  StreamState,
} from './batch-stream.js';
export { createBatchStream } from './batch-stream.js';
export type {
  BrowserDecoderOptions,
  Canvas2DLike,
  CanvasLike,
  ImageBitmapLike,
  ImageDataLike,
} from './browser-decoder.js';
export { createBrowserDecoder } from './browser-decoder.js';
export type { CacheImageFormat } from './cache-manifest.js';
export type { CheckDatasetOptions, DatasetReport } from './check-dataset.js';
export { checkDataset } from './check-dataset.js';
export type { ClassBalancedSampler, ClassBalancedSamplerOptions } from './class-balanced-sampler.js';
export { classBalancedSampler } from './class-balanced-sampler.js';
export { CsvParser, parseCsv } from './csv.js';
export type { CsvSourceOptions, CsvText } from './csv-source.js';
export { fromCsv } from './csv-source.js';
export type { CreateDatasetOptions } from './dataset.js';
export { createDataset, subsetDataset } from './dataset.js';
export type { DecodeImageOptions } from './decode-image.js';
export { decodeImage } from './decode-image.js';
export type { DecodePool, DecodePoolOptions } from './decode-pool.js';
export { createDecodePool, defaultWorkerCount } from './decode-pool.js';
export type { DropRareClassesOptions } from './drop-rare-classes.js';
export { dropRareClasses } from './drop-rare-classes.js';
export type { DropRareLabelsOptions } from './drop-rare-labels.js';
export { dropRareLabels } from './drop-rare-labels.js';
export { FASHION_MNIST_CLASSES } from './fashion-mnist-classes.js';
export type { FolderDataset, FolderSourceOptions } from './folder-source.js';
export { fromFolder, IMAGE_EXTENSIONS } from './folder-source.js';
export { groupSplit } from './group-split.js';
export type { IdxArray, IdxDataType, IdxSourceOptions } from './idx-source.js';
export { fromIdx, readIdx } from './idx-source.js';
export type { QuarantineCode, QuarantinedItem } from './image-decode-error.js';
export { ImageDecodeError, QUARANTINE_CODES } from './image-decode-error.js';
export type { ChannelCount, DecodeRequest, DecoderInput, ImageDecoder } from './image-decoder.js';
export { DEFAULT_LIMIT_INPUT_PIXELS } from './image-decoder.js';
export type { Fold, FoldStrategy, KFoldOptions } from './k-fold.js';
export { kFold } from './k-fold.js';
export type { MPerClassSamplerOptions } from './m-per-class-sampler.js';
export { mPerClassSampler } from './m-per-class-sampler.js';
export type { NormalizeOptions } from './normalize-pixels.js';
export { normalizePixels } from './normalize-pixels.js';
export type { CachedDataset, CacheInfo } from './open-cache.js';
export { openCache } from './open-cache.js';
export { randomSplit } from './random-split.js';
export { readImageSize } from './read-image-size.js';
export type {
  CropMargins,
  Padding,
  PadMode,
  PixelRegion,
  PlanResizeContext,
  ResizeKernel,
  ResizeMode,
  ResizeOptions,
  ResizePlan,
  ResolvedResizeOptions,
} from './resize-plan.js';
export { planResize, resolveResizeOptions } from './resize-plan.js';
export type { DecodeTask, TaskOutcome, TaskOutput } from './run-task.js';
export type { Sampler, SamplerState } from './sampler.js';
export { sequentialSampler } from './sequential-sampler.js';
export type { SharpDecoderOptions, SharpFailOn } from './sharp-decoder.js';
export { createSharpDecoder } from './sharp-decoder.js';
export type { ShuffledSamplerOptions } from './shuffled-sampler.js';
export { shuffledSampler } from './shuffled-sampler.js';
export type { SizeSchedule, SizeStep } from './size-schedule.js';
export { sizeForEpoch } from './size-schedule.js';
export type { ImageFormat } from './sniff-image-format.js';
export { sniffImageFormat } from './sniff-image-format.js';
export type { DatasetSplit, SplitOptions } from './split-helpers.js';
export { stratifiedSplit } from './stratified-split.js';
export type { SubsetOfClassesOptions } from './subset-of-classes.js';
export { subsetOfClasses } from './subset-of-classes.js';
export type {
  BoundingBox,
  Dataset,
  DatasetItem,
  DecodedImage,
  ImageSource,
  RawRecordSource,
} from './types.js';
export type { CacheReport, WriteCacheOptions } from './write-cache.js';
export { writeCache } from './write-cache.js';
