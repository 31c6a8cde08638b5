/**
 * Multi-threaded `@tensorflow/tfjs-backend-wasm` (XNNPACK + pthreadpool) in Node.js, from the unmodified npm
 * package.
 *
 * Why this is needed: tfjs-backend-wasm 4.x ships `tfjs-backend-wasm-threaded-simd.wasm`, and its emscripten
 * pthread worker script already knows how to run under `worker_threads`. Three things stop it in Node
 * (tensorflow/tfjs#3830), besides the `WASM_HAS_MULTITHREAD_SUPPORT` flag being hard-wired to `false`:
 *
 * 1. The backend hands emscripten the worker script as a `blob:` URL (`locateFile` returns
 *    `URL.createObjectURL(new Blob([wasmWorkerContents]))`), and Node's `new Worker()` only accepts file paths.
 * 2. The main script the workers must `importScripts()` is a Blob holding `factory.toString()`. In the Node
 *    bundle that source closes over bundle-level bindings that do not exist in a worker (`require$$0` for
 *    `fs`, `commonjsGlobal`, the tslib helpers `__values`/`__read`/`__spreadArray`), and the worker script can
 *    only `importScripts` a file path anyway.
 * 3. The C++ side caps the pool at `num_cores = emscripten_num_logical_cores() / 2` (it assumes two
 *    hyper-threads per core), and under Node that is `os.cpus().length / 2`: on a 2-vCPU machine the pool
 *    has 1 thread whatever `setThreadsCount` says.
 *
 * The shim wraps the registered `wasm` backend factory. While (and only while) that factory runs, it captures
 * the text of those two Blobs as they are constructed and answers `URL.createObjectURL` for the worker Blob
 * with the path of a real file (in a private `mkdtemp` folder) that holds the emscripten worker script plus a
 * small override so the worker loads the main script from a second file instead of the Blob; that main
 * script is the factory source made self-contained by re-declaring the bundle bindings it needs (taken from
 * the bundle's own source). It also makes `os.cpus()` report at least `2 * threads` CPUs meanwhile. When the
 * backend is up, the files are deleted, the globals restored, and the pthreadpool workers `unref()`ed so they
 * never keep the process alive. If anything in the threaded start-up fails, the factory falls back to the
 * stock single-threaded SIMD build and {@link getWasmThreadsNodeStatus} says why.
 *
 * Numerics: XNNPACK splits work by output tiles and runs the same micro-kernels on every thread, so results
 * equal the single-threaded build (they are checked against the cpu backend in the tests).
 *
 * Limits: written against the rollup Node bundle of tfjs-backend-wasm 4.22 (`dist/tf-backend-wasm.node.js`);
 * `prepare` checks the bundle's shape and fails soft on a different one, and problems found while generating
 * the scripts make the backend fall back, but an exception thrown inside a pthread worker is rethrown by
 * emscripten on the main thread and ends the process (as it would in a browser). The threaded build is used
 * only through this Node bundle: code bundled by a bundler for Node is not supported.
 *
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/** Options of {@link prepareWasmThreadsForNode}. */
export interface WasmThreadsNodeOptions {
  /**
   * Size of XNNPACK's thread pool, the calling thread included (so `threads - 1` workers run kernels
   * alongside the main thread). Integer >= 1. Default: `os.availableParallelism()`. `1` leaves the stock
   * single-threaded build in place.
   */
  threads?: number;
}

/** Outcome of {@link prepareWasmThreadsForNode}. */
export interface WasmThreadsNodeResult {
  /** True when the threaded build will be used by the next `tf.setBackend('wasm')`. */
  ok: boolean;
  /** Pool size that will be used: the requested count when `ok`, otherwise 1. */
  threads: number;
  /** Why threads are not used; set exactly when `ok` is false. */
  reason?: string;
}

