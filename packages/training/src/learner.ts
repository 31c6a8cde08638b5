import * as tf from '@tensorflow/tfjs-core';
import {
  fuseForInference,
  InvalidArgumentError,
  Rng,
  type RngSeed,
  type RngState,
  TopkError,
} from '@topk/core';
import { adamW } from './adam-w.js';
import type { Callback, CallbackContext, CallbackEvent, CallbackState } from './callback.js';
import { sortCallbacks } from './callback.js';
import { readCheckpoint } from './checkpoint-io.js';
import { clipByGlobalNorm } from './clip-by-global-norm.js';
import { constant } from './constant.js';
import { type FindLrOptions, type LrFinderResult, runLrFinder } from './find-lr.js';
import { defaultLayerGroups, discriminativeMultipliers, setTrainableGroups } from './layer-groups.js';
import { oneCycle } from './one-cycle.js';
import type { Optimizer, OptimizerConfig } from './optimizer.js';
import { sgdr } from './sgdr.js';
import { sigmoidBinaryCrossEntropy } from './sigmoid-binary-cross-entropy.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';
import type {
  Batch,
  BatchSource,
  EpochData,
  Layer,
  Logs,
  LossFunction,
  MetricLoss,
  Model,
  Schedule,
  Task,
} from './types.js';
import {
  checkBoolean,
  checkFunction,
  checkInRange,
  checkOptions,
  checkPositive,
  checkPositiveInteger,
  isPlainObject,
} from './validate.js';

/** Options of the {@link Learner} constructor. */
export interface LearnerOptions {
  /** The model to train; its output is logits (single/multi-label) or embeddings (metric learning). */
  readonly model: Model;
  /** Training batches, per epoch. */
  readonly train: EpochData;
  /** Validation batches: a factory (called per evaluation) or a re-iterable source such as an array. */
  readonly valid?: EpochData | BatchSource;
  /**
   * The loss: a function `(yTrue, yPred) => scalar` or a {@link MetricLoss} with its own variables.
   * @defaultValue {@link softmaxCrossEntropy} for int32 [N] labels, {@link sigmoidBinaryCrossEntropy} for float [N, C]
   */
  readonly loss?: LossFunction | MetricLoss;
  /**
   * What is trained (decides metrics and the output activation).
   * @defaultValue the loss's `task`, `metric` for a {@link MetricLoss}, else from the first batch's labels
   */
  readonly task?: Task;
  /**
   * The optimizer.
   * @defaultValue `adamW()` (lr 1e-3, weight decay 0.01)
   */
  readonly optimizer?: Optimizer;
  /** Callbacks for every fit (a fit can add more). */
  readonly callbacks?: readonly Callback[];
  /**
   * Seed of the learner's {@link Rng} (ignored when `rng` is given). Each epoch's data factory gets a
   * child split from it.
   * @defaultValue 0
   */
  readonly seed?: RngSeed;
  /** The learner's generator, instead of `seed`. */
  readonly rng?: Rng;
  /**
   * Gradient accumulation: one optimizer step per this many batches, on the mean of their gradients.
   * @defaultValue 1
   */
  readonly accumulateSteps?: number;
  /** Clip the gradients' global L2 norm to this before each step (PyTorch `clip_grad_norm_`). */
  readonly clipNorm?: number;
}

/** Options of {@link Learner.fit}. */
export interface FitOptions {
  /**
   * Learning rate per optimizer step of this fit (0-based).
   * @defaultValue the optimizer's learning rate, constant
   */
  readonly schedule?: Schedule;
  /** Callbacks for this fit only, besides the learner's. */
  readonly callbacks?: readonly Callback[];
  /**
   * A checkpoint directory (or JSON file) to continue from: weights, optimizer state, schedule step, RNG,
   * epoch and batch within the epoch (the batches already done are drawn and skipped, so the data stream
   * replays exactly), callback state and history.
   */
  readonly resumeFrom?: string;
}

/** What {@link Learner.fit} returns. */
export interface FitResult {
  /** Logs of each epoch of the fit, including those before a resume. */
  readonly history: readonly Logs[];
  /** Epochs completed. */
  readonly epochs: number;
  /** Optimizer steps taken in the fit. */
  readonly steps: number;
  /** Why the fit stopped before its last epoch (a callback called {@link Learner.stop}), if it did. */
  readonly stopReason: string | undefined;
}

/** Metrics of {@link Learner.evaluate}. */
export interface EvaluationResult {
  /** Mean loss per sample. */
  readonly loss: number;
  /** Fraction of samples whose top class is the label (single-label, and metric learning with logits). */
  readonly accuracy?: number;
  /** Micro-averaged F1 with a 0.5 probability threshold (multi-label). */
  readonly f1?: number;
  /** Samples evaluated. */
  readonly count: number;
}

/** Model outputs of {@link Learner.predict}. */
export interface Predictions {
  /** Row-major `[rows, columns]`: probabilities (softmax or sigmoid), or embeddings for metric learning. */
  readonly values: Float32Array;
  readonly rows: number;
  readonly columns: number;
  /** Sample ids in row order, when the batches carried them. */
  readonly ids: readonly string[] | undefined;
}

/** Options of {@link Learner.fitOneCycle}. */
export interface FitOneCycleOptions extends Omit<FitOptions, 'schedule'> {
  /** @defaultValue 0.25 */
  readonly pctStart?: number;
  /** @defaultValue 25 */
  readonly divFactor?: number;
  /** @defaultValue 1e5 */
  readonly finalDivFactor?: number;
}

/** Options of {@link Learner.fitSgdr}. */
export interface FitSgdrOptions extends Omit<FitOptions, 'schedule'> {
  /** Learning rate at the start of each cycle. */
  readonly maxLr: number;
  /** @defaultValue 0 */
  readonly minLr?: number;
  /**
   * Epochs in the first cycle.
   * @defaultValue 1
   */
  readonly cycleLength?: number;
  /**
   * Each cycle is this many times longer than the previous.
   * @defaultValue 1
   */
  readonly cycleMult?: number;
}

/** The model's layers split into groups, first (input side) to last (head), or a function giving them. */
export type LayerGroups = readonly (readonly Layer[])[] | ((model: Model) => readonly (readonly Layer[])[]);

