import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, TopkError } from '@topk/core';
import { positiveInt } from './validate.js';

/** Options of {@link fileSystemHandler}. */
export interface FileSystemHandlerOptions {
  /**
   * Largest weight shard written by `save`, in bytes (the tfjs converter's default is 4 MiB).
   * @defaultValue 4194304
   */
  readonly shardSizeBytes?: number;
}

const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;

/** Parses a `model.json` text and checks the parts topk reads. */
export function parseModelJson(fn: string, text: string, where: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new TopkError('INVALID_MODEL_JSON', `Error in ${fn}: ${where} is not valid JSON`, { cause });
  }
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  const groupsOk =
    Array.isArray(manifest) &&
    manifest.every(
      (group: { paths?: unknown; weights?: unknown }) =>
        typeof group === 'object' &&
        group !== null &&
        Array.isArray(group.paths) &&
        group.paths.every((p) => typeof p === 'string') &&
        Array.isArray(group.weights),
    );
  if (typeof json !== 'object' || json === null || !groupsOk) {
    throw new TopkError(
      'INVALID_MODEL_JSON',
      `Error in ${fn}: ${where} must be a tfjs model.json with a weightsManifest of { paths, weights } groups`,
    );
  }
  return json as tf.io.ModelJSON;
}

/**
 * Rejects weight-shard paths that are not plain relative paths: absolute paths, drive letters, URLs
 * with a scheme, and (after resolution by the caller) anything outside the model's folder.
 */
export function checkRelativeWeightPath(fn: string, path: string): void {
  const unsafe =
    path.length === 0 ||
    path.includes('\0') ||
    /^[\\/]/.test(path) ||
    /^[A-Za-z][A-Za-z0-9+.-]*:/.test(path) ||
    path.split(/[\\/]/).includes('..');
  if (unsafe) {
    throw new InvalidArgumentError(
      fn,
      'weightsManifest path',
      'a relative path inside the model folder',
      path,
    );
  }
}

async function nodeModules() {
  const [fs, path, url] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
    import('node:url'),
  ]);
  return { fs, path, url };
}

/**
 * A tfjs `IOHandler` that saves and loads the tfjs layers format on the local file system (Node): a
 * `model.json` plus binary weight shards beside it, the layout `tensorflowjs_converter` writes, so
 * converted Keras models load too. `location` is a folder (holding `model.json`), a path ending in
 * `.json`, or a `file://` URL. Loading refuses manifests whose shard paths leave the model's folder.
 *
 * It stands in for `@tensorflow/tfjs-node`'s `file://` handler, which plain tfjs does not have.
 *
 * @example
 * ```ts
 * await model.save(fileSystemHandler('/tmp/my-model'));
 * const again = await tf.loadLayersModel(fileSystemHandler('/tmp/my-model/model.json'));
 * ```
 */
export function fileSystemHandler(location: string, options: FileSystemHandlerOptions = {}): tf.io.IOHandler {
  const fn = 'fileSystemHandler';
  if (typeof location !== 'string' || location.length === 0) {
    throw new InvalidArgumentError(fn, 'location', 'a non-empty path', location);
  }
  const shardSize = positiveInt(fn, 'options.shardSizeBytes', options.shardSizeBytes, DEFAULT_SHARD_BYTES);

  async function paths() {
    const modules = await nodeModules();
    const local = location.startsWith('file://') ? modules.url.fileURLToPath(location) : location;
    const jsonPath = modules.path.resolve(
      local.endsWith('.json') ? local : modules.path.join(local, 'model.json'),
    );
    return { ...modules, jsonPath, dir: modules.path.dirname(jsonPath) };
  }

  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new InvalidArgumentError(
          fn,
          'model',
          'a layers model (binary graph topologies are not supported)',
          'a graph model',
        );
      }
      const { fs, path, jsonPath, dir } = await paths();
      await fs.mkdir(dir, { recursive: true });
      const weights =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const count = Math.max(1, Math.ceil(weights.byteLength / shardSize));
      const shardPaths: string[] = [];
      for (let i = 0; i < count; i++) {
        const name = `group1-shard${i + 1}of${count}.bin`;
        const bytes = new Uint8Array(
          weights,
          i * shardSize,
          Math.min(shardSize, weights.byteLength - i * shardSize),
        );
        await fs.writeFile(path.join(dir, name), bytes);
        shardPaths.push(name);
      }
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        weightsManifest: [{ paths: shardPaths, weights: artifacts.weightSpecs ?? [] }],
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_core}`,
        convertedBy: artifacts.convertedBy ?? null,
        ...(artifacts.trainingConfig === undefined ? {} : { trainingConfig: artifacts.trainingConfig }),
        ...(artifacts.userDefinedMetadata === undefined
          ? {}
          : { userDefinedMetadata: artifacts.userDefinedMetadata }),
      };
      await fs.writeFile(jsonPath, JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const { fs, path, jsonPath, dir } = await paths();
      let text: string;
      try {
        text = await fs.readFile(jsonPath, 'utf8');
      } catch (cause) {
        throw new TopkError('MODEL_NOT_FOUND', `Error in ${fn}: cannot read ${jsonPath}`, { cause });
      }
      const modelJson = parseModelJson(fn, text, jsonPath);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const shard of group.paths) {
            checkRelativeWeightPath(fn, shard);
            const resolved = path.resolve(dir, shard);
            const relative = path.relative(dir, resolved);
            if (relative.startsWith('..') || path.isAbsolute(relative)) {
              throw new InvalidArgumentError(
                fn,
                'weightsManifest path',
                'a relative path inside the model folder',
                shard,
              );
            }
            const bytes = await fs.readFile(resolved);
            buffers.push(
              bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
            );
          }
          specs.push(...group.weights);
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
