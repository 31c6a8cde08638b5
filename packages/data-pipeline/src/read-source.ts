import { ImageDecodeError } from './image-decode-error.js';
import type { DecodedImage, RawRecordSource } from './types.js';

/** Whether this is Node (file paths) rather than a browser (URLs). */
export function isNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof process?.versions?.node === 'string';
}

function fsFailure(error: unknown, path: string): ImageDecodeError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ImageDecodeError('missing', `no such file: ${path}`, { cause: error });
  }
  return new ImageDecodeError('unreadable', `cannot read ${path}: ${message}`, { cause: error });
}

/**
 * The bytes of the file at `path`: read from disk in Node, fetched in a browser (where paths are URLs).
 * A missing file fails with `missing`, any other read error with `unreadable`.
 */
export async function readSourceBytes(path: string): Promise<Uint8Array> {
  if (isNode()) {
    const { readFile } = await import('node:fs/promises');
    try {
      const buffer = await readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      throw fsFailure(error, path);
    }
  }
  let response: Response;
  try {
    response = await fetch(path);
  } catch (error) {
    throw new ImageDecodeError('unreadable', `cannot fetch ${path}: ${String(error)}`, { cause: error });
  }
  if (response.status === 404 || response.status === 410) {
    throw new ImageDecodeError('missing', `no such file: ${path} (HTTP ${response.status})`);
  }
  if (!response.ok) throw new ImageDecodeError('unreadable', `cannot fetch ${path}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

type FileHandle = Awaited<ReturnType<typeof import('node:fs/promises').open>>;

interface OpenShard {
  readonly handle: Promise<FileHandle>;
  users: number;
  evicted: boolean;
}

/** Shards stay open between records (a stream reads thousands of records from each), a few at a time. */
const openShards = new Map<string, OpenShard>();
const MAX_OPEN_SHARDS = 8;

function closeShard(shard: OpenShard): void {
  shard.handle.then((h) => h.close()).catch(() => undefined);
}

async function acquireShard(path: string): Promise<OpenShard> {
  let shard = openShards.get(path);
  if (shard === undefined) {
    const { open } = await import('node:fs/promises');
    shard = openShards.get(path);
    if (shard === undefined) {
      shard = { handle: open(path, 'r'), users: 0, evicted: false };
      openShards.set(path, shard);
      if (openShards.size > MAX_OPEN_SHARDS) {
        const [oldestPath, oldest] = openShards.entries().next().value as [string, OpenShard];
        openShards.delete(oldestPath);
        oldest.evicted = true;
        if (oldest.users === 0) closeShard(oldest);
      }
    }
  }
  shard.users++;
  return shard;
}

function releaseShard(path: string, shard: OpenShard, failed: boolean): void {
  shard.users--;
  if (failed && openShards.get(path) === shard) {
    openShards.delete(path);
    shard.evicted = true;
  }
  if (shard.evicted && shard.users === 0) closeShard(shard);
}

/** The pixels of one record of a raw cache shard (Node only). */
export async function readRawRecord(source: RawRecordSource): Promise<DecodedImage> {
  const { path, offset, height, width, channels } = source;
  const length = height * width * channels;
  const shard = await acquireShard(path);
  let failed = false;
  try {
    const data = new Uint8Array(length);
    const { bytesRead } = await (await shard.handle).read(data, 0, length, offset);
    if (bytesRead !== length) {
      throw new ImageDecodeError(
        'truncated',
        `raw record at byte ${offset} of ${path} has ${bytesRead} of its ${length} bytes`,
      );
    }
    return { data, height, width, channels };
  } catch (error) {
    failed = !(error instanceof ImageDecodeError);
    if (error instanceof ImageDecodeError) throw error;
    throw fsFailure(error, path);
  } finally {
    releaseShard(path, shard, failed);
  }
}

/** Closes the shard files kept open by {@link readRawRecord}. */
export function closeRawShards(): void {
  for (const shard of openShards.values()) {
    shard.evicted = true;
    if (shard.users === 0) closeShard(shard);
  }
  openShards.clear();
}
