import * as tf from '@tensorflow/tfjs-core';
import { type ImageBatch, InvalidArgumentError, type Rng, type RngState, TopkError } from '@topk/core';
import { assertDataset } from './dataset.js';
import { createDecodePool, type DecodePool, machineWorkerCount } from './decode-pool.js';
import { defaultDecoder } from './default-decoder.js';
import type { QuarantinedItem } from './image-decode-error.js';
import { type ChannelCount, DEFAULT_LIMIT_INPUT_PIXELS, type ImageDecoder } from './image-decoder.js';
import { channelAffine, type NormalizeOptions } from './normalize-pixels.js';
import { isNode } from './read-source.js';
import {
  isRandomResize,
  type ResizeOptions,
  type ResolvedResizeOptions,
  resolveResizeOptions,
} from './resize-plan.js';
import { type DecodeTask, runTask, type TaskOutcome } from './run-task.js';
import { checkEpoch, checkRng, EpochRng, type Sampler, type SamplerState } from './sampler.js';
import { sequentialSampler } from './sequential-sampler.js';
import { checkSizeSchedule, type SizeSchedule, sizeForEpoch } from './size-schedule.js';
import type { Dataset, DatasetItem } from './types.js';

/** Options of {@link createBatchStream}. */
export interface BatchStreamOptions {
  /** Items per batch. */
  readonly batchSize: number;
  /** How every image becomes the batch's size (see {@link ResizeOptions}). */
  readonly resize: ResizeOptions;
  /** Progressive resizing: the image size per epoch, overriding `resize.size`. */
  readonly sizeSchedule?: SizeSchedule;
  /** @defaultValue 3 */
  readonly channels?: ChannelCount;
  /**
   * Mean and std per channel in [0, 1] units, e.g. a backbone's data config; without it pixels are
   * scaled to [0, 1].
   */
  readonly normalize?: NormalizeOptions;
  /**
   * The order of the items, epoch by epoch.
   * @defaultValue {@link sequentialSampler} (listed order)
   */
  readonly sampler?: Sampler;
  /** Seeded randomness for random resize modes (required with them). */
  readonly rng?: Rng;
  /**
   * Decode worker threads (Node); 0 decodes in this thread with `decoder`.
   * @defaultValue {@link defaultWorkerCount} of this machine's cores in Node, 0 in a browser
   */
  readonly workers?: number;
  /** A pool shared with other streams; the stream does not close it. Takes precedence over `workers`. */
  readonly pool?: DecodePool;
  /**
   * Batches decoded ahead of the one being consumed: decoding keeps going while the training step runs,
   * and memory stays bounded by `(prefetch + 1) × batchSize` images whatever the dataset size.
   * @defaultValue 2
   */
  readonly prefetch?: number;
  /**
   * The decoder used in this thread when `workers` is 0.
   * @defaultValue sharp in Node ({@link createSharpDecoder}), the browser decoder elsewhere
   */
  readonly decoder?: ImageDecoder;
  /** @defaultValue 89_478_485 (Pillow's limit) */
  readonly limitInputPixels?: number;
  /** @defaultValue true */
  readonly autoOrient?: boolean;
  /**
   * Leave out the last, smaller batch of an epoch.
   * @defaultValue false
   */
  readonly dropLast?: boolean;
  /**
   * Called once per quarantined item, when the batch it fell out of is consumed (so reports come in
   * batch order, the same every run); the stream goes on without it and skips it afterwards.
   */
  readonly onQuarantine?: (item: QuarantinedItem) => void;
}

/**
 * One batch of a {@link BatchStream}: float32 NHWC images, labels (int32 `[N]` class indices, or float32
 * `[N, C]` multi-hot), ids. The caller owns the tensors and disposes them.
 */
export interface StreamBatch extends ImageBatch {
  readonly images: tf.Tensor4D;
  readonly ids: readonly string[];
  /** The items' group ids (products of several images), when any item has one. */
  readonly groups?: readonly (string | undefined)[];
  readonly epoch: number;
  /** Position of the batch in its epoch, from 0; batches that lost items to quarantine keep theirs. */
  readonly index: number;
}

/** Where a stream stands, as plain JSON: enough to resume a run mid-epoch. */
export interface StreamState {
  /** The epoch the next batch belongs to. */
  readonly epoch: number;
  /** Batches of that epoch already yielded. */
  readonly batch: number;
  readonly sampler: SamplerState;
  /** Base state of the per-image randomness of random resize modes, `null` without it. */
  readonly resizeRng: RngState | null;
}

/** Counters of a stream since it was created. */
export interface BatchStreamStats {
  readonly batches: number;
  readonly images: number;
  readonly quarantined: number;
}