/** Options of {@link Learner.fineTune}. */
export interface FineTuneOptions extends Omit<FitOptions, 'schedule'> {
  /**
   * Epochs training the head only (every group but the last frozen) before unfreezing.
   * @defaultValue 1
   */
  readonly freezeEpochs?: number;
  /**
   * Base learning rate: the frozen phase peaks at it, the unfrozen phase at half of it for the head.
   * @defaultValue 2e-3
   */
  readonly baseLr?: number;
  /**
   * The first group's rate is the head's divided by this; groups between are spaced geometrically.
   * @defaultValue 100
   */
  readonly lrMult?: number;
  /**
   * Layer groups.
   * @defaultValue two groups: the layers before the last layer with weights, and the rest (the head)
   */
  readonly layerGroups?: LayerGroups;
  /**
   * Keep batch-norm layers trainable while their group is frozen (fastai's `train_bn`).
   * @defaultValue true
   */
  readonly trainBatchNorm?: boolean;
  /**
   * Warm-up fraction of the unfrozen phase's one-cycle (the frozen phase uses 0.99, as fastai).
   * @defaultValue 0.3
   */
  readonly pctStart?: number;
}

/** Options of {@link Learner.fitGradualUnfreeze}. */
export interface GradualUnfreezeOptions extends Omit<FitOptions, 'schedule'> {
  /** @defaultValue as {@link FineTuneOptions.layerGroups} */
  readonly layerGroups?: LayerGroups;
  /**
   * Discriminative rates as in {@link FineTuneOptions.lrMult}; 1 trains every group at the same rate.
   * @defaultValue 1
   */
  readonly lrMult?: number;
  /** @defaultValue true */
  readonly trainBatchNorm?: boolean;
  /** @defaultValue 0.25 */
  readonly pctStart?: number;
}

/** The learner's state as plain JSON, half of {@link LearnerState}. */
export interface LearnerStateJson {
  readonly version: 1;
  /** Where the fit was: the epoch in progress, batches done in it, optimizer steps in the fit. */
  readonly position: {
    readonly epoch: number;
    readonly batchInEpoch: number;
    readonly step: number;
    /** The learner's {@link Rng} at the start of `epoch` (before the epoch's split). */
    readonly rng: RngState;
  };
  /** Sums behind the epoch's training metrics so far. */
  readonly epochSums: Readonly<Record<string, number>>;
  readonly lrScale: number;
  readonly optimizer: { readonly config: OptimizerConfig; readonly step: number };
  /** Variables in the order of `model.weights`, then the loss's: key (`model/i`, `loss/i`), name, shape. */
  readonly variables: readonly {
    readonly key: string;
    readonly name: string;
    readonly shape: readonly number[];
  }[];
  readonly callbacks: Readonly<Record<string, unknown>>;
  readonly history: readonly Logs[];
}

/** Everything a checkpoint holds: JSON plus named Float32Arrays. */
export interface LearnerState {
  readonly json: LearnerStateJson;
  readonly arrays: Readonly<Record<string, Float32Array>>;
}

interface Run {
  readonly epochs: number;
  readonly schedule: Schedule;
  readonly callbacks: { callback: Callback; key: string }[];
  epoch: number;
  batchInEpoch: number;
  step: number;
  epochStartRng: RngState;
  sums: Record<string, number>;
  history: Logs[];
}

interface StepOutcome {
  /** The batch's loss, then its metric counts. */
  readonly values: Float32Array;
  readonly batchSize: number;
}

function isMetricLoss(loss: unknown): loss is MetricLoss {
  return typeof loss === 'object' && loss !== null && typeof (loss as MetricLoss).loss === 'function';
}

function isSource(value: unknown): value is BatchSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' ||
      typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function')
  );
}

function disposeBatch(batch: Batch | undefined): void {
  if (batch?.images instanceof tf.Tensor) batch.images.dispose();
  if (batch?.labels instanceof tf.Tensor) batch.labels.dispose();
}

const TASKS: readonly Task[] = ['single-label', 'multi-label', 'metric'];

/**
 * The training loop: wires a tfjs-layers model, a loss, an optimizer, data and callbacks (fastai's
 * `Learner`, without `model.fit`). Each batch runs forward in training mode (batch-norm uses batch
 * statistics and updates its moving averages), the loss, gradients by `tf.variableGrads`, optional
 * gradient accumulation and clipping by global norm, and the optimizer step at the schedule's learning
 * rate, all inside `tf.tidy`: tensor counts stay flat across epochs. Evaluation and prediction run the
 * model in inference mode.
 *
 * @example
 * ```ts
 * await selectBackend({ backend: 'wasm' });
 * const learner = new Learner({
 *   model,
 *   train: arrayBatches(pixels, labels, [28, 28, 1], { batchSize: 64, shuffle: true, seed: 1 }),
 *   valid: arrayBatches(testPixels, testLabels, [28, 28, 1], { batchSize: 256 }),
 *   optimizer: adamW({ weightDecay: 1e-3 }),
 *   callbacks: [progressBar(), checkpoint({ dir: 'runs/a' })],
 * });
 * await learner.fitOneCycle(4, 3e-3);
 * console.log(await learner.evaluate()); // { loss, accuracy, count }
 * ```
 */
export class Learner {
  readonly model: Model;
  readonly train: EpochData;
  readonly valid: EpochData | BatchSource | undefined;
  readonly optimizer: Optimizer;
  readonly rng: Rng;
  /** Callbacks of every fit; add or remove between fits. */
  readonly callbacks: Callback[];
  readonly accumulateSteps: number;
  readonly clipNorm: number | undefined;
  /**
   * Multiplies the schedule's learning rate ({@link reduceLROnPlateau} lowers it); saved in checkpoints.
   */
  lrScale = 1;
  #loss: LossFunction | MetricLoss | undefined;
  #task: Task | undefined;
  #run: Run | undefined;
  /** The last finished fit: a checkpoint saved after it continues from its end. */
  #lastRun: Run | undefined;
  #stopReason: string | undefined;
  #accumulated = new Map<string, { variable: tf.Variable; sum: tf.Tensor }>();
  #accumulatedBatches = 0;
  #lastLr: number | undefined;