/** Where the shim stands in this process; see {@link getWasmThreadsNodeStatus}. */
export interface WasmThreadsNodeStatus {
  /**
   * `idle`: never prepared. `unavailable`: prepare failed soft (see `reason`). `prepared`: the wasm backend
   * will start threaded on its first initialisation. `active`: it did, with `threads` threads. `fallback`: the
   * threaded start failed and the single-threaded build was started instead (see `reason`).
   */
  state: 'idle' | 'unavailable' | 'prepared' | 'active' | 'fallback';
  threads: number;
  reason?: string;
}

/** Flag registered by tfjs-backend-wasm; it returns false under Node (tensorflow/tfjs#3830). */
const THREADS_FLAG = 'WASM_HAS_MULTITHREAD_SUPPORT';
/** Prefix tfjs-backend-wasm puts before `factory.toString()` in the main-script Blob. */
const MAIN_SCRIPT_PREFIX = 'var WasmBackendModuleThreadedSimd = ';
/** tfjs caps its pool at 8 threads (`max_num_threads`), the size of emscripten's pre-spawned worker pool. */
const MAX_THREADS = 8;
/** Marks our wrapper so a second prepare call does not wrap twice. */
const WRAPPED = Symbol.for('topk.wasmThreadsNode.wrappedFactory');

/**
 * Smallest wasm module using a shared memory and an atomic load (from GoogleChromeLabs/wasm-feature-detect,
 * the same bytes tfjs-backend-wasm validates in browsers).
 */
const WASM_THREADS_PROBE: Uint8Array<ArrayBuffer> = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1, 10, 11, 1, 9, 0, 65, 0, 254,
  16, 2, 0, 26, 11,
]);

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');
type NodeFs = typeof import('node:fs');
type NodePath = typeof import('node:path');
type NodeOs = typeof import('node:os');
type BackendFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;

/** What the wrapped factory needs, gathered once by prepare. */
interface ShimContext {
  wasm: WasmPackage;
  fs: NodeFs;
  path: NodePath;
  os: NodeOs;
  vm: typeof import('node:vm');
  /** `require('worker_threads').Worker`, which emscripten assigns to `globalThis.Worker`. */
  nodeWorker: unknown;
  /** Absolute path of the tfjs-backend-wasm Node bundle (the file whose factory source we re-host). */
  bundlePath: string;
  /** Top-level `var require$$N = require('builtin');` declarations of the bundle, by binding name. */
  bundleRequires: Map<string, string>;
  /** Source of the bundle's top-level tslib helpers (`function __values(o) {...}`), by name. */
  bundleHelpers: Map<string, string>;
}

let status: WasmThreadsNodeStatus = { state: 'idle', threads: 1 };
let requestedThreads = 1;

/**
 * Makes the next initialisation of tfjs-backend-wasm in this Node process use the threaded SIMD build
 * (`tfjs-backend-wasm-threaded-simd.wasm`) with a pool of `threads` threads.
 *
 * Call it before anything initialises the `wasm` backend (`tf.setBackend('wasm')`, `tf.ready()` with wasm as
 * the best backend, ...). It loads `@tensorflow/tfjs-backend-wasm` itself (through Node's `require`, i.e. its
 * CommonJS Node bundle, which registers the `wasm` backend), sets `WASM_HAS_MULTITHREAD_SUPPORT` and
 * `setThreadsCount(threads)`, and wraps the registered `wasm` backend factory. Calling it again before
 * initialisation only updates the thread count; a later call that fails leaves an earlier preparation in
 * place. `threads` above 8 is capped at 8 (tfjs's own maximum).
 *
 * It never throws: when threads cannot be used (not Node, threads = 1, no SIMD or wasm threads, the backend
 * already initialised, an unexpected tfjs-backend-wasm bundle, ...) it changes nothing that matters and
 * resolves to `{ ok: false, threads: 1, reason }`; the backend then starts single-threaded as usual. A
 * failure later, during the threaded start itself, falls back to the single-threaded build as well; read
 * {@link getWasmThreadsNodeStatus} (or `getThreadsCount()` of tfjs-backend-wasm) after `tf.setBackend('wasm')`
 * for the final word.
 *
 * The pool's workers are `unref()`ed, so they never keep the process alive; `tf.removeBackend('wasm')`
 * terminates them. In browsers this is not needed (tfjs-backend-wasm uses threads there by itself when the
 * page is cross-origin isolated) and it resolves `ok: false`.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * const threads = await prepareWasmThreadsForNode({ threads: 2 });
 * await tf.setBackend('wasm');
 * console.log(threads.ok ? `wasm with ${threads.threads} threads` : `single-threaded: ${threads.reason}`);
 * ```
 */