/** Options of {@link BatchStream.epoch}. */
export interface EpochOptions {
  /** Skip the epoch's first batches (a resumed run): their order and random draws are replayed, not decoded. @defaultValue 0 */
  readonly startBatch?: number;
}

/**
 * Batches of a dataset, decoded on the fly: `for await (const batch of stream)` runs the next epoch (and
 * continues the current one after a `break`), `stream.epoch(e)` runs a given one.
 */
export interface BatchStream extends AsyncIterable<StreamBatch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  /** Batches per epoch (a batch that loses items to quarantine still counts). */
  readonly batchesPerEpoch: number;
  /** Images of `epoch` are `[height, width]`. */
  imageSize(epoch: number): [number, number];
  /** The batches of `epoch`, from `startBatch`. */
  epoch(epoch: number, options?: EpochOptions): AsyncGenerator<StreamBatch, void, undefined>;
  /** Items set aside so far, each once. */
  readonly quarantined: readonly QuarantinedItem[];
  readonly stats: BatchStreamStats;
  /** A checkpoint of the position and the randomness. */
  getState(): StreamState;
  /** Resumes from a checkpoint: the next iteration continues with batch `state.batch` of `state.epoch`. */
  setState(state: StreamState): void;
  /** Ends the stream's own worker threads (not a shared `pool`). */
  close(): Promise<void>;
}

interface Failure {
  readonly index: number;
  readonly code: QuarantinedItem['code'];
  readonly reason: string;
}

interface Assembled {
  readonly epoch: number;
  readonly index: number;
  readonly count: number;
  readonly data: Float32Array;
  readonly items: readonly DatasetItem[];
  readonly height: number;
  readonly width: number;
  /** Items of the batch that failed, in batch order; reported when the batch is consumed. */
  readonly failures: readonly Failure[];
}

const UINT32 = 2 ** 32;

function sourcePath(item: DatasetItem): string | undefined {
  const { source } = item;
  if (typeof source === 'string') return source;
  if (typeof source === 'object' && !(source instanceof Uint8Array) && 'kind' in source) return source.path;
  return undefined;
}

class Stream implements BatchStream {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  readonly #sampler: Sampler;
  readonly #resize: ResolvedResizeOptions;
  readonly #schedule: SizeSchedule | undefined;
  readonly #channels: ChannelCount;
  readonly #affine: { scale: number[]; offset: number[] };
  readonly #resizeRng: EpochRng | undefined;
  readonly #workers: number | undefined;
  readonly #sharedPool: DecodePool | undefined;
  readonly #prefetch: number;
  readonly #decoder: ImageDecoder | undefined;
  readonly #limitInputPixels: number;
  readonly #autoOrient: boolean;
  readonly #onQuarantine: ((item: QuarantinedItem) => void) | undefined;
  readonly #bad = new Map<number, QuarantinedItem>();
  readonly #quarantined: QuarantinedItem[] = [];
  #ownPool: Promise<DecodePool> | undefined;
  #inThread: Promise<ImageDecoder> | undefined;
  #position = { epoch: 0, batch: 0 };
  #batches = 0;
  #images = 0;
  #closed = false;

