// The job handlers `topk worker` registers with @topk/cluster: `predict` and `embed` with the run's model
// and the same code as `topk predict` and `topk embed`, `cache`, and `train-member` with the training code
// of `topk train`.
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Classifier } from '@topk/backbones';
import type { Embedder, JobHandler, Predictor } from '@topk/cluster';
import type { AugmentPreset } from './run-model.js';
import {
  disposeRunModel,
  loadRunModel,
  normalisedImages,
  type RunConfig,
  readRunConfig,
  runProbabilities,
} from './run-model.js';

/** The payload of a `predict` job sent by `topk cluster predict`. */
export interface ClusterPredictPayload {
  /** Absolute path of the run directory, on the filesystem every worker mounts. */
  readonly model: string;
  /** Average each image with its left-right mirror. */
  readonly tta: boolean;
}

/** The payload of an `embed` job sent by `topk cluster embed`. */
export interface ClusterEmbedPayload {
  /** Absolute path of the run directory, on the filesystem every worker mounts. */
  readonly model: string;
  /** `pooled`: the head's pooled backbone features; `embedding`: its `head_embedding` layer. */
  readonly layer: 'pooled' | 'embedding';
}

/** The payload of a `train-member` job sent by `topk cluster train-ensemble`: the flags of `topk train`. */
export interface ClusterTrainMemberPayload {
  /** The ensemble folder (shared filesystem): member k is saved as the run directory `member-<k>`. */
  readonly out: string;
  /** Class names behind the items' label indices. */
  readonly classes: readonly string[];
  readonly channels: 1 | 3;
  readonly backbone: string;
  readonly size: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number | 'auto';
  readonly schedule: 'one-cycle' | 'sgdr' | 'warmup-cosine' | 'step' | 'constant';
  readonly optimizer: 'adamw' | 'sgd';
  readonly augment: AugmentPreset;
  readonly mixup: number;
  readonly cutmix: number;
  readonly loss: 'ce' | 'focal';
  /** The run's seed; each member trains with `memberSeed(seed, member)` of `@topk/cluster`. */
  readonly seed: number;
  /** Decoding threads on the worker; the pipeline's default when absent. */
  readonly workers?: number;
}

/** What {@link createClusterHandlers} returns: the handlers, and a function freeing the cached models. */
export interface ClusterHandlers {
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** Disposes of every model loaded so far. */
  dispose(): void;
}

/** Options of {@link createClusterHandlers}. */
export interface ClusterHandlersOptions {
  /**
   * Images per model call in a `predict` or `embed` shard.
   * @defaultValue 64
   */
  readonly batchSize?: number;
}

/**
 * The handlers of `topk worker`: `predict` loads the run named by the payload's `model` (once per run
 * directory; kept until {@link ClusterHandlers.dispose}), decodes each image at the run's size and
 * channels (squish resize, as the data pipeline does for `topk predict`) and predicts with
 * {@link runProbabilities}, the function `topk predict` uses, so a merged sharded run equals `topk
 * predict`'s CSV. `embed` loads the run the same way and computes, per image, `forwardFeatures` of
 * `@topk/backbones` at the payload's `layer` (what `topk embed` computes), so the merged embeddings file
 * equals `topk embed`'s; a run without an embedding layer asked for `embedding` fails the shard at once
 * (`ShardInputError`). `cache` is `createCacheHandler` of `@topk/cluster`. `train-member` trains one member of
 * a shard ensemble on its shard's items with {@link trainRun} (the code of `topk train`, no validation
 * split, seeded with the member's seed) into a temporary folder, then renames it to
 * `<payload.out>/member-<k>` (a retried member replaces what an earlier attempt left).
 */
