import { InvalidArgumentError, TopkError } from '@topk/core';
import type { Learner, LearnerState, LearnerStateJson } from './learner.js';
import { checkString } from './validate.js';

/** Where one array lives in a checkpoint's binary file. */
export interface CheckpointArrayEntry {
  readonly name: string;
  /** Offset in float32 values from the start of the file. */
  readonly offset: number;
  /** Number of float32 values. */
  readonly length: number;
}

/** The JSON half of a checkpoint (`<name>.json`); the arrays are in the binary file it names. */
export interface CheckpointMeta {
  readonly format: 'topk-checkpoint';
  readonly version: 1;
  /** The binary file beside the JSON: little-endian float32 arrays, back to back. */
  readonly binary: string;
  readonly byteLength: number;
  readonly arrays: readonly CheckpointArrayEntry[];
  /** The learner's state: position, optimizer, callbacks, history. */
  readonly learner: LearnerStateJson;
}

/** A checkpoint file could not be read, or does not fit the learner it is loaded into. */
export class CheckpointError extends TopkError {
  /** The file concerned. */
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super('CHECKPOINT', `Checkpoint ${path}: ${message}`, options);
    this.path = path;
  }
}

let writes = 0;

function hostIsLittleEndian(): boolean {
  return new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
}

/**
 * Writes `data` to `path` atomically: to a temporary file beside it, flushed to disk, then renamed over
 * `path` (a rename within a directory is atomic on POSIX and NTFS), so a reader, or a run killed mid-write,
 * sees the old file or the new one, never a torn one.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const { open, rename } = await import('node:fs/promises');
  const temporary = `${path}.tmp-${process.pid}`;
  const handle = await open(temporary, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/**
 * Saves the learner's complete state as `<dir>/<name>.json` plus a binary file of float32 arrays (model
 * weights, batch-norm statistics, the loss's variables, optimizer buffers, callback arrays). The binary
 * file is written first under a fresh name and the JSON, which names it, is renamed into place last: the
 * JSON is the commit point, so a kill at any moment leaves the previous checkpoint or the new one, whole.
 * Older binaries of the same name are removed afterwards.
 * @returns the path of the JSON file.
 */
export async function saveCheckpoint(learner: Learner, dir: string, name = 'last'): Promise<string> {
  const fn = 'saveCheckpoint';
  checkString(fn, 'dir', dir);
  checkString(fn, 'name', name);
  if (!/^[\w.-]+$/.test(name)) throw new InvalidArgumentError(fn, 'name', 'letters, digits, _ . -', name);
  if (!hostIsLittleEndian()) throw new TopkError('CHECKPOINT', 'Checkpoints need a little-endian host');
  const { mkdir, readdir, rm } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const state = learner.exportState();
  await mkdir(dir, { recursive: true });
  const arrays: CheckpointArrayEntry[] = [];
  let total = 0;
  for (const [arrayName, values] of Object.entries(state.arrays)) {
    arrays.push({ name: arrayName, offset: total, length: values.length });
    total += values.length;
  }
  const buffer = new Float32Array(total);
  for (const entry of arrays) buffer.set(state.arrays[entry.name]!, entry.offset);
  writes++;
  const binary = `${name}-${Date.now().toString(36)}-${process.pid}-${writes}.bin`;
  await writeFileAtomic(join(dir, binary), new Uint8Array(buffer.buffer));
  const meta: CheckpointMeta = {
    format: 'topk-checkpoint',
    version: 1,
    binary,
    byteLength: buffer.byteLength,
    arrays,
    learner: state.json,
  };
  const jsonPath = join(dir, `${name}.json`);
  await writeFileAtomic(jsonPath, `${JSON.stringify(meta)}\n`);
  for (const file of await readdir(dir)) {
    const stale =
      (file.startsWith(`${name}-`) && file.endsWith('.bin') && file !== binary) ||
      (file.startsWith(`${name}-`) && file.includes('.bin.tmp-'));
    if (stale) await rm(join(dir, file), { force: true });
  }
  return jsonPath;
}

/**
 * Reads a checkpoint written by {@link saveCheckpoint}.
 * @param path - a checkpoint directory (then `<name>.json` in it is read) or the JSON file itself.
 * @param name - which checkpoint of the directory: `last` or `best`.
 */
export async function readCheckpoint(path: string, name = 'last'): Promise<LearnerState> {
  const fn = 'readCheckpoint';
  checkString(fn, 'path', path);
  checkString(fn, 'name', name);
  const { readFile } = await import('node:fs/promises');
  const { dirname, join } = await import('node:path');
  const jsonPath = path.endsWith('.json') ? path : join(path, `${name}.json`);
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(await readFile(jsonPath, 'utf8')) as CheckpointMeta;
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CheckpointError(
      jsonPath,
      code === 'ENOENT' ? 'not found (was a checkpoint saved in this directory?)' : (error as Error).message,
      { cause: error },
    );
  }
  if (meta.format !== 'topk-checkpoint' || meta.version !== 1) {
    throw new CheckpointError(jsonPath, `not a version-1 topk checkpoint (format ${String(meta.format)})`);
  }
  const binaryPath = join(dirname(jsonPath), meta.binary);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(binaryPath);
  } catch (error) {
    throw new CheckpointError(binaryPath, (error as Error).message, { cause: error });
  }
  if (bytes.byteLength !== meta.byteLength) {
    throw new CheckpointError(binaryPath, `has ${bytes.byteLength} bytes, the JSON says ${meta.byteLength}`);
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const arrays: Record<string, Float32Array> = {};
  for (const entry of meta.arrays) {
    if (entry.offset < 0 || entry.offset + entry.length > values.length) {
      throw new CheckpointError(binaryPath, `array ${entry.name} lies outside the file`);
    }
    arrays[entry.name] = values.slice(entry.offset, entry.offset + entry.length);
  }
  return { json: meta.learner, arrays };
}
