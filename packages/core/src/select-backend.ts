import * as tf from '@tensorflow/tfjs-core';
import { BackendError, InvalidArgumentError } from './errors.js';
import { registerFastGradients } from './fast-gradients.js';
import { type NativeKernelStatus, prepareNativeKernels } from './kernels/native/native-kernels.js';
import {
  prepareWasmSimdKernels,
  registerTrainingKernels,
  type TrainingKernelReport,
} from './training-kernels.js';
import { getWasmThreadsNodeStatus, prepareWasmThreadsForNode } from './wasm-threads-node.js';

/** Backends that topk can select, by topk's name (`tensorflow-gpu` is tfjs-node-gpu's `tensorflow`). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** What the backend is for: training needs gradient kernels that prediction does not. */
export type BackendPurpose = 'train' | 'predict';

export type RuntimeEnvironment = 'node' | 'browser';

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Use exactly this backend, and throw a {@link BackendError} if it cannot be initialised (or cannot
   * train when `purpose` is `train`). `auto` tries {@link SelectBackendOptions.order}.
   * @defaultValue the `TOPK_BACKEND` environment variable, else `auto`
   */
  readonly backend?: BackendName | 'auto';
  /**
   * Candidates, most preferred first.
   * @defaultValue {@link defaultBackendOrder} of the running environment
   */
  readonly order?: readonly BackendName[];
  /** @defaultValue `train` */
  readonly purpose?: BackendPurpose;
  /**
   * Where the wasm backend finds its `.wasm` files: a folder (ending in `/`) or a map of file names.
   * @defaultValue in Node the `dist/` folder of the installed `@tensorflow/tfjs-backend-wasm`; in a
   * browser, tfjs's own default (next to the script)
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /**
   * Accept a WebGPU adapter or a WebGL renderer that is a software rasteriser (llvmpipe, SwiftShader,
   * WARP): they are correct but slower than the wasm backend (WebGL on SwiftShader fine-tunes the browser
   * example about 25x slower than wasm in headless Chromium).
   * @defaultValue false
   */
  readonly allowSoftwareGpu?: boolean;
  /**
   * Threads for the wasm backend's XNNPACK pool in Node (topk makes tfjs-wasm's threaded build work there;
   * in browsers tfjs uses threads by itself when the page is cross-origin isolated). `1` keeps the stock
   * single-threaded build.
   * @defaultValue the `TOPK_THREADS` environment variable, else the number of available cores (at most 8)
   */
  readonly threads?: number;
  /** Environment variables to read `TOPK_BACKEND` and `TOPK_THREADS` from. @defaultValue `process.env` */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** One candidate's outcome. */
export interface BackendAttempt {
  readonly backend: BackendName;
  readonly outcome: 'selected' | 'skipped' | 'failed';
  readonly reason: string;
}

/** What {@link selectBackend} chose and why each earlier candidate was passed over. */
export interface BackendSelection {
  readonly backend: BackendName;
  /** The name tfjs knows the backend by (`tf.getBackend()`). */
  readonly tfBackend: string;
  readonly purpose: BackendPurpose;
  readonly environment: RuntimeEnvironment;
  /** True when the backend was forced by the option or `TOPK_BACKEND`. */
  readonly forced: boolean;
  readonly attempts: readonly BackendAttempt[];
  readonly kernels: TrainingKernelReport;
  /** Threads the backend computes with (1 unless the wasm backend runs its threaded build). */
  readonly threads: number;
  /**
   * topk's native kernels (AVX2 convolutions and matmuls on the wasm backend's memory, Node only): whether
   * they run, and why not when they do not.
   */
  readonly native: NativeKernelStatus;
}

const NODE_ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'webgpu', 'wasm', 'cpu'];
const BROWSER_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The environment this code runs in. */
export function runtimeEnvironment(): RuntimeEnvironment {
  const g = globalThis as { process?: { versions?: { node?: string } }; window?: unknown };
  return g.process?.versions?.node !== undefined && g.window === undefined ? 'node' : 'browser';
}

/**
 * The documented order in which {@link selectBackend} tries backends: in Node `tensorflow-gpu` (tfjs-node-gpu
 * with a visible CUDA device), `tensorflow` (tfjs-node), `webgpu` (the `webgpu` npm package, with a hardware
 * adapter), `wasm`, `cpu`; in a browser `webgpu`, `webgl`, `wasm`, `cpu`.
 */
export function defaultBackendOrder(
  environment: RuntimeEnvironment = runtimeEnvironment(),
): readonly BackendName[] {
  return environment === 'node' ? NODE_ORDER : BROWSER_ORDER;
}

class Skip extends Error {}