export async function prepareWasmThreadsForNode(
  options: WasmThreadsNodeOptions = {},
): Promise<WasmThreadsNodeResult> {
  try {
    const result = await prepare(options);
    if (!result.ok) recordUnavailable(result.reason ?? 'unknown');
    return result;
  } catch (error) {
    const reason = `unexpected error while preparing wasm threads: ${errorMessage(error)}`;
    recordUnavailable(reason);
    return { ok: false, threads: 1, reason };
  }
}

/** A failed call does not overwrite an earlier successful preparation or the outcome of initialisation. */
function recordUnavailable(reason: string): void {
  if (status.state === 'idle' || status.state === 'unavailable')
    status = { state: 'unavailable', threads: 1, reason };
}

/** Where the shim stands: whether the wasm backend did start threaded, and if not, why. */
export function getWasmThreadsNodeStatus(): WasmThreadsNodeStatus {
  return { ...status };
}

function fail(reason: string): WasmThreadsNodeResult {
  return { ok: false, threads: 1, reason };
}

async function prepare(options: WasmThreadsNodeOptions): Promise<WasmThreadsNodeResult> {
  if (typeof process === 'undefined' || typeof process.versions?.node !== 'string') {
    return fail(
      'not running in Node.js (browsers use the threaded build by themselves when cross-origin isolated)',
    );
  }
  const nodeModule = await import('node:module');
  const require = nodeModule.createRequire(import.meta.url);
  // The CommonJS module objects (not ESM namespaces): `os` is patched during initialisation, see installHooks.
  const fs = require('node:fs') as NodeFs;
  const path = require('node:path') as NodePath;
  const os = require('node:os') as NodeOs;

  const requested = options.threads ?? defaultThreads(os);
  if (!Number.isInteger(requested) || requested < 1) {
    return fail(`threads must be an integer >= 1, got ${String(options.threads)}`);
  }
  const threads = Math.min(requested, MAX_THREADS);
  if (threads === 1) return fail('threads = 1: the single-threaded build is used');

  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return fail('SharedArrayBuffer/Atomics are not available in this Node.js process');
  }
  if (!validateWasm(WASM_THREADS_PROBE))
    return fail('this Node.js WebAssembly engine has no threads support');
  let nodeWorker: unknown;
  try {
    nodeWorker = (require('node:worker_threads') as typeof import('node:worker_threads')).Worker;
  } catch {
    return fail('node:worker_threads is not available');
  }

  let bundlePath: string;
  let wasm: WasmPackage;
  try {
    bundlePath = require.resolve('@tensorflow/tfjs-backend-wasm');
    wasm = require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
  } catch (error) {
    return fail(`@tensorflow/tfjs-backend-wasm cannot be loaded: ${errorMessage(error)}`);
  }

  const engine = tf.engine();
  if (engine.registry.wasm !== undefined || engine.backendName === 'wasm') {
    return fail(
      'the wasm backend is already initialised (or initialising); call this before tf.setBackend("wasm")',
    );
  }
  const entry = engine.registryFactory.wasm;
  if (entry === undefined) return fail('no "wasm" backend is registered with @tensorflow/tfjs-core');
  if (!(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'))) {
    return fail('WebAssembly SIMD is not supported; the threaded build needs it');
  }

  let bundle: string;
  try {
    bundle = fs.readFileSync(bundlePath, 'utf8');
  } catch (error) {
    return fail(`cannot read ${bundlePath}: ${errorMessage(error)}`);
  }
  for (const marker of [
    'mainScriptUrlOrBlob',
    'wasmWorkerContents',
    'allocateUnusedWorker',
    MAIN_SCRIPT_PREFIX,
  ]) {
    if (!bundle.includes(marker)) {
      return fail(
        `unexpected tfjs-backend-wasm bundle (${wasm.version_wasm}): "${marker}" not found in ${bundlePath}`,
      );
    }
  }
  const wasmFile = path.join(path.dirname(bundlePath), 'tfjs-backend-wasm-threaded-simd.wasm');
  if (!fs.existsSync(wasmFile)) return fail(`${wasmFile} is missing`);

  const context: ShimContext = {
    wasm,
    fs,
    path,
    os,
    vm: require('node:vm') as typeof import('node:vm'),
    nodeWorker,
    bundlePath,
    bundleRequires: parseBundleRequires(bundle, nodeModule.isBuiltin),
    bundleHelpers: parseBundleHelpers(bundle),
  };

  tf.env().set(THREADS_FLAG, true);
  wasm.setThreadsCount(threads);
  requestedThreads = threads;
  const current = entry.factory as BackendFactory & { [WRAPPED]?: true };
  if (current[WRAPPED] !== true) {
    const wrapped = wrapFactory(current, context) as BackendFactory & { [WRAPPED]?: true };
    wrapped[WRAPPED] = true;
    entry.factory = wrapped;
  }
  status = { state: 'prepared', threads };
  return { ok: true, threads };
}