export async function createClusterHandlers(options: ClusterHandlersOptions = {}): Promise<ClusterHandlers> {
  const cluster = await import('@topk/cluster');
  const batchSize = options.batchSize ?? 64;
  const models = new Map<string, Promise<{ classifier: Classifier; config: RunConfig }>>();
  const loadModel = (dir: string) => {
    let model = models.get(dir);
    if (model === undefined) {
      model = (async () => {
        try {
          const config = await readRunConfig(dir, dir);
          return { classifier: await loadRunModel(dir, dir), config };
        } catch (error) {
          models.delete(dir);
          // A run directory that does not load will not load on a retry either.
          throw new cluster.ShardInputError((error as Error).message);
        }
      })();
      models.set(dir, model);
    }
    return model;
  };
  const predict = cluster.createPredictHandler<ClusterPredictPayload>({
    batchSize,
    load: async (payload): Promise<Predictor> => {
      if (typeof payload?.model !== 'string') {
        throw new cluster.ShardInputError('the predict payload has no model (a run directory)');
      }
      const { classifier, config } = await loadModel(payload.model);
      const probabilities = await runProbabilities(classifier, config, { tta: payload.tta === true });
      return {
        classes: config.classes,
        decode: { channels: config.channels, resize: { size: [config.size[0], config.size[1]] } },
        predict: async (images) => {
          const x = await normalisedImages(images, config);
          try {
            return await probabilities(x);
          } finally {
            x.dispose();
          }
        },
      };
    },
  });
  const embed = cluster.createEmbedHandler<ClusterEmbedPayload>({
    batchSize,
    load: async (payload): Promise<Embedder> => {
      if (typeof payload?.model !== 'string') {
        throw new cluster.ShardInputError('the embed payload has no model (a run directory)');
      }
      const layer = payload.layer ?? 'pooled';
      if (layer !== 'pooled' && layer !== 'embedding') {
        throw new cluster.ShardInputError(
          `the embed payload's layer must be "pooled" or "embedding", got ${JSON.stringify(layer)}`,
        );
      }
      const { classifier, config } = await loadModel(payload.model);
      const dim = layer === 'embedding' ? classifier.head.embeddingSize : classifier.numFeatures;
      if (dim === null) {
        throw new cluster.ShardInputError(`the head of ${payload.model} has no embedding layer`);
      }
      const { forwardFeatures } = await import('@topk/backbones');
      return {
        dim,
        decode: { channels: config.channels, resize: { size: [config.size[0], config.size[1]] } },
        embed: async (images) => {
          const x = await normalisedImages(images, config);
          try {
            const features = forwardFeatures(classifier, x, { batchSize, output: layer });
            try {
              return (await features.data()) as Float32Array;
            } finally {
              features.dispose();
            }
          } finally {
            x.dispose();
          }
        },
      };
    },
  });
  const trainMember = cluster.createTrainMemberHandler<ClusterTrainMemberPayload>(async (job) => {
    const payload = job.payload;
    if (typeof payload?.out !== 'string' || !Array.isArray(payload.classes)) {
      throw new cluster.ShardInputError('the train-member payload has no out folder or classes');
    }
    const { ClassVocabulary } = await import('@topk/core');
    const { createDataset } = await import('@topk/data-pipeline');
    const { trainRun } = await import('./train-run.js');
    const dataset = createDataset(
      job.items.map((item) => ({ id: item.id, source: item.source ?? '', label: item.label ?? -1 })),
      { vocabulary: new ClassVocabulary(payload.classes, { sort: false }) },
    );
    const final = join(payload.out, `member-${job.member}`);
    const temporary = `${final}.attempt-${job.attempt}.tmp`;
    await rm(temporary, { recursive: true, force: true });
    const silent = { write: () => true };
    const result = await trainRun({
      train: dataset,
      classes: payload.classes,
      multiLabel: false,
      channels: payload.channels,
      backbone: payload.backbone,
      size: payload.size,
      epochs: payload.epochs,
      batchSize: payload.batchSize,
      lr: payload.lr,
      schedule: payload.schedule,
      optimizer: payload.optimizer,
      augment: payload.augment,
      mixup: payload.mixup,
      cutmix: payload.cutmix,
      loss: payload.loss,
      seed: job.seed,
      ...(payload.workers !== undefined ? { workers: payload.workers } : {}),
      resume: false,
      out: temporary,
      backendLine: `topk worker, member ${job.member} of ${job.members}, seed ${job.seed}`,
      io: { stdout: silent, stderr: silent, cwd: payload.out, env: {}, now: () => performance.now() },
      quiet: true,
    });
    await rm(final, { recursive: true, force: true });
    await rename(temporary, final);
    job.progress(job.items.length);
    const last = result.history.at(-1) ?? {};
    return { info: { dir: final, seed: job.seed, lr: result.lr, loss: Number(last.loss ?? Number.NaN) } };
  });
  return {
    handlers: { predict, embed, cache: cluster.createCacheHandler(), 'train-member': trainMember },
    dispose() {
      for (const model of models.values())
        model.then(({ classifier }) => disposeRunModel(classifier.model)).catch(() => undefined);
      models.clear();
    },
  };
}