/** `import()` of a package that may not be installed; the specifier is a variable so bundlers leave it be. */
async function importOptional<T = Record<string, unknown>>(specifier: string, hint: string): Promise<T> {
  try {
    return (await import(/* @vite-ignore */ specifier)) as T;
  } catch (error) {
    const { code, message = '' } = error as { code?: string; message?: string };
    // Node sets a code; bundlers and vite-style loaders only say so in the message.
    const notFound =
      code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'MODULE_NOT_FOUND' ||
      (/Cannot find (module|package)|Could not resolve|Failed to resolve/.test(message) &&
        message.includes(specifier));
    if (notFound) {
      throw new Skip(`${specifier} is not installed (${hint})`);
    }
    throw new Skip(`${specifier} failed to load: ${(error as Error).message}`);
  }
}

/**
 * Imports a backend package, or, when that fails but the backend is registered already, carries on
 * without it: a bundled page imports its backends itself, and the browser cannot resolve the bare
 * specifier that {@link importOptional} leaves to run time.
 */
async function importBackend<T = Record<string, unknown>>(
  tfName: string,
  specifier: string,
  hint: string,
): Promise<T | undefined> {
  try {
    return await importOptional<T>(specifier, hint);
  } catch (error) {
    if (error instanceof Skip && tf.findBackendFactory(tfName) !== null) return undefined;
    throw error;
  }
}

async function activate(tfName: string): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(tfName);
  } catch (error) {
    throw new Skip(`tf.setBackend('${tfName}') threw: ${(error as Error).message}`);
  }
  if (!ok) throw new Skip(`backend '${tfName}' failed to initialise`);
  await tf.ready();
}

async function nodeWasmDistFolder(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, join, sep } = await import('node:path');
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + sep;
}

interface GpuAdapterLike {
  readonly info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
  readonly isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<GpuAdapterLike | null>;
}

async function findWebGpuAdapter(environment: RuntimeEnvironment): Promise<GpuAdapterLike> {
  const g = globalThis as { navigator?: { gpu?: GpuLike } };
  if (environment === 'node' && g.navigator?.gpu === undefined) {
    const webgpu = await importOptional<{
      create: (flags: string[]) => GpuLike;
      globals: Record<string, unknown>;
    }>('webgpu', 'npm i webgpu for Dawn in Node');
    for (const [key, value] of Object.entries(webgpu.globals)) {
      if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
    }
    const gpu = webgpu.create([]);
    if (g.navigator === undefined) {
      Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    } else {
      Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true, writable: true });
    }
  }
  const gpu = g.navigator?.gpu;
  if (gpu === undefined) throw new Skip('navigator.gpu is not available');
  const adapter =
    (await gpu.requestAdapter({ powerPreference: 'high-performance' })) ??
    (await gpu.requestAdapter({ featureLevel: 'compatibility' }));
  if (adapter === null) throw new Skip('no WebGPU adapter found');
  return adapter;
}

function softwareAdapterName(adapter: GpuAdapterLike): string | undefined {
  const info = adapter.info ?? {};
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  const match = /llvmpipe|lavapipe|swiftshader|warp|software/i.exec(text);
  if (match !== null) return match[0];
  return adapter.isFallbackAdapter === true || info.isFallbackAdapter === true
    ? 'fallback adapter'
    : undefined;
}

/** The WebGL renderer's name when it is a software rasteriser, read from a throwaway context. */
function softwareWebGlRenderer(): string | undefined {
  type Gl = {
    getExtension(name: string): { UNMASKED_RENDERER_WEBGL?: number; loseContext?: () => void } | null;
    getParameter(parameter: number): unknown;
    RENDERER: number;
  };
  type Canvas = { getContext(kind: string): Gl | null };
  const scope = globalThis as {
    OffscreenCanvas?: new (width: number, height: number) => Canvas;
    document?: { createElement(tag: string): Canvas };
  };
  try {
    const canvas =
      scope.OffscreenCanvas !== undefined
        ? new scope.OffscreenCanvas(1, 1)
        : scope.document?.createElement('canvas');
    const gl = canvas?.getContext('webgl2') ?? canvas?.getContext('webgl');
    if (gl === null || gl === undefined) return undefined;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug?.UNMASKED_RENDERER_WEBGL ?? gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext?.();
    return /swiftshader|llvmpipe|lavapipe|software|basic render/i.exec(renderer)?.[0];
  } catch {
    return undefined;
  }
}