  constructor(dataset: Dataset, options: BatchStreamOptions) {
    const fn = 'createBatchStream';
    assertDataset(fn, dataset);
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(fn, 'options', 'an object { batchSize, resize, ... }', options);
    }
    const {
      batchSize,
      resize,
      sizeSchedule,
      channels = 3,
      normalize,
      sampler = sequentialSampler(dataset.items.length),
      rng,
      workers,
      pool,
      prefetch = 2,
      decoder,
      limitInputPixels = DEFAULT_LIMIT_INPUT_PIXELS,
      autoOrient = true,
      dropLast = false,
      onQuarantine,
    } = options;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new InvalidArgumentError(fn, 'options.batchSize', 'a positive integer', batchSize);
    }
    this.#resize = resolveResizeOptions(fn, resize);
    if (sizeSchedule !== undefined) checkSizeSchedule(fn, sizeSchedule, 'options.sizeSchedule');
    if (channels !== 1 && channels !== 3 && channels !== 4) {
      throw new InvalidArgumentError(fn, 'options.channels', '1, 3 or 4', channels);
    }
    const affine = channelAffine(fn, channels, normalize);
    if (
      typeof sampler !== 'object' ||
      sampler === null ||
      typeof sampler.indices !== 'function' ||
      typeof sampler.getState !== 'function'
    ) {
      throw new InvalidArgumentError(fn, 'options.sampler', 'a Sampler', sampler);
    }
    if (sampler.size !== dataset.items.length) {
      throw new InvalidArgumentError(
        fn,
        'options.sampler',
        `a sampler over the dataset's ${dataset.items.length} items`,
        `a sampler over ${sampler.size}`,
      );
    }
    if (sampler.batchSize !== undefined && sampler.batchSize !== batchSize) {
      throw new InvalidArgumentError(
        fn,
        'options.batchSize',
        `the sampler's batch size (${sampler.batchSize})`,
        batchSize,
      );
    }
    const random = isRandomResize(this.#resize);
    if (random || rng !== undefined) checkRng(fn, rng);
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 256)) {
      throw new InvalidArgumentError(fn, 'options.workers', 'an integer in [0, 256]', workers);
    }
    if (pool !== undefined && (typeof pool !== 'object' || pool === null || typeof pool.run !== 'function')) {
      throw new InvalidArgumentError(fn, 'options.pool', 'a DecodePool from createDecodePool()', pool);
    }
    if (!Number.isSafeInteger(prefetch) || prefetch < 1) {
      throw new InvalidArgumentError(fn, 'options.prefetch', 'a positive integer', prefetch);
    }
    if (
      decoder !== undefined &&
      (typeof decoder !== 'object' || decoder === null || typeof decoder.decode !== 'function')
    ) {
      throw new InvalidArgumentError(fn, 'options.decoder', 'an ImageDecoder', decoder);
    }
    if (!Number.isSafeInteger(limitInputPixels) || limitInputPixels < 1) {
      throw new InvalidArgumentError(fn, 'options.limitInputPixels', 'a positive integer', limitInputPixels);
    }
    if (typeof autoOrient !== 'boolean')
      throw new InvalidArgumentError(fn, 'options.autoOrient', 'a boolean', autoOrient);
    if (typeof dropLast !== 'boolean')
      throw new InvalidArgumentError(fn, 'options.dropLast', 'a boolean', dropLast);
    if (onQuarantine !== undefined && typeof onQuarantine !== 'function') {
      throw new InvalidArgumentError(fn, 'options.onQuarantine', 'a function', onQuarantine);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.batchesPerEpoch = dropLast
      ? Math.floor(sampler.length / batchSize)
      : Math.ceil(sampler.length / batchSize);
    this.#sampler = sampler;
    this.#schedule = sizeSchedule;
    this.#channels = channels;
    this.#affine = { scale: Array.from(affine.scale), offset: Array.from(affine.offset) };
    this.#resizeRng = random ? new EpochRng(rng!, 'resize') : undefined;
    this.#workers = workers;
    this.#sharedPool = pool;
    this.#prefetch = prefetch;
    this.#decoder = decoder;
    this.#limitInputPixels = limitInputPixels;
    this.#autoOrient = autoOrient;
    this.#onQuarantine = onQuarantine;
  }

  get quarantined(): readonly QuarantinedItem[] {
    return this.#quarantined;
  }

  get stats(): BatchStreamStats {
    return { batches: this.#batches, images: this.#images, quarantined: this.#quarantined.length };
  }

  imageSize(epoch: number): [number, number] {
    checkEpoch('BatchStream.imageSize', epoch);
    if (this.#schedule !== undefined) return sizeForEpoch(this.#schedule, epoch);
    return [this.#resize.size[0], this.#resize.size[1]];
  }

  getState(): StreamState {
    return {
      epoch: this.#position.epoch,
      batch: this.#position.batch,
      sampler: this.#sampler.getState(),
      resizeRng: this.#resizeRng?.getState().rng ?? null,
    };
  }

  setState(state: StreamState): void {
    const fn = 'BatchStream.setState';
    if (typeof state !== 'object' || state === null)
      throw new InvalidArgumentError(fn, 'state', 'a state from getState()', state);
    checkEpoch(fn, state.epoch);
    if (!Number.isSafeInteger(state.batch) || state.batch < 0 || state.batch > this.batchesPerEpoch) {
      throw new InvalidArgumentError(
        fn,
        'state.batch',
        `an integer in [0, ${this.batchesPerEpoch}]`,
        state.batch,
      );
    }
    if ((state.resizeRng === null) !== (this.#resizeRng === undefined)) {
      throw new InvalidArgumentError(
        fn,
        'state.resizeRng',
        this.#resizeRng ? 'an Rng state' : 'null (this stream has no random resize)',
        state.resizeRng,
      );
    }
    this.#sampler.setState(state.sampler);
    if (this.#resizeRng && state.resizeRng)
      this.#resizeRng.setState(fn, { kind: 'resize', rng: state.resizeRng });
    this.#position = { epoch: state.epoch, batch: state.batch };
  }

  async close(): Promise<void> {
    this.#closed = true;
    const own = this.#ownPool;
    this.#ownPool = undefined;
    if (own) await (await own).close();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<StreamBatch, void, undefined> {
    const { epoch, batch } = this.#position;
    yield* this.epoch(epoch, { startBatch: batch });
  }

  async *epoch(epoch: number, options: EpochOptions = {}): AsyncGenerator<StreamBatch, void, undefined> {
    const fn = 'BatchStream.epoch';
    checkEpoch(fn, epoch);
    const { startBatch = 0 } = options;
    if (!Number.isSafeInteger(startBatch) || startBatch < 0 || startBatch > this.batchesPerEpoch) {
      throw new InvalidArgumentError(
        fn,
        'options.startBatch',
        `an integer in [0, ${this.batchesPerEpoch}]`,
        startBatch,
      );
    }
    if (this.#closed) throw new TopkError('STREAM_CLOSED', `Error in ${fn}: the stream is closed`);
    const run = await this.#runner();
    const order = this.#sampler.indices(epoch);
    const [height, width] = this.imageSize(epoch);
    const resize: ResolvedResizeOptions = { ...this.#resize, size: [height, width] };
    const seedRng = this.#resizeRng?.forEpoch(epoch);
    // Replays the skipped batches' draws so that a resumed epoch gets the same crops as an unbroken one.
    if (seedRng)
      for (let k = 0; k < Math.min(startBatch * this.batchSize, order.length); k++) seedRng.int(0, UINT32);
    const pending: Promise<Assembled>[] = [];
    let next = startBatch;
    const schedule = () => {
      while (pending.length < this.#prefetch && next < this.batchesPerEpoch) {
        const index = next++;
        const positions = order.subarray(
          index * this.batchSize,
          Math.min((index + 1) * this.batchSize, order.length),
        );
        const seeds = seedRng ? Array.from(positions, () => seedRng.int(0, UINT32)) : undefined;
        const assembled = this.#decodeBatch(run, epoch, index, positions, seeds, resize);
        // A batch abandoned by an early `break` must not surface as an unhandled rejection.
        assembled.catch(() => undefined);
        pending.push(assembled);
      }
    };
    this.#position = { epoch, batch: startBatch };
    schedule();
    while (pending.length > 0) {
      const assembled = await pending.shift()!;
      schedule();
      // Reported in consumption order, so reports are the same run after run.
      for (const failure of assembled.failures) this.#quarantine(failure);
      this.#position = { epoch, batch: assembled.index + 1 };
      if (assembled.index + 1 === this.batchesPerEpoch) this.#position = { epoch: epoch + 1, batch: 0 };
      if (assembled.count === 0) continue;
      this.#batches++;
      this.#images += assembled.count;
      yield this.#toBatch(assembled);
    }
    if (this.batchesPerEpoch === startBatch) this.#position = { epoch: epoch + 1, batch: 0 };
  }

  #toBatch(assembled: Assembled): StreamBatch {
    const { count, data, items, height, width, epoch, index } = assembled;
    const { vocabulary, multiLabel } = this.dataset;
    const ids = items.map((item) => item.id);
    const images = tf.tensor4d(data, [count, height, width, this.#channels], 'float32');
    let labels: tf.Tensor | undefined;
    const labelled = items.every((item) =>
      multiLabel ? item.labels !== undefined : item.label !== undefined,
    );
    if (vocabulary !== undefined && labelled) {
      if (multiLabel) {
        const hot = new Float32Array(count * vocabulary.size);
        items.forEach((item, r) => {
          for (const l of item.labels!) hot[r * vocabulary.size + l] = 1;
        });
        labels = tf.tensor2d(hot, [count, vocabulary.size], 'float32');
      } else {
        labels = tf.tensor1d(
          Int32Array.from(items, (item) => item.label!),
          'int32',
        );
      }
    }
    const hasGroups = items.some((item) => item.group !== undefined);
    return {
      images,
      ...(labels ? { labels } : {}),
      ids,
      ...(hasGroups ? { groups: items.map((item) => item.group) } : {}),
      epoch,
      index,
    };
  }

  async #runner(): Promise<(task: DecodeTask) => Promise<TaskOutcome>> {
    if (this.#sharedPool) {
      const pool = this.#sharedPool;
      return (task) => pool.run(task);
    }
    const workers = this.#workers ?? (isNode() ? await machineWorkerCount() : 0);
    if (workers > 0) {
      this.#ownPool ??= createDecodePool({ workers });
      const pool = await this.#ownPool;
      return (task) => pool.run(task);
    }
    this.#inThread ??= this.#decoder ? Promise.resolve(this.#decoder) : defaultDecoder();
    const decoder = await this.#inThread;
    return (task) => runTask(task, decoder);
  }

  async #decodeBatch(
    run: (task: DecodeTask) => Promise<TaskOutcome>,
    epoch: number,
    index: number,
    positions: Int32Array,
    seeds: number[] | undefined,
    resize: ResolvedResizeOptions,
  ): Promise<Assembled> {
    const [height, width] = resize.size;
    const per = height * width * this.#channels;
    const data = new Float32Array(positions.length * per);
    const ok = new Uint8Array(positions.length);
    const failed: (Failure | undefined)[] = new Array(positions.length);
    const { items } = this.dataset;
    await Promise.all(
      Array.from(positions, async (itemIndex, slot) => {
        if (this.#bad.has(itemIndex)) return;
        const item = items[itemIndex]!;
        const task: DecodeTask = {
          source: item.source,
          channels: this.#channels,
          resize,
          ...(item.box ? { box: item.box } : {}),
          ...(seeds ? { seed: seeds[slot]! } : {}),
          limitInputPixels: this.#limitInputPixels,
          autoOrient: this.#autoOrient,
          output: { kind: 'float32', ...this.#affine },
        };
        const outcome = await run(task);
        if (outcome.ok && outcome.data instanceof Float32Array && outcome.data.length === per) {
          data.set(outcome.data, slot * per);
          ok[slot] = 1;
          return;
        }
        failed[slot] = outcome.ok
          ? {
              index: itemIndex,
              code: 'decode-error',
              reason: `decoded to ${outcome.width}x${outcome.height}x${outcome.channels}, expected ${width}x${height}x${this.#channels}`,
            }
          : { index: itemIndex, code: outcome.code, reason: outcome.reason };
      }),
    );
    let count = 0;
    for (const flag of ok) count += flag;
    const failures = failed.filter((failure): failure is Failure => failure !== undefined);
    const kept: DatasetItem[] = [];
    if (count === positions.length) {
      for (const i of positions) kept.push(items[i]!);
      return { epoch, index, count, data, items: kept, height, width, failures };
    }
    // Close the gaps left by quarantined items.
    const compact = new Float32Array(count * per);
    let k = 0;
    positions.forEach((itemIndex, slot) => {
      if (!ok[slot]) return;
      compact.set(data.subarray(slot * per, (slot + 1) * per), k * per);
      kept.push(items[itemIndex]!);
      k++;
    });
    return { epoch, index, count, data: compact, items: kept, height, width, failures };
  }

  #quarantine({ index, code, reason }: Failure): void {
    if (this.#bad.has(index)) return;
    const item = this.dataset.items[index]!;
    const path = sourcePath(item);
    const record: QuarantinedItem =
      path !== undefined ? { id: item.id, path, code, reason } : { id: item.id, code, reason };
    this.#bad.set(index, record);
    this.#quarantined.push(record);
    this.#onQuarantine?.(record);
  }
}

/**
 * A stream of batches over `dataset`: items in the sampler's order, decoded and resized in worker
 * threads (or in this thread), normalised, and stacked into one float32 `[N, H, W, C]` tensor per batch
 * with int32 `[N]` labels (single-label) or float32 `[N, C]` multi-hot labels (multi-label) and ids.
 *
 * Memory stays flat: at most `prefetch` batches are decoded ahead, decoded pixels are dropped once
 * copied into their batch, and nothing is cached between epochs. Bad files are quarantined (reported
 * through `onQuarantine` and `stream.quarantined`, skipped afterwards) instead of stopping the stream; a
 * batch that loses items is smaller, so batch `k` always holds the same items whatever fails, and a
 * resumed run ({@link BatchStream.setState}) replays exactly the batches it missed.
 *
 * @param dataset - the items to stream.
 *
 * @example
 * ```ts
 * const stream = createBatchStream(split.train, {
 *   batchSize: 64,
 *   resize: { size: 224, mode: 'random-resized-crop' },
 *   normalize: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
 *   sampler: shuffledSampler(split.train.items.length, { rng: rng.split('sampler') }),
 *   rng: rng.split('resize'),
 * });
 * for (let epoch = 0; epoch < 10; epoch++) {
 *   for await (const batch of stream) {
 *     await trainStep(batch.images, batch.labels!);
 *     tf.dispose([batch.images, batch.labels!]);
 *   }
 * }
 * await stream.close();
 * ```
 */
export function createBatchStream(dataset: Dataset, options: BatchStreamOptions): BatchStream {
  return new Stream(dataset, options);
}
