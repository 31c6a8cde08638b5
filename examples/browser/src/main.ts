/**
 * The page: picks a backend with `selectBackend` (webgpu → webgl → wasm → cpu, or the one named by
 * `?backend=`) and shows which and why; on "Fine-tune" (or at once with `?auto=1`) runs
 * {@link fineTune} and shows the progress, the accuracy and a few predictions. The outcome is also
 * published as `window.topkResult` for the test.
 */
// Every backend is bundled: a page cannot `import()` a bare package name at run time, so selectBackend
// finds them registered instead of loading them itself.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
// tfjs-layers registers the gradients that training needs.
import '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import {
  BACKEND_NAMES,
  type BackendName,
  type BackendSelection,
  formatBackendSelection,
  InvalidArgumentError,
  selectBackend,
} from '@topk/core';
import { type FineTuneResult, fineTune } from './fine-tune.js';

/** What the page publishes as `window.topkResult`. */
export type PageResult =
  | { readonly status: 'ready'; readonly backend: string }
  | {
      readonly status: 'done';
      readonly backend: string;
      readonly accuracy: number;
      readonly accuracyBefore: number;
      readonly seconds: number;
      readonly trainImages: number;
      readonly testImages: number;
      readonly trainableParameters: number;
      readonly frozen: readonly string[];
      readonly samples: FineTuneResult['samples'];
    }
  | { readonly status: 'error'; readonly message: string };

declare global {
  interface Window {
    topkResult?: PageResult;
  }
}

// Vite emits the three builds of tfjs-wasm as hashed assets; tfjs picks one by what the browser has.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`Error in the page: #${id} is missing`);
  return found as T;
}

const backendView = element<HTMLPreElement>('backend');
const button = element<HTMLButtonElement>('fine-tune');
const progressView = element<HTMLParagraphElement>('progress');
const resultView = element<HTMLParagraphElement>('result');
const samplesView = element<HTMLDivElement>('samples');

function publish(result: PageResult): void {
  window.topkResult = result;
  document.body.dataset.status = result.status;
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  resultView.textContent = `Failed: ${message}`;
  resultView.className = 'wrong';
  publish({ status: 'error', message });
}

/** Draws a 28x28 grayscale image (0–255, white background as in the dataset's paper) on a canvas. */
function drawImage(pixels: Uint8Array): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = 28;
  canvas.height = 28;
  const context = canvas.getContext('2d');
  if (context !== null) {
    const image = context.createImageData(28, 28);
    for (let i = 0; i < pixels.length; i++) {
      const value = 255 - pixels[i]!;
      image.data.set([value, value, value, 255], i * 4);
    }
    context.putImageData(image, 0, 0);
  }
  return canvas;
}

function showSamples(result: FineTuneResult): void {
  samplesView.replaceChildren(
    ...result.samples.map((sample) => {
      const figure = document.createElement('figure');
      const caption = document.createElement('figcaption');
      const pixels = result.test.images.subarray(sample.index * 784, (sample.index + 1) * 784);
      const right = sample.predicted === sample.label;
      caption.textContent = `${sample.predicted} ${(sample.confidence * 100).toFixed(0)} %`;
      if (!right) caption.append(document.createElement('br'), `(is ${sample.label})`);
      caption.className = right ? 'right' : 'wrong';
      figure.append(drawImage(pixels), caption);
      return figure;
    }),
  );
}

async function run(selection: BackendSelection): Promise<void> {
  button.disabled = true;
  try {
    await fineTuneAndShow(selection);
  } finally {
    button.disabled = false;
  }
}

async function fineTuneAndShow(selection: BackendSelection): Promise<void> {
  resultView.textContent = '';
  resultView.className = '';
  samplesView.replaceChildren();
  progressView.textContent = 'loading the pretrained backbone and the images…';
  const base = new URL(import.meta.env.BASE_URL, window.location.href);
  const response = await fetch(new URL('fashion-mnist-small.bin', base));
  if (!response.ok) throw new Error(`fashion-mnist-small.bin: HTTP ${response.status}`);
  const data = new Uint8Array(await response.arrayBuffer());
  const result = await fineTune({
    model: new URL('model/model.json', base).href,
    data,
    onProgress: ({ epoch, epochs, batch, batches, loss, accuracy }) => {
      const tail = accuracy === undefined ? '' : `, training accuracy ${(accuracy * 100).toFixed(1)} %`;
      progressView.textContent = `epoch ${epoch}/${epochs}, batch ${batch}/${batches}: loss ${loss.toFixed(3)}${tail}`;
    },
  });
  resultView.textContent =
    `Test accuracy ${(result.accuracy * 100).toFixed(1)} % on ${result.testImages} images of 5 classes ` +
    `(chance 20 %; ${(result.accuracyBefore * 100).toFixed(1)} % before fine-tuning), after training ` +
    `${result.trainableParameters} of ${result.parameters} parameters on ${result.trainImages} images ` +
    `(frozen: ${result.frozen.join(', ')}) in ${result.seconds.toFixed(1)} s on ${selection.backend}.`;
  resultView.className = 'right';
  showSamples(result);
  publish({
    status: 'done',
    backend: selection.backend,
    accuracy: result.accuracy,
    accuracyBefore: result.accuracyBefore,
    seconds: result.seconds,
    trainImages: result.trainImages,
    testImages: result.testImages,
    trainableParameters: result.trainableParameters,
    frozen: result.frozen,
    samples: result.samples,
  });
}

/** `?backend=wasm` (or another name) forces a backend; the default tries them in order. */
function requestedBackend(query: URLSearchParams): BackendName | 'auto' {
  const name = query.get('backend') ?? 'auto';
  if (name === 'auto' || (BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new InvalidArgumentError('the page', '?backend', `auto or one of ${BACKEND_NAMES.join(', ')}`, name);
}

/**
 * The WebGL renderer's name (e.g. a SwiftShader software device in headless Chromium), which says
 * whether `webgl` runs on a real GPU; undefined when the browser hides it.
 */
function webglRenderer(): string | undefined {
  const gl = document.createElement('canvas').getContext('webgl2');
  const info = gl?.getExtension('WEBGL_debug_renderer_info');
  if (gl === null || gl === undefined || info === null || info === undefined) return undefined;
  const name = gl.getParameter(info.UNMASKED_RENDERER_WEBGL) as unknown;
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return typeof name === 'string' ? name : undefined;
}

async function start(): Promise<void> {
  const query = new URLSearchParams(window.location.search);
  const selection = await selectBackend({ purpose: 'train', backend: requestedBackend(query) });
  const renderer = selection.backend === 'webgl' ? webglRenderer() : undefined;
  backendView.textContent =
    formatBackendSelection(selection) + (renderer === undefined ? '' : `\nWebGL renderer: ${renderer}`);
  publish({ status: 'ready', backend: selection.backend });
  button.disabled = false;
  button.addEventListener('click', () => {
    run(selection).catch(fail);
  });
  if (query.get('auto') === '1') await run(selection);
}

start().catch(fail);