function defaultThreads(os: NodeOs): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function validateWasm(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** `var require$$0 = require('fs');` lines at the top of the rollup bundle, Node built-ins only. */
function parseBundleRequires(bundle: string, isBuiltin: (name: string) => boolean): Map<string, string> {
  const requires = new Map<string, string>();
  for (const match of bundle.matchAll(/^var (require\$\$\d+) = require\((['"])([^'"]+)\2\);$/gm)) {
    const [, name, , moduleName] = match;
    if (name !== undefined && moduleName !== undefined && isBuiltin(moduleName))
      requires.set(name, moduleName);
  }
  return requires;
}

/** Top-level tslib helpers of the bundle (`function __values(o) {` ... `}` at column 0). */
function parseBundleHelpers(bundle: string): Map<string, string> {
  const helpers = new Map<string, string>();
  for (const match of bundle.matchAll(/^function (__\w+)\([^)]*\) \{\n[\s\S]*?\n\}$/gm)) {
    const [source, name] = match;
    if (name !== undefined) helpers.set(name, source);
  }
  return helpers;
}

function usesIdentifier(source: string, name: string): boolean {
  const escaped = name.replace(/[$]/g, '\\$');
  return new RegExp(`(?<![\\w$.])${escaped}(?![\\w$])`).test(source);
}

/**
 * The main script for the pthread workers: the factory source from the main-script Blob, wrapped in a strict
 * IIFE (as in the bundle) that first re-declares the bundle bindings the factory closes over.
 */
function buildMainScript(blobText: string, context: ShimContext): string {
  const factorySource = blobText.slice(MAIN_SCRIPT_PREFIX.length);
  const lines: string[] = [];
  for (const match of new Set(factorySource.match(/(?<![\w$.])require\$\$\d+(?![\w$])/g) ?? [])) {
    const moduleName = context.bundleRequires.get(match);
    if (moduleName === undefined)
      throw new Error(`the wasm factory uses ${match}, which is not a Node built-in`);
    lines.push(`var ${match} = require(${JSON.stringify(moduleName)});`);
  }
  if (usesIdentifier(factorySource, 'commonjsGlobal')) lines.push('var commonjsGlobal = globalThis;');
  for (const [name, source] of context.bundleHelpers) {
    if (usesIdentifier(factorySource, name)) lines.push(source);
  }
  lines.push(`var _scriptDir = ${JSON.stringify(context.bundlePath)};`);
  return [
    '// Generated by @topk/core wasm-threads-node from @tensorflow/tfjs-backend-wasm.',
    `${MAIN_SCRIPT_PREFIX}(function () {`,
    "'use strict';",
    ...lines,
    `return ${factorySource};`,
    '})();',
    '',
  ].join('\n');
}

/**
 * The pthread worker script: emscripten's own (it supports worker_threads), plus an override so that the
 * main-script Blob it receives in the `load` message is loaded from `mainScriptPath` instead.
 */
function buildWorkerScript(blobText: string, mainScriptPath: string): string {
  return [
    blobText,
    ';// @topk/core wasm-threads-node: the main script arrives as a Blob; load it from a file instead.',
    '(function () {',
    `  var mainScript = ${JSON.stringify(mainScriptPath)};`,
    '  var createObjectURL = URL.createObjectURL, revokeObjectURL = URL.revokeObjectURL;',
    '  URL.createObjectURL = function (obj) {',
    '    return obj instanceof Blob ? mainScript : createObjectURL.apply(URL, arguments);',
    '  };',
    '  URL.revokeObjectURL = function (url) {',
    '    if (url !== mainScript) revokeObjectURL.apply(URL, arguments);',
    '  };',
    '})();',
    '',
  ].join('\n');
}

function isWorkerScript(text: string): boolean {
  return text.includes('WasmBackendModuleThreadedSimd(Module)') && text.includes('worker_threads');
}

/**
 * Patches `Blob`, `URL.createObjectURL` and `os.cpus` for the duration of the wasm backend's initialisation;
 * returns the function that undoes it and deletes the generated files (which are only read while the
 * workers load, before the backend's initialisation resolves).
 */
function installHooks(context: ShimContext, threads: number): () => void {
  const { fs, path, os, vm } = context;
  const OriginalBlob = globalThis.Blob;
  const originalCpus = os.cpus;
  const originalCreateObjectURL = URL.createObjectURL;
  const hadWorker = Object.hasOwn(globalThis, 'Worker');
  const workerDescriptor = Object.getOwnPropertyDescriptor(globalThis, 'Worker');
  const texts = new WeakMap<Blob, string>();
  let mainScriptText: string | undefined;
  let workerPath: string | undefined;
  let dir: string | undefined;
  const removeDir = (): void => {
    if (dir === undefined) return;
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // A leftover temp folder is harmless.
    }
    dir = undefined;
  };

  class CapturingBlob extends OriginalBlob {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      if (parts === undefined || !parts.every((part) => typeof part === 'string')) return;
      const text = parts.join('');
      if (text.startsWith(MAIN_SCRIPT_PREFIX)) mainScriptText = text;
      else if (isWorkerScript(text)) texts.set(this, text);
    }
  }
  Object.defineProperty(CapturingBlob, 'name', { value: 'Blob' });

  const createObjectURL = (obj: Blob | MediaSource): string => {
    const text = obj instanceof OriginalBlob ? texts.get(obj) : undefined;
    if (text === undefined) return originalCreateObjectURL.call(URL, obj as Blob);
    if (workerPath !== undefined) return workerPath;
    if (mainScriptText === undefined) {
      throw new Error('wasm-threads-node: the worker script was requested before the main script was seen');
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topk-wasm-threads-'));
    const mainPath = path.join(dir, 'tfjs-backend-wasm-threaded-simd.main.cjs');
    const nextWorkerPath = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
    const mainScript = buildMainScript(mainScriptText, context);
    const workerScript = buildWorkerScript(text, mainPath);
    // An error thrown inside a pthread worker takes the process down (emscripten rethrows it on the main
    // thread), so at least make sure both scripts compile; throwing here makes the backend fall back instead.
    new vm.Script(mainScript, { filename: mainPath });
    new vm.Script(workerScript, { filename: nextWorkerPath });
    fs.writeFileSync(mainPath, mainScript, { mode: 0o600 });
    fs.writeFileSync(nextWorkerPath, workerScript, { mode: 0o600 });
    workerPath = nextWorkerPath;
    return workerPath;
  };

  // tfjs caps the pool at `num_cores = emscripten_num_logical_cores() / 2` (it assumes 2 hyper-threads per
  // core), computed once by a static constructor from `os.cpus().length` during initialisation; without this,
  // a 2-vCPU machine gets 1 thread whatever `setThreadsCount` says. Report at least 2 * threads CPUs meanwhile.
  const cpus = function cpus(): ReturnType<NodeOs['cpus']> {
    const list = originalCpus.call(os);
    const template = list[0] ?? {
      model: 'unknown',
      speed: 0,
      times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 },
    };
    while (list.length < 2 * threads) list.push({ ...template, times: { ...template.times } });
    return list;
  };

  globalThis.Blob = CapturingBlob;
  URL.createObjectURL = createObjectURL;
  os.cpus = cpus;
  process.once('exit', removeDir);
  return () => {
    if (os.cpus === cpus) os.cpus = originalCpus;
    if (globalThis.Blob === CapturingBlob) globalThis.Blob = OriginalBlob;
    if (URL.createObjectURL === createObjectURL) URL.createObjectURL = originalCreateObjectURL;
    // emscripten sets `global.Worker = require('worker_threads').Worker` as a side effect; undo it.
    if (hadWorker && workerDescriptor !== undefined) {
      Object.defineProperty(globalThis, 'Worker', workerDescriptor);
    } else if (!hadWorker && (globalThis as { Worker?: unknown }).Worker === context.nodeWorker) {
      Reflect.deleteProperty(globalThis, 'Worker');
    }
    process.removeListener('exit', removeDir);
    removeDir();
  };
}

/** Worker handles of the pthreadpool, as emscripten keeps them on the wasm Module. */
interface PThreadLike {
  runningWorkers?: unknown;
  unusedWorkers?: unknown;
}

function pthreadOf(backend: unknown): PThreadLike | undefined {
  const module = (backend as { wasm?: { PThread?: PThreadLike } } | null)?.wasm;
  return module?.PThread;
}

/** emscripten `ref()`s the workers that run a pthread; pthreadpool's idle workers must not hold Node open. */
function unrefWorkers(pthread: PThreadLike | undefined): void {
  for (const list of [pthread?.runningWorkers, pthread?.unusedWorkers]) {
    if (!Array.isArray(list)) continue;
    for (const worker of list) (worker as { unref?: () => void }).unref?.();
  }
}

function wrapFactory(original: BackendFactory, context: ShimContext): BackendFactory {
  return async () => {
    if (!threadsFlagIsOn()) return original();
    const uninstall = installHooks(context, requestedThreads);
    let backend: tf.KernelBackend;
    try {
      backend = await original();
    } catch (error) {
      uninstall();
      const reason = `the threaded wasm build failed to start (${errorMessage(error)}); using the single-threaded build`;
      status = { state: 'fallback', threads: 1, reason };
      tf.env().set(THREADS_FLAG, false);
      return original();
    }
    uninstall();
    const pthread = pthreadOf(backend);
    unrefWorkers(pthread);
    let threads = requestedThreads;
    try {
      threads = context.wasm.getThreadsCount();
    } catch {
      // Keep the requested count.
    }
    status =
      pthread === undefined
        ? { state: 'fallback', threads: 1, reason: 'the wasm backend did not start its threaded build' }
        : { state: 'active', threads };
    return backend;
  };
}

/** The flag is set by prepare; someone may have reset or turned it off since (then: stock behaviour). */
function threadsFlagIsOn(): boolean {
  try {
    return tf.env().get(THREADS_FLAG) === true;
  } catch {
    return false;
  }
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message;
  }
  return String(error);
}
