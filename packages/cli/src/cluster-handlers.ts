// The job handlers `topk worker` registers with @topk/cluster: `predict` with the run's model and the
// same prediction code as `topk predict`, and `cache`.
import type { Classifier } from '@topk/backbones';
import type { JobHandler, Predictor } from '@topk/cluster';
import {
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

/** What {@link createClusterHandlers} returns: the handlers, and a function freeing the cached models. */
export interface ClusterHandlers {
  readonly handlers: Readonly<Record<string, JobHandler>>;
  /** Disposes of every model loaded so far. */
  dispose(): void;
}

/** Options of {@link createClusterHandlers}. */
export interface ClusterHandlersOptions {
  /**
   * Images per model call in a `predict` shard.
   * @defaultValue 64
   */
  readonly batchSize?: number;
}

/**
 * The handlers of `topk worker`: `predict` loads the run named by the payload's `model` (once per run
 * directory; kept until {@link ClusterHandlers.dispose}), decodes each image at the run's size and
 * channels (squish resize, as the data pipeline does for `topk predict`) and predicts with
 * {@link runProbabilities}, the function `topk predict` uses, so a merged sharded run equals `topk
 * predict`'s CSV. `cache` is `createCacheHandler` of `@topk/cluster`.
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
  return {
    handlers: { predict, cache: cluster.createCacheHandler() },
    dispose() {
      for (const model of models.values())
        model.then(({ classifier }) => classifier.model.dispose()).catch(() => undefined);
      models.clear();
    },
  };
}