  constructor(options: LearnerOptions) {
    const fn = 'new Learner';
    checkOptions(fn, options);
    const { model, train, valid } = options;
    if (
      typeof model !== 'object' ||
      model === null ||
      typeof (model as { apply?: unknown }).apply !== 'function' ||
      !Array.isArray((model as { weights?: unknown }).weights)
    ) {
      throw new InvalidArgumentError(fn, 'model', 'a tf.LayersModel', model);
    }
    this.model = model;
    this.train = checkFunction<EpochData>(fn, 'train', train);
    if (valid !== undefined && typeof valid !== 'function' && !isSource(valid)) {
      throw new InvalidArgumentError(fn, 'valid', 'an epoch data factory or an iterable of batches', valid);
    }
    this.valid = valid;
    const { loss } = options;
    if (loss !== undefined && typeof loss !== 'function' && !isMetricLoss(loss)) {
      throw new InvalidArgumentError(fn, 'loss', 'a loss function or an object with a loss method', loss);
    }
    this.#loss = loss;
    if (options.task !== undefined && !TASKS.includes(options.task)) {
      throw new InvalidArgumentError(fn, 'task', `one of ${TASKS.join(', ')}`, options.task);
    }
    this.#task = options.task ?? (isMetricLoss(loss) ? 'metric' : loss?.task);
    if (this.#task === 'metric' && !isMetricLoss(loss)) {
      throw new InvalidArgumentError(fn, 'loss', "an object with a loss method when task is 'metric'", loss);
    }
    const optimizer = options.optimizer ?? adamW();
    if (typeof optimizer?.applyGradients !== 'function' || typeof optimizer.getState !== 'function') {
      throw new InvalidArgumentError(fn, 'optimizer', 'a topk optimizer (adamW, sgd)', optimizer);
    }
    this.optimizer = optimizer;
    if (options.rng !== undefined && !(options.rng instanceof Rng)) {
      throw new InvalidArgumentError(fn, 'rng', 'an Rng', options.rng);
    }
    this.rng = options.rng ?? new Rng(options.seed ?? 0);
    const callbacks = options.callbacks ?? [];
    if (!Array.isArray(callbacks)) throw new InvalidArgumentError(fn, 'callbacks', 'an array', callbacks);
    this.callbacks = [...callbacks];
    this.accumulateSteps = checkPositiveInteger(fn, 'accumulateSteps', options.accumulateSteps ?? 1);
    this.clipNorm =
      options.clipNorm === undefined ? undefined : checkPositive(fn, 'clipNorm', options.clipNorm);
  }

  /** The task, once known (from the options, the loss, or the first batch). */
  get task(): Task | undefined {
    return this.#task;
  }

  /** The loss in use (the default one is chosen at the first batch). */
  get loss(): LossFunction | MetricLoss | undefined {
    return this.#loss;
  }

  /** Learning rate of the last optimizer step. */
  get lastLr(): number | undefined {
    return this.#lastLr;
  }

  /** Whether a fit is running. */
  get fitting(): boolean {
    return this.#run !== undefined;
  }

  /** Asks the running fit to stop after the current batch (callbacks call it: early stopping). */
  stop(reason = 'stopped by a callback'): void {
    this.#stopReason = reason;
  }

  /** Variables the loss owns (metric learning). */
  lossVariables(): tf.Variable[] {
    const loss = this.#loss;
    if (!isMetricLoss(loss)) return [];
    if (loss.trainableVariables !== undefined) return [...loss.trainableVariables];
    return loss.weights instanceof tf.Variable ? [loss.weights] : [];
  }

  /** What the next step trains: the model's trainable weights (frozen layers excluded) and the loss's. */
  trainableVariables(): tf.Variable[] {
    const fromModel = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    return [...fromModel, ...this.lossVariables().filter((v) => v.trainable)];
  }

  /**
   * Every variable a checkpoint saves, keyed by position: `model/i` (every weight of every layer, batch-norm
   * statistics included, in layer order), then `loss/i`. The order does not depend on which layers are
   * frozen (`model.weights` lists trainable weights first, so freezing would reorder it).
   */
  stateVariables(): { key: string; variable: tf.Variable }[] {
    return [
      ...layerOrderWeights(this.model).map((variable, i) => ({ key: `model/${i}`, variable })),
      ...this.lossVariables().map((variable, i) => ({ key: `loss/${i}`, variable })),
    ];
  }

  /** Copies of every state variable's values (model weights, batch-norm statistics, loss variables). */
  getWeights(): Float32Array[] {
    return this.stateVariables().map(({ variable }) =>
      Float32Array.from(variable.dataSync() as Float32Array),
    );
  }

  /** Writes values from {@link Learner.getWeights} back. */
  setWeights(values: readonly Float32Array[]): void {
    const variables = this.stateVariables();
    if (!Array.isArray(values) || values.length !== variables.length) {
      throw new InvalidArgumentError(
        'Learner.setWeights',
        'values',
        `${variables.length} Float32Arrays`,
        values,
      );
    }
    variables.forEach(({ variable }, i) => {
      const value = values[i]!;
      if (!(value instanceof Float32Array) || value.length !== variable.size) {
        throw new InvalidArgumentError(
          'Learner.setWeights',
          `values[${i}]`,
          `${variable.size} float32 values`,
          value,
        );
      }
      tf.tidy(() => variable.assign(tf.tensor(value, variable.shape, variable.dtype)));
    });
  }

