import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, TopkError } from '@topk/core';
import { checkRelativeWeightPath, parseModelJson } from './file-system-handler.js';

/** Options of {@link urlHandler}. */
export interface UrlHandlerOptions {
  /**
   * The `fetch` to use.
   * @defaultValue globalThis.fetch
   */
  readonly fetch?: typeof fetch;
  /** Passed to every request (headers, credentials). */
  readonly requestInit?: RequestInit;
}

/**
 * A load-only tfjs `IOHandler` for a `model.json` served over HTTP(S), fetching the weight shards listed
 * in its manifest relative to it. Unlike `tf.io.http`, it refuses shard paths that leave the model's
 * folder (other origins, absolute paths, `..`), so a manifest cannot make it fetch arbitrary URLs.
 */
export function urlHandler(url: string, options: UrlHandlerOptions = {}): tf.io.IOHandler {
  const fn = 'urlHandler';
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new InvalidArgumentError(fn, 'url', 'an absolute http(s) URL', url);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new InvalidArgumentError(fn, 'url', 'an absolute http(s) URL', url);
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function')
    throw new InvalidArgumentError(fn, 'options.fetch', 'a function', fetchFn);
  const init = options.requestInit ?? {};
  const folder = new URL('.', base);

  async function get(target: URL): Promise<Response> {
    let response: Response;
    try {
      response = await fetchFn(target.href, init);
    } catch (cause) {
      throw new TopkError('FETCH_FAILED', `Error in ${fn}: request for ${target.href} failed`, { cause });
    }
    if (!response.ok) {
      throw new TopkError('FETCH_FAILED', `Error in ${fn}: ${target.href} answered ${response.status}`);
    }
    return response;
  }

  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = parseModelJson(fn, await (await get(base)).text(), base.href);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          for (const shard of group.paths) {
            checkRelativeWeightPath(fn, shard);
            // URL resolution also collapses encoded dot segments (%2e%2e), so check after resolving.
            const target = new URL(shard, base);
            if (target.origin !== folder.origin || !target.pathname.startsWith(folder.pathname)) {
              throw new InvalidArgumentError(
                fn,
                'weightsManifest path',
                'a relative path inside the model folder',
                shard,
              );
            }
            buffers.push(await (await get(target)).arrayBuffer());
          }
          specs.push(...group.weights);
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