async function tryBackend(
  name: BackendName,
  environment: RuntimeEnvironment,
  options: SelectBackendOptions,
  forced: boolean,
): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu': {
      if (environment !== 'node') throw new Skip('Node only');
      await importOptional(
        '@tensorflow/tfjs-node-gpu',
        'npm i @tensorflow/tfjs-node-gpu on a machine with CUDA',
      );
      await activate('tensorflow');
      const backend = tf.backend() as { isUsingGpuDevice?: boolean };
      if (backend.isUsingGpuDevice !== true)
        throw new Skip('tfjs-node-gpu loaded but no CUDA device is visible');
      return 'tensorflow';
    }
    case 'tensorflow': {
      if (environment !== 'node') throw new Skip('Node only');
      if (tf.findBackendFactory('tensorflow') === null) {
        await importOptional('@tensorflow/tfjs-node', 'npm i @tensorflow/tfjs-node');
      }
      await activate('tensorflow');
      return 'tensorflow';
    }
    case 'webgpu': {
      const adapter = await findWebGpuAdapter(environment);
      const software = softwareAdapterName(adapter);
      if (software !== undefined && options.allowSoftwareGpu !== true && !forced) {
        throw new Skip(`the WebGPU adapter is a software rasteriser (${software}), slower than wasm`);
      }
      await importBackend(
        'webgpu',
        '@tensorflow/tfjs-backend-webgpu',
        'npm i @tensorflow/tfjs-backend-webgpu',
      );
      await activate('webgpu');
      return 'webgpu';
    }
    case 'webgl': {
      if (environment === 'node') throw new Skip('browser only');
      const software = options.allowSoftwareGpu === true || forced ? undefined : softwareWebGlRenderer();
      if (software !== undefined) {
        throw new Skip(`the WebGL renderer is a software rasteriser (${software}), slower than wasm`);
      }
      await importBackend('webgl', '@tensorflow/tfjs-backend-webgl', 'npm i @tensorflow/tfjs-backend-webgl');
      await activate('webgl');
      return 'webgl';
    }
    case 'wasm': {
      const wasm = await importBackend<{ setWasmPaths: (p: unknown) => void }>(
        'wasm',
        '@tensorflow/tfjs-backend-wasm',
        'npm i @tensorflow/tfjs-backend-wasm',
      );
      if (tf.engine().registry.wasm === undefined) {
        const paths = options.wasmPaths ?? (environment === 'node' ? await nodeWasmDistFolder() : undefined);
        if (paths !== undefined && wasm === undefined) {
          throw new Skip(
            'wasmPaths cannot be applied to a bundled @tensorflow/tfjs-backend-wasm: call its setWasmPaths before selectBackend',
          );
        }
        if (paths !== undefined) wasm?.setWasmPaths(paths);
        const threads = options.threads ?? 0;
        if (environment === 'node' && threads !== 1) {
          await prepareWasmThreadsForNode(threads > 1 ? { threads } : {});
        }
      }
      await activate('wasm');
      return 'wasm';
    }
    case 'cpu': {
      await importBackend('cpu', '@tensorflow/tfjs-backend-cpu', 'npm i @tensorflow/tfjs-backend-cpu');
      await activate('cpu');
      return 'cpu';
    }
  }
}

/**
 * tfjs-core registers no gradients by itself: the tfjs umbrella package and tfjs-layers do, as a side effect
 * of being imported (and tfjs-core's own registration module is not loadable by Node's ESM loader).
 */
async function ensureGradients(): Promise<void> {
  if (tf.getGradient('Conv2D') !== undefined) return;
  try {
    await importOptional('@tensorflow/tfjs-layers', 'npm i @tensorflow/tfjs-layers');
  } catch (error) {
    throw new BackendError(
      'any',
      `Training needs tfjs gradients, which @tensorflow/tfjs-layers registers: ${(error as Error).message}`,
    );
  }
}

function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