  /**
   * Trains for `epochs` epochs with the schedule (a learning rate per optimizer step), firing the
   * callbacks; with `resumeFrom`, continues an interrupted fit where its last checkpoint left it.
   */
  async fit(epochs: number, options: FitOptions = {}): Promise<FitResult> {
    const fn = 'Learner.fit';
    checkPositiveInteger(fn, 'epochs', epochs);
    checkOptions(fn, options);
    if (this.#run !== undefined)
      throw new TopkError('LEARNER_BUSY', 'Error in Learner.fit: a fit is already running');
    const schedule = options.schedule ?? constant(this.optimizer.learningRate);
    checkFunction(fn, 'schedule', schedule);
    const extra = options.callbacks ?? [];
    if (!Array.isArray(extra)) throw new InvalidArgumentError(fn, 'callbacks', 'an array', extra);
    const run: Run = {
      epochs,
      schedule,
      callbacks: sortCallbacks([...this.callbacks, ...extra]),
      epoch: 0,
      batchInEpoch: 0,
      step: 0,
      epochStartRng: this.rng.getState(),
      sums: {},
      history: [],
    };
    this.#run = run;
    this.#stopReason = undefined;
    try {
      if (options.resumeFrom !== undefined) {
        const state = await readCheckpoint(options.resumeFrom);
        this.#importState(state, run);
      }
      await this.#emit('onTrainBegin', this.#context(run, {}, false));
      while (run.epoch < epochs && this.#stopReason === undefined) {
        await this.#runEpoch(run);
      }
      await this.#emit('onTrainEnd', this.#context(run, {}, false));
    } finally {
      this.#disposeAccumulated();
      this.#run = undefined;
      this.#lastRun = run;
    }
    return {
      history: run.history,
      epochs: run.history.length,
      steps: run.step,
      stopReason: this.#stopReason,
    };
  }

  async #runEpoch(run: Run): Promise<void> {
    const epoch = run.epoch;
    const skip = run.batchInEpoch;
    if (skip === 0) {
      run.epochStartRng = this.rng.getState();
      run.sums = {};
    } else {
      // Resuming mid-epoch: replay the epoch's stream from its start so its randomness matches.
      this.rng.setState(run.epochStartRng);
    }
    const epochRng = this.rng.split('epoch');
    const started = performance.now();
    await this.#emit('onEpochBegin', this.#context(run, {}, false));
    let index = 0;
    const source = this.train(epoch, epochRng);
    if (!isSource(source)) {
      throw new InvalidArgumentError('Learner.fit', 'train(epoch, rng)', 'an iterable of batches', source);
    }
    for await (const batch of source) {
      if (index < skip) {
        disposeBatch(batch);
        index++;
        continue;
      }
      index++;
      await this.#trainBatch(batch, run, index);
      if (this.#stopReason !== undefined) break;
    }
    if (this.#accumulatedBatches > 0 && this.#stopReason === undefined) {
      // The tail of an epoch that did not fill an accumulation window still gets its step.
      this.#step(run);
    }
    this.#disposeAccumulated();
    const seconds = (performance.now() - started) / 1000;
    const logs = this.#epochLogs(epoch, run.sums, seconds);
    if (this.valid !== undefined) {
      const result = await this.evaluate(this.valid, epoch);
      logs.valid_loss = result.loss;
      if (result.accuracy !== undefined) logs.valid_accuracy = result.accuracy;
      if (result.f1 !== undefined) logs.valid_f1 = result.f1;
    }
    run.epoch = epoch + 1;
    run.batchInEpoch = 0;
    run.epochStartRng = this.rng.getState();
    run.sums = {};
    // In the history before the callbacks run, so that an epoch-end checkpoint holds it (callbacks may
    // still add to the same logs object).
    run.history.push(logs);
    await this.#emit('onEpochEnd', { ...this.#context(run, logs, false), epoch, batch: index });
  }

  #epochLogs(epoch: number, sums: Record<string, number>, seconds: number): Logs {
    const count = sums.count ?? 0;
    const logs: Logs = { epoch };
    if (count > 0) logs.loss = (sums.loss ?? 0) / count;
    if (sums.correct !== undefined && count > 0) logs.accuracy = sums.correct / count;
    if (sums.tp !== undefined) logs.f1 = microF1(sums.tp, sums.fp ?? 0, sums.fn ?? 0);
    if (this.#lastLr !== undefined) logs.lr = this.#lastLr;
    logs.seconds = seconds;
    if (seconds > 0 && count > 0) logs.imagesPerSecond = (sums.trained ?? count) / seconds;
    return logs;
  }

  async #trainBatch(batch: Batch, run: Run, index: number): Promise<void> {
    const outcome = await this.#forwardBackward(batch);
    const stepped = this.#accumulatedBatches >= this.accumulateSteps;
    let lr: number | undefined;
    if (stepped) lr = this.#step(run);
    run.batchInEpoch = index;
    const [loss, ...stats] = outcome.values;
    const n = outcome.batchSize;
    const sums = run.sums;
    sums.count = (sums.count ?? 0) + n;
    sums.trained = (sums.trained ?? 0) + n;
    sums.loss = (sums.loss ?? 0) + loss! * n;
    const logs: Logs = { loss: loss!, batchSize: n };
    if (lr !== undefined) logs.lr = lr;
    else if (this.#lastLr !== undefined) logs.lr = this.#lastLr;
    this.#addStats(stats, n, sums, logs);
    await this.#emit('onBatchEnd', this.#context(run, logs, stepped));
  }

  #addStats(stats: number[], n: number, sums: Record<string, number>, logs: Logs): void {
    if (this.#task === 'multi-label') {
      const [tp = 0, fp = 0, fn = 0] = stats;
      sums.tp = (sums.tp ?? 0) + tp;
      sums.fp = (sums.fp ?? 0) + fp;
      sums.fn = (sums.fn ?? 0) + fn;
      logs.f1 = microF1(tp, fp, fn);
    } else if (stats.length > 0) {
      sums.correct = (sums.correct ?? 0) + stats[0]!;
      logs.accuracy = stats[0]! / n;
    }
  }

  /** Forward in training mode, loss, gradients added to the accumulator; returns [loss, ...stats]. */
  async #forwardBackward(batch: Batch): Promise<StepOutcome> {
    const { images, labels } = this.#checkBatch('Learner.fit', batch, true);
    try {
      const loss = this.#resolveLoss(labels!);
      const variables = this.trainableVariables();
      if (variables.length === 0) {
        throw new InvalidArgumentError(
          'Learner.fit',
          'model',
          'a model with trainable weights',
          'every layer frozen',
        );
      }
      let used: tf.Variable[] = [];
      const { summary, gradients } = tf.tidy(() => {
        let stats: tf.Tensor | undefined;
        const { value, grads } = tf.variableGrads(() => {
          const outputs = this.model.apply(images, { training: true }) as tf.Tensor;
          const lossValue = this.#lossValue(loss, labels!, outputs);
          stats = tf.keep(this.#stats(labels!, outputs));
          return lossValue as tf.Scalar;
        }, variables);
        used = variables.filter((v) => grads[v.name] != null);
        const summary = tf.concat([tf.reshape(value, [1]), stats!]);
        stats!.dispose();
        return { summary, gradients: used.map((v) => grads[v.name]!) };
      });
      used.forEach((variable, i) => {
        const gradient = gradients[i]!;
        const entry = this.#accumulated.get(variable.name);
        if (entry === undefined) {
          this.#accumulated.set(variable.name, { variable, sum: gradient });
        } else {
          const previous = entry.sum;
          entry.sum = tf.add(previous, gradient);
          tf.dispose([previous, gradient]);
        }
      });
      this.#accumulatedBatches++;
      const values = (await summary.data()) as Float32Array;
      summary.dispose();
      return { values, batchSize: images.shape[0]! };
    } finally {
      disposeBatch(batch);
    }
  }

