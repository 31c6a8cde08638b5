import { hostname } from 'node:os';

let counter = 0;

/**
 * A temporary name next to `path`, unique across the machines sharing the folder (host, process and a
 * counter) without drawing random numbers.
 */
export function temporaryPath(path: string): string {
  counter++;
  return `${path}.tmp-${hostname().replace(/[^A-Za-z0-9-]/g, '_')}-${process.pid}-${counter}`;
}

/** Whether a file name is one of {@link temporaryPath}'s. */
export function isTemporaryName(name: string): boolean {
  return /\.tmp-[A-Za-z0-9_-]+-\d+-\d+$/.test(name);
}

/**
 * Writes a file under a temporary name, flushes it to disk and renames it into place, so readers see
 * either the old file or the whole new one, never a half-written one (a worker killed mid-write leaves
 * only a temporary file behind). `data` may be a list of chunks, written one after the other, so a large
 * array (float32 vectors after a small header) goes to disk without being copied into one buffer.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | readonly Uint8Array[],
): Promise<void> {
  const { open, rename, rm } = await import('node:fs/promises');
  const temporary = temporaryPath(path);
  try {
    const handle = await open(temporary, 'w');
    try {
      // On an open handle, writeFile writes from the current position: chunks follow each other.
      for (const chunk of Array.isArray(data) ? data : [data]) await handle.writeFile(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Renames a finished temporary folder (or file) to its final name, replacing what is there. Two workers
 * that ran the same shard (a job taken for stalled while its first worker was still alive) write the same
 * content, so whichever rename lands last is as good as the other.
 */
export async function moveIntoPlace(temporary: string, path: string): Promise<void> {
  const { rename, rm } = await import('node:fs/promises');
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(temporary, path);
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      // rename() replaces files but not non-empty folders: clear the old one and try again.
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EISDIR') || attempt >= 3) throw error;
      await rm(path, { recursive: true, force: true });
    }
  }
}