/**
 * Picks, initialises and activates the best TensorFlow.js backend for this environment and purpose.
 *
 * Optional backends are optional peer dependencies loaded with dynamic `import()`: one that is not
 * installed is skipped with its reason, never a crash. For `purpose: 'train'`, topk's gradient kernels are
 * registered first ({@link registerTrainingKernels}: the wasm backend gets the convolution, pooling, resize
 * and segment-sum gradients it lacks or gets wrong), and a backend that still lacks a training kernel is
 * skipped. `TOPK_BACKEND=cpu|wasm|webgpu|tensorflow|tensorflow-gpu|webgl` forces one.
 *
 * @example
 * const selection = await selectBackend();
 * console.log(formatBackendSelection(selection));
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const environment = runtimeEnvironment();
  const { purpose = 'train', order = defaultBackendOrder(environment) } = options;
  if (purpose !== 'train' && purpose !== 'predict') {
    throw new InvalidArgumentError('selectBackend', 'purpose', "'train' or 'predict'", purpose);
  }
  for (const name of order) {
    if (!isBackendName(name)) {
      throw new InvalidArgumentError('selectBackend', 'order', `a list of ${BACKEND_NAMES.join(', ')}`, name);
    }
  }
  const env =
    options.env ??
    (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ??
    {};
  const fromEnv = env.TOPK_BACKEND?.trim();
  const requested = options.backend ?? (fromEnv === undefined || fromEnv === '' ? 'auto' : fromEnv);
  if (requested !== 'auto' && !isBackendName(requested)) {
    const source = options.backend === undefined ? 'TOPK_BACKEND' : 'backend';
    throw new InvalidArgumentError(
      'selectBackend',
      source,
      `one of auto, ${BACKEND_NAMES.join(', ')}`,
      requested,
    );
  }
  const forced = requested !== 'auto';
  const threadsText = env.TOPK_THREADS?.trim();
  const threads = options.threads ?? (threadsText ? Number(threadsText) : undefined);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 64)) {
    const source = options.threads === undefined ? 'TOPK_THREADS' : 'threads';
    throw new InvalidArgumentError('selectBackend', source, 'an integer in [1, 64]', threadsText ?? threads);
  }
  if (purpose === 'train') {
    await ensureGradients();
    registerFastGradients();
  }
  const candidates = forced ? [requested] : order;
  const attempts: BackendAttempt[] = [];

  for (const name of candidates) {
    let tfName: string;
    try {
      tfName = await tryBackend(
        name,
        environment,
        threads === undefined ? options : { ...options, threads },
        forced,
      );
    } catch (error) {
      const reason = error instanceof Skip ? error.message : `unexpected error: ${(error as Error).message}`;
      attempts.push({ backend: name, outcome: error instanceof Skip ? 'skipped' : 'failed', reason });
      if (forced) {
        throw new BackendError(
          name,
          `Cannot use backend '${name}' (forced by ${options.backend ? 'the backend option' : 'TOPK_BACKEND'}): ${reason}`,
          { cause: error },
        );
      }
      continue;
    }
    const kernels = registerTrainingKernels(tfName);
    if (tfName === 'wasm') await prepareWasmSimdKernels();
    if (purpose === 'train' && kernels.missing.length > 0) {
      const reason = `cannot train: no kernel for ${kernels.missing.join(', ')}`;
      attempts.push({ backend: name, outcome: 'skipped', reason });
      if (forced) throw new BackendError(name, `Backend '${name}' ${reason}; pick another with TOPK_BACKEND`);
      continue;
    }
    const why = forced
      ? `forced by ${options.backend ? 'the backend option' : 'TOPK_BACKEND'}`
      : `first available of ${candidates.join(' > ')}${kernels.registered.length > 0 ? `; topk kernels: ${kernels.registered.join(', ')}` : ''}`;
    attempts.push({ backend: name, outcome: 'selected', reason: why });
    const threadStatus = getWasmThreadsNodeStatus();
    const usedThreads = tfName === 'wasm' && threadStatus.state === 'active' ? threadStatus.threads : 1;
    const native: NativeKernelStatus =
      tfName === 'wasm'
        ? await prepareNativeKernels(threads ?? usedThreads)
        : { ok: false, threads: 0, reason: `native kernels extend the wasm backend, not ${name}` };
    return {
      backend: name,
      tfBackend: tfName,
      purpose,
      environment,
      forced,
      attempts,
      kernels,
      threads: usedThreads,
      native,
    };
  }
  throw new BackendError(
    candidates.join(','),
    `No usable TensorFlow.js backend for ${purpose}: ${attempts.map((a) => `${a.backend}: ${a.reason}`).join('; ')}. ` +
      'Install @tensorflow/tfjs-backend-cpu (always works) or @tensorflow/tfjs-backend-wasm.',
  );
}

/** A short human-readable report of a selection, one line per candidate. */
export function formatBackendSelection(selection: BackendSelection): string {
  const threads = selection.threads > 1 ? `, ${selection.threads} threads` : '';
  const lines = [
    `backend: ${selection.backend} (for ${selection.purpose}, ${selection.environment}${threads})`,
  ];
  if (selection.tfBackend === 'wasm') {
    const n = selection.native;
    lines.push(
      n.ok
        ? `  native kernels: ${n.isa}, ${n.threads} thread${n.threads === 1 ? '' : 's'}`
        : `  native kernels: off (${n.reason})`,
    );
  }
  for (const a of selection.attempts) {
    const mark = a.outcome === 'selected' ? '*' : a.outcome === 'failed' ? '!' : '-';
    lines.push(`  ${mark} ${a.backend.padEnd(15)} ${a.outcome}: ${a.reason}`);
  }
  return lines.join('\n');
}