  /** One optimizer step on the accumulated gradients; returns the learning rate used. */
  #step(run: Run | undefined, fixedLr?: number): number {
    const lr = fixedLr ?? run!.schedule(run!.step) * this.lrScale;
    if (typeof lr !== 'number' || !(lr >= 0)) {
      throw new InvalidArgumentError('Learner.fit', 'schedule(step)', 'a learning rate >= 0', lr);
    }
    const entries = [...this.#accumulated.values()];
    const count = this.#accumulatedBatches;
    this.optimizer.learningRate = lr;
    tf.tidy(() => {
      let gradients = entries.map((e) => (count === 1 ? e.sum : tf.div(e.sum, count)));
      if (this.clipNorm !== undefined && gradients.length > 0) {
        gradients = clipByGlobalNorm(gradients, this.clipNorm).gradients;
      }
      this.optimizer.applyGradients(
        entries.map((e) => e.variable),
        gradients,
      );
    });
    this.#disposeAccumulated();
    if (run !== undefined) run.step++;
    this.#lastLr = lr;
    return lr;
  }

  #disposeAccumulated(): void {
    for (const entry of this.#accumulated.values()) entry.sum.dispose();
    this.#accumulated.clear();
    this.#accumulatedBatches = 0;
  }

  /** @internal One training step at a fixed learning rate, outside any fit (the LR finder's step). */
  async trainStepAt(batch: Batch, lr: number): Promise<number> {
    this.#disposeAccumulated();
    const outcome = await this.#forwardBackward(batch);
    this.#step(undefined, lr);
    return outcome.values[0]!;
  }

