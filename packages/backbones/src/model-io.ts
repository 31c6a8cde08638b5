import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError, TopkError } from '@topk/core';
import type { Classifier, HeadModel } from './classifier.js';
import { registerCustomLayers } from './custom-layers.js';
import { type FileSystemHandlerOptions, fileSystemHandler } from './file-system-handler.js';
import { guardFrozenBatchNorm } from './freezing.js';
import type { Backbone, LayerGroup } from './types.js';
import { urlHandler } from './url-handler.js';

/** What a {@link loadModel} source can be. */
export type ModelSource = string | tf.io.IOHandler;

/** Any model built by this package. */
export type TopkModel = Backbone | Classifier | HeadModel;

const FORMAT = 'topk-backbones';
const VERSION = 1;

function isHandler(value: unknown): value is tf.io.IOHandler {
  return typeof value === 'object' && value !== null && ('load' in value || 'save' in value);
}

/**
 * Turns a path, `file://` URL or http(s) URL into an `IOHandler`; handlers pass through.
 * @internal
 */
export function resolveSource(
  fn: string,
  source: ModelSource,
  options: FileSystemHandlerOptions = {},
): tf.io.IOHandler {
  if (isHandler(source)) return source;
  if (typeof source !== 'string' || source.length === 0) {
    throw new InvalidArgumentError(
      fn,
      'source',
      'a path, a file:// or http(s) URL, or a tfjs IOHandler',
      source,
    );
  }
  if (/^https?:\/\//i.test(source)) return urlHandler(source);
  return fileSystemHandler(source, options);
}

/**
 * Saves a backbone, classifier or head in the tfjs layers format (`model.json` + weight shards), with
 * its topk description (registry config, data config, layer groups, head options) in the model's
 * `userDefinedMetadata`, so {@link loadModel} restores everything. `destination` is a folder, a
 * `.json` path, a `file://` URL, or any tfjs `IOHandler` (e.g. `indexeddb://` via `tf.io`).
 */
export async function saveModel(
  m: TopkModel,
  destination: string | tf.io.IOHandler,
  options: FileSystemHandlerOptions = {},
): Promise<tf.io.SaveResult> {
  const fn = 'saveModel';
  if (typeof m !== 'object' || m === null || !(m.model instanceof tfl.LayersModel)) {
    throw new InvalidArgumentError(fn, 'model', 'a backbone, classifier or head', m);
  }
  if (typeof destination === 'string' && /^https?:\/\//i.test(destination)) {
    throw new InvalidArgumentError(
      fn,
      'destination',
      'a path or IOHandler (use tf.io.http to upload)',
      destination,
    );
  }
  const handler = resolveSource(fn, destination, options);
  const { model, ...rest } = m;
  const description = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
  const previous = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  model.setUserDefinedMetadata({
    ...(previous ?? {}),
    topk: { format: FORMAT, version: VERSION, ...description },
  });
  return model.save(handler);
}

function checkGroups(model: tfl.LayersModel, groups: unknown): LayerGroup[] {
  const names = new Set(model.layers.map((l) => l.name));
  const ok =
    Array.isArray(groups) &&
    groups.every(
      (g: { name?: unknown; layers?: unknown }) =>
        typeof g?.name === 'string' &&
        Array.isArray(g.layers) &&
        g.layers.every((l) => typeof l === 'string' && names.delete(l)),
    ) &&
    names.size === 0;
  if (!ok) {
    throw new TopkError(
      'INVALID_TOPK_METADATA',
      'Error in loadModel: the saved layer groups do not match the model',
    );
  }
  return groups as LayerGroup[];
}

/**
 * Loads a model saved by {@link saveModel} from a folder, `.json` path, `file://` or http(s) URL, or a
 * tfjs `IOHandler`, and restores its topk description. Weights must match exactly. For a model without
 * that description (a Keras conversion, someone else's tfjs model), build a registry backbone and map
 * the weights onto it with {@link loadPretrained}.
 */
export async function loadModel(source: ModelSource): Promise<TopkModel> {
  const handler = resolveSource('loadModel', source);
  registerCustomLayers();
  const model = await tfl.loadLayersModel(handler, { strict: true });
  const meta = (model.getUserDefinedMetadata() as { topk?: Record<string, unknown> } | undefined)?.topk;
  if (meta?.format !== FORMAT || meta.version !== VERSION) {
    model.dispose();
    throw new TopkError(
      'NOT_A_TOPK_MODEL',
      'Error in loadModel: the model carries no topk description (userDefinedMetadata.topk); ' +
        'use loadPretrained to map its weights onto a registry backbone',
    );
  }
  const { format: _format, version: _version, ...description } = meta;
  if (!['backbone', 'classifier', 'head'].includes(description.kind as string)) {
    model.dispose();
    throw new TopkError(
      'INVALID_TOPK_METADATA',
      'Error in loadModel: the saved kind must be backbone, classifier or head',
    );
  }
  const layerGroups = checkGroups(model, description.layerGroups);
  guardFrozenBatchNorm(model);
  return { ...description, layerGroups, model } as unknown as TopkModel;
}