  #checkBatch(fn: string, batch: unknown, needLabels: boolean): Batch {
    if (!isPlainObject(batch) && (typeof batch !== 'object' || batch === null)) {
      throw new InvalidArgumentError(fn, 'batch', 'an object { images, labels }', batch);
    }
    const { images, labels } = batch as Batch;
    if (!(images instanceof tf.Tensor) || images.rank < 2) {
      throw new InvalidArgumentError(fn, 'batch.images', 'a tensor [N, ...]', images);
    }
    if (needLabels && !(labels instanceof tf.Tensor)) {
      throw new InvalidArgumentError(fn, 'batch.labels', 'a tensor', labels);
    }
    if (labels !== undefined && labels.shape[0] !== images.shape[0]) {
      throw new InvalidArgumentError(fn, 'batch.labels', `${images.shape[0]} rows (one per image)`, labels);
    }
    return batch as Batch;
  }

  #resolveLoss(labels: tf.Tensor): LossFunction | MetricLoss {
    if (this.#task === undefined) {
      if (labels.dtype === 'int32' && labels.rank === 1) this.#task = 'single-label';
      else if (labels.dtype === 'float32' && labels.rank === 2) this.#task = 'multi-label';
      else {
        throw new InvalidArgumentError(
          'Learner.fit',
          'batch.labels',
          "int32 [N] or float32 [N, C] (or set the learner's task and loss)",
          labels,
        );
      }
    }
    if (this.#loss === undefined) {
      if (this.#task === 'metric') {
        throw new InvalidArgumentError('Learner.fit', 'loss', 'a metric loss for the metric task', undefined);
      }
      this.#loss = this.#task === 'multi-label' ? sigmoidBinaryCrossEntropy() : softmaxCrossEntropy();
    }
    return this.#loss;
  }

  #lossValue(loss: LossFunction | MetricLoss, labels: tf.Tensor, outputs: tf.Tensor): tf.Tensor {
    const value = isMetricLoss(loss) ? loss.loss(outputs, labels) : loss(labels, outputs);
    if (!(value instanceof tf.Tensor) || value.rank !== 0) {
      throw new InvalidArgumentError('Learner.fit', 'loss(yTrue, yPred)', 'a scalar tensor', value);
    }
    return value;
  }

  /** Per-batch metric counts: [correct] (single-label, metric with logits), [tp, fp, fn] (multi-label). */
  #stats(labels: tf.Tensor, outputs: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const task = this.#task;
      if (task === 'multi-label') {
        const predicted = tf.cast(tf.greater(outputs, 0), 'float32');
        const truth = tf.cast(tf.greaterEqual(labels, 0.5), 'float32');
        const tp = tf.sum(tf.mul(predicted, truth));
        const fp = tf.sum(tf.mul(predicted, tf.sub(1, truth)));
        const fn = tf.sum(tf.mul(tf.sub(1, predicted), truth));
        return tf.stack([tp, fp, fn]) as tf.Tensor1D;
      }
      let scores: tf.Tensor | undefined = outputs;
      if (task === 'metric') {
        const loss = this.#loss as MetricLoss;
        scores = typeof loss.logits === 'function' ? loss.logits(outputs) : undefined;
      }
      if (scores === undefined || scores.rank !== 2) return tf.zeros([0]) as tf.Tensor1D;
      const target = labels.rank === 1 ? tf.cast(labels, 'int32') : tf.argMax(labels, 1);
      const correct = tf.sum(tf.cast(tf.equal(tf.argMax(scores, 1), target), 'float32'));
      return tf.reshape(correct, [1]) as tf.Tensor1D;
    });
  }

  #sourceOf(fn: string, data: EpochData | BatchSource, epoch: number): BatchSource {
    const source = typeof data === 'function' ? data(epoch, new Rng(`evaluate/${epoch}`)) : data;
    if (!isSource(source)) throw new InvalidArgumentError(fn, 'data', 'an iterable of batches', source);
    return source;
  }

  /**
   * Loss and metrics over `data` with the model in inference mode (batch-norm uses its moving
   * statistics; nothing is updated).
   * @param data - batches, or a factory; defaults to the learner's validation data.
   * @param epoch - passed to a factory.
   */
  async evaluate(
    data: EpochData | BatchSource | undefined = this.valid,
    epoch = 0,
  ): Promise<EvaluationResult> {
    const fn = 'Learner.evaluate';
    if (data === undefined)
      throw new InvalidArgumentError(fn, 'data', 'batches (the learner has no valid data)', data);
    const source = this.#sourceOf(fn, data, epoch);
    const sums: Record<string, number> = {};
    let count = 0;
    let lossSum = 0;
    // Batch-norm folded into convolutions: the weights cannot change while this runs.
    const plan = fuseForInference(this.model);
    try {
      for await (const batch of source) {
        const { images, labels } = this.#checkBatch(fn, batch, true);
        try {
          const loss = this.#resolveLoss(labels!);
          const summary = tf.tidy(() => {
            const outputs = plan.predict(images) as tf.Tensor;
            const value = this.#lossValue(loss, labels!, outputs);
            return tf.concat([tf.reshape(value, [1]), this.#stats(labels!, outputs)]);
          });
          const [value, ...stats] = (await summary.data()) as Float32Array;
          summary.dispose();
          const n = images.shape[0]!;
          count += n;
          lossSum += value! * n;
          this.#addStats(stats, n, sums, {});
        } finally {
          disposeBatch(batch);
        }
      }
    } finally {
      plan.dispose();
    }
    if (count === 0) throw new InvalidArgumentError(fn, 'data', 'at least one batch', 'no batches');
    const result: { loss: number; count: number; accuracy?: number; f1?: number } = {
      loss: lossSum / count,
      count,
    };
    if (sums.correct !== undefined) result.accuracy = sums.correct / count;
    if (sums.tp !== undefined) result.f1 = microF1(sums.tp, sums.fp ?? 0, sums.fn ?? 0);
    return result;
  }

  /**
   * Model outputs over `data` in inference mode: softmax probabilities (single-label), sigmoid
   * probabilities (multi-label) or raw outputs (metric learning, embeddings).
   */
  async predict(data: EpochData | BatchSource): Promise<Predictions> {
    const fn = 'Learner.predict';
    const source = this.#sourceOf(fn, data, 0);
    const activation =
      this.#task === 'multi-label' ? 'sigmoid' : this.#task === 'metric' ? 'none' : 'softmax';
    return predictOutputs(fn, this.model, source, activation);
  }

  /** The state a checkpoint saves; see {@link saveCheckpoint}. */
  exportState(): LearnerState {
    const run = this.#run ?? this.#lastRun;
    const arrays: Record<string, Float32Array> = {};
    const variables = this.stateVariables();
    const keyOf = new Map<string, string>();
    for (const { key, variable } of variables) {
      arrays[key] = Float32Array.from(variable.dataSync() as Float32Array);
      keyOf.set(variable.name, key);
    }
    const optimizerState = this.optimizer.getState();
    for (const [name, slots] of Object.entries(optimizerState.slots)) {
      const key = keyOf.get(name);
      if (key === undefined) continue;
      for (const [slot, values] of Object.entries(slots)) arrays[`optimizer/${key}/${slot}`] = values;
    }
    const callbacks: Record<string, unknown> = {};
    for (const { callback, key } of run?.callbacks ?? []) {
      const state = callback.getState?.();
      if (state === undefined) continue;
      callbacks[key] = state.json ?? null;
      for (const [name, values] of Object.entries(state.arrays ?? {}))
        arrays[`callback/${key}/${name}`] = values;
    }
    const json: LearnerStateJson = {
      version: 1,
      position: {
        epoch: run?.epoch ?? 0,
        batchInEpoch: run?.batchInEpoch ?? 0,
        step: run?.step ?? 0,
        rng: run?.epochStartRng ?? this.rng.getState(),
      },
      epochSums: { ...(run?.sums ?? {}) },
      lrScale: this.lrScale,
      optimizer: { config: this.optimizer.toConfig(), step: optimizerState.step },
      variables: variables.map(({ key, variable }) => ({ key, name: variable.name, shape: variable.shape })),
      callbacks,
      history: [...(run?.history ?? [])],
    };
    return { json, arrays };
  }

  /**
   * Restores weights, optimizer state, RNG and `lrScale` from a checkpoint (e.g. `readCheckpoint(dir,
   * 'best')`) outside a fit. Inside a fit, `resumeFrom` restores the position and callbacks too.
   */
  importState(state: LearnerState): void {
    this.#importState(state, undefined);
  }

  #importState(state: LearnerState, run: Run | undefined): void {
    const fn = 'Learner.importState';
    if (!isPlainObject(state) || !isPlainObject(state.json) || !isPlainObject(state.arrays)) {
      throw new InvalidArgumentError(fn, 'state', 'a learner state { json, arrays }', state);
    }
    const { json, arrays } = state;
    if (json.version !== 1) throw new InvalidArgumentError(fn, 'state.json.version', '1', json.version);
    const variables = this.stateVariables();
    const saved = json.variables;
    if (saved.length !== variables.length) {
      throw new InvalidArgumentError(
        fn,
        'state',
        `a checkpoint of ${variables.length} variables (this model and loss)`,
        `one of ${saved.length}`,
      );
    }
    variables.forEach(({ key, variable }, i) => {
      const entry = saved[i]!;
      const values = arrays[key];
      if (
        entry.key !== key ||
        !tf.util.arraysEqual([...entry.shape], variable.shape) ||
        values === undefined
      ) {
        throw new InvalidArgumentError(
          fn,
          `state variable ${i}`,
          `${key} of shape [${variable.shape}] (${variable.name})`,
          `${entry.key} of shape [${entry.shape}] (${entry.name})`,
        );
      }
    });
    variables.forEach(({ key, variable }) => {
      tf.tidy(() => variable.assign(tf.tensor(arrays[key]!, variable.shape, variable.dtype)));
    });
    const slots: Record<string, Record<string, Float32Array>> = {};
    variables.forEach(({ key, variable }) => {
      const prefix = `optimizer/${key}/`;
      for (const [name, values] of Object.entries(arrays)) {
        if (!name.startsWith(prefix)) continue;
        slots[variable.name] ??= {};
        slots[variable.name]![name.slice(prefix.length)] = values;
      }
    });
    this.optimizer.setState({ step: json.optimizer.step, slots });
    this.lrScale = json.lrScale;
    this.rng.setState(json.position.rng);
    if (run === undefined) return;
    run.epoch = json.position.epoch;
    run.batchInEpoch = json.position.batchInEpoch;
    run.step = json.position.step;
    run.epochStartRng = json.position.rng;
    // `trained` counts images trained since the epoch (re)started, for the throughput figure.
    run.sums = { ...json.epochSums, trained: 0 };
    run.history = [...json.history];
    for (const { callback, key } of run.callbacks) {
      if (callback.setState === undefined || !(key in json.callbacks)) continue;
      const prefix = `callback/${key}/`;
      const callbackArrays: Record<string, Float32Array> = {};
      for (const [name, values] of Object.entries(arrays)) {
        if (name.startsWith(prefix)) callbackArrays[name.slice(prefix.length)] = values;
      }
      const callbackState: CallbackState = { json: json.callbacks[key], arrays: callbackArrays };
      callback.setState(callbackState);
    }
  }

  #context(run: Run, logs: Logs, stepped: boolean): CallbackContext {
    return {
      learner: this,
      epoch: run.epoch,
      epochs: run.epochs,
      step: run.step,
      batch: run.batchInEpoch,
      batchesPerEpoch: this.train.batchesPerEpoch,
      logs,
      stepped,
    };
  }

  async #emit(event: CallbackEvent, context: CallbackContext): Promise<void> {
    for (const { callback } of this.#run?.callbacks ?? []) {
      const handler = callback[event];
      if (handler !== undefined) await handler.call(callback, context);
    }
  }

  /** Optimizer steps per epoch, from the training data's `batchesPerEpoch`. */
  stepsPerEpoch(fn = 'Learner.stepsPerEpoch'): number {
    const batches = this.train.batchesPerEpoch;
    if (!Number.isSafeInteger(batches) || (batches as number) < 1) {
      throw new InvalidArgumentError(
        fn,
        'train.batchesPerEpoch',
        'a positive integer (the recipes plan their schedule from it; arrayBatches sets it)',
        batches,
      );
    }
    return Math.ceil((batches as number) / this.accumulateSteps);
  }

  /**
   * fastai's `fit_one_cycle`: {@link oneCycle} from `maxLr / divFactor` up to `maxLr` and down again over
   * all the steps of `epochs` epochs.
   */
  async fitOneCycle(epochs: number, maxLr: number, options: FitOneCycleOptions = {}): Promise<FitResult> {
    const fn = 'Learner.fitOneCycle';
    checkPositiveInteger(fn, 'epochs', epochs);
    checkOptions(fn, options);
    const { pctStart, divFactor, finalDivFactor, ...fit } = options;
    const schedule = oneCycle({
      maxLr,
      totalSteps: epochs * this.stepsPerEpoch(fn),
      ...(pctStart === undefined ? {} : { pctStart }),
      ...(divFactor === undefined ? {} : { divFactor }),
      ...(finalDivFactor === undefined ? {} : { finalDivFactor }),
    });
    return this.fit(epochs, { ...fit, schedule });
  }

  /**
   * SGDR (field note 001): `cycles` cosine cycles with warm restarts, the first `cycleLength` epochs long,
   * each next one `cycleMult` times longer; runs `cycleLength·(1 + mult + … + mult^(cycles−1))` epochs.
   */
  async fitSgdr(cycles: number, options: FitSgdrOptions): Promise<FitResult> {
    const fn = 'Learner.fitSgdr';
    checkPositiveInteger(fn, 'cycles', cycles);
    checkOptions(fn, options);
    const { maxLr, minLr = 0, cycleLength = 1, cycleMult = 1, ...fit } = options;
    checkPositiveInteger(fn, 'cycleLength', cycleLength);
    checkPositiveInteger(fn, 'cycleMult', cycleMult);
    let epochs = 0;
    for (let k = 0; k < cycles; k++) epochs += cycleLength * cycleMult ** k;
    const schedule = sgdr({ maxLr, minLr, cycleSteps: cycleLength * this.stepsPerEpoch(fn), cycleMult });
    return this.fit(epochs, { ...fit, schedule });
  }

  /**
   * fastai's `fine_tune`: `freezeEpochs` epochs of one-cycle at `baseLr` with only the head trainable,
   * then every group unfrozen for `epochs` epochs of one-cycle peaking at `baseLr / 2` for the head and
   * `baseLr / 2 / lrMult` for the first group (discriminative learning rates, field note 000). Runs as one
   * fit, so it resumes like any other.
   */
  async fineTune(epochs: number, options: FineTuneOptions = {}): Promise<FitResult> {
    const fn = 'Learner.fineTune';
    checkPositiveInteger(fn, 'epochs', epochs);
    checkOptions(fn, options);
    const {
      freezeEpochs = 1,
      baseLr = 2e-3,
      lrMult = 100,
      layerGroups,
      trainBatchNorm = true,
      pctStart = 0.3,
      callbacks = [],
      ...fit
    } = options;
    if (!Number.isSafeInteger(freezeEpochs) || freezeEpochs < 0) {
      throw new InvalidArgumentError(fn, 'freezeEpochs', 'a non-negative integer', freezeEpochs);
    }
    checkPositive(fn, 'baseLr', baseLr);
    checkPositive(fn, 'lrMult', lrMult);
    checkBoolean(fn, 'trainBatchNorm', trainBatchNorm);
    checkInRange(fn, 'pctStart', pctStart, 0, 1, true);
    const groups = this.#layerGroups(fn, layerGroups);
    const steps = this.stepsPerEpoch(fn);
    const frozenSteps = freezeEpochs * steps;
    const frozen =
      frozenSteps > 0 ? oneCycle({ maxLr: baseLr, totalSteps: frozenSteps, pctStart: 0.99 }) : undefined;
    const unfrozen = oneCycle({ maxLr: baseLr / 2, totalSteps: epochs * steps, pctStart, divFactor: 5 });
    const schedule: Schedule = (step) =>
      step < frozenSteps && frozen !== undefined ? frozen(step) : unfrozen(step - frozenSteps);
    const multipliers = discriminativeMultipliers(groups, lrMult);
    const recipe: Callback = {
      name: 'fineTune',
      order: -50,
      onEpochBegin: ({ epoch }) => {
        if (epoch < freezeEpochs) {
          setTrainableGroups(groups, groups.length - 1, { trainBatchNorm });
          this.#setMultipliers(groups, undefined);
        } else {
          setTrainableGroups(groups, 0, { trainBatchNorm });
          this.#setMultipliers(groups, multipliers);
        }
      },
      onTrainEnd: () => this.#setMultipliers(groups, undefined),
    };
    return this.fit(freezeEpochs + epochs, { ...fit, schedule, callbacks: [recipe, ...callbacks] });
  }

  /**
   * Gradual unfreezing (ULMFiT; the Cdiscount report found unfreezing small groups per epoch beat
   * unfreezing everything at once, field note 003): epoch 0 trains the last group (the head), each next
   * epoch unfreezes one more group from the end, under one one-cycle schedule peaking at `maxLr`.
   */
  async fitGradualUnfreeze(
    epochs: number,
    maxLr: number,
    options: GradualUnfreezeOptions = {},
  ): Promise<FitResult> {
    const fn = 'Learner.fitGradualUnfreeze';
    checkPositiveInteger(fn, 'epochs', epochs);
    checkOptions(fn, options);
    const {
      layerGroups,
      lrMult = 1,
      trainBatchNorm = true,
      pctStart = 0.25,
      callbacks = [],
      ...fit
    } = options;
    checkPositive(fn, 'lrMult', lrMult);
    checkBoolean(fn, 'trainBatchNorm', trainBatchNorm);
    const groups = this.#layerGroups(fn, layerGroups);
    const multipliers = lrMult === 1 ? undefined : discriminativeMultipliers(groups, lrMult);
    const schedule = oneCycle({ maxLr, totalSteps: epochs * this.stepsPerEpoch(fn), pctStart });
    const recipe: Callback = {
      name: 'gradualUnfreeze',
      order: -50,
      onEpochBegin: ({ epoch }) => {
        setTrainableGroups(groups, Math.max(groups.length - 1 - epoch, 0), { trainBatchNorm });
        this.#setMultipliers(groups, multipliers);
      },
      onTrainEnd: () => this.#setMultipliers(groups, undefined),
    };
    return this.fit(epochs, { ...fit, schedule, callbacks: [recipe, ...callbacks] });
  }

  #layerGroups(fn: string, layerGroups: LayerGroups | undefined): readonly (readonly Layer[])[] {
    const groups =
      layerGroups === undefined
        ? defaultLayerGroups(this.model)
        : typeof layerGroups === 'function'
          ? layerGroups(this.model)
          : layerGroups;
    if (
      !Array.isArray(groups) ||
      groups.length < 1 ||
      !groups.every((g) => Array.isArray(g) && g.length > 0)
    ) {
      throw new InvalidArgumentError(
        fn,
        'layerGroups',
        'a non-empty array of non-empty layer arrays',
        groups,
      );
    }
    (groups as readonly (readonly Layer[])[]).forEach((group, g) => {
      group.forEach((layer, l) => {
        if (typeof layer?.trainable !== 'boolean' || !Array.isArray(layer.weights)) {
          throw new InvalidArgumentError(fn, `layerGroups[${g}][${l}]`, 'a tf.layers layer', layer);
        }
      });
    });
    return groups;
  }

  #setMultipliers(groups: readonly (readonly Layer[])[], multipliers: readonly number[] | undefined): void {
    groups.forEach((group, g) => {
      for (const layer of group) {
        for (const weight of layer.weights) {
          if (multipliers === undefined) this.optimizer.lrMultipliers.delete(weight.name);
          else this.optimizer.lrMultipliers.set(weight.name, multipliers[g]!);
        }
      }
    });
  }

  /**
   * The learning-rate range test (Smith 2017; fastai's `lr_find`, field note 001): trains with an
   * exponentially growing rate, records the smoothed loss, stops when it diverges, and suggests the rate of
   * steepest descent. Weights, batch-norm statistics, optimizer state and RNG are restored afterwards.
   */
  async findLr(options: FindLrOptions = {}): Promise<LrFinderResult> {
    if (this.#run !== undefined) {
      throw new TopkError('LEARNER_BUSY', 'Error in Learner.findLr: a fit is running');
    }
    const weights = this.getWeights();
    const optimizerState = this.optimizer.getState();
    const rngState = this.rng.getState();
    const lastLr = this.#lastLr;
    try {
      return await runLrFinder(options, {
        batches: async function* (this: Learner) {
          for (let epoch = 0; ; epoch++) {
            const source = this.train(epoch, this.rng.split('epoch'));
            let any = false;
            for await (const batch of source) {
              any = true;
              yield batch;
            }
            if (!any) return;
          }
        }.call(this),
        step: (batch, lr) => this.trainStepAt(batch, lr),
      });
    } finally {
      this.#disposeAccumulated();
      this.setWeights(weights);
      this.optimizer.setState(optimizerState);
      this.rng.setState(rngState);
      this.#lastLr = lastLr;
    }
  }
}

/**
 * A model's variables in layer order, each layer's own weights in their declared order (trainable ones
 * first, then statistics), descending into nested models; shared layers count once.
 */
function layerOrderWeights(model: Model): tf.Variable[] {
  const out: tf.Variable[] = [];
  const seen = new Set<number>();
  const visit = (layer: Layer) => {
    const inner = (layer as { layers?: unknown }).layers;
    if (Array.isArray(inner)) {
      for (const child of inner as Layer[]) visit(child);
      return;
    }
    for (const weight of layer.weights) {
      const variable = weight.read() as tf.Variable;
      if (seen.has(variable.id)) continue;
      seen.add(variable.id);
      out.push(variable);
    }
  };
  visit(model as unknown as Layer);
  return out;
}

/** Micro-averaged F1 from summed counts: 2·tp / (2·tp + fp + fn); 1 when there is nothing to find or claim. */
export function microF1(tp: number, fp: number, fn: number): number {
  const denominator = 2 * tp + fp + fn;
  return denominator === 0 ? 1 : (2 * tp) / denominator;
}

/** Runs `model` over `source` in inference mode, concatenating activated outputs. Shared with pseudo-labelling. */
export async function predictOutputs(
  fn: string,
  model: Model,
  source: BatchSource,
  activation: 'softmax' | 'sigmoid' | 'none',
): Promise<Predictions> {
  const chunks: Float32Array[] = [];
  const ids: string[] = [];
  let allIds = true;
  let rows = 0;
  let columns = -1;
  const plan = fuseForInference(model);
  try {
    for await (const batch of source) {
      try {
        if (!(batch?.images instanceof tf.Tensor)) {
          throw new InvalidArgumentError(fn, 'batch.images', 'a tensor', batch?.images);
        }
        const output = tf.tidy(() => {
          let y = plan.predict(batch.images) as tf.Tensor;
          if (y.rank !== 2) y = tf.reshape(y, [y.shape[0]!, -1]);
          return activation === 'softmax' ? tf.softmax(y) : activation === 'sigmoid' ? tf.sigmoid(y) : y;
        });
        const values = (await output.data()) as Float32Array;
        const [n, c] = output.shape as [number, number];
        output.dispose();
        if (columns !== -1 && c !== columns) {
          throw new InvalidArgumentError(fn, 'model output', `${columns} columns in every batch`, c);
        }
        columns = c;
        rows += n;
        chunks.push(values);
        if (batch.ids !== undefined && batch.ids.length === n) ids.push(...batch.ids);
        else allIds = false;
      } finally {
        disposeBatch(batch);
      }
    }
  } finally {
    plan.dispose();
  }
  const values = new Float32Array(rows * Math.max(columns, 0));
  let offset = 0;
  for (const chunk of chunks) {
    values.set(chunk, offset);
    offset += chunk.length;
  }
  return { values, rows, columns: Math.max(columns, 0), ids: allIds && rows > 0 ? ids : undefined };
}
