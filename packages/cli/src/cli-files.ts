import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import { TopkError } from '@topk/core';
import { UsageError } from './usage-error.js';

/** `path` relative to `cwd` when it is inside it, for messages; otherwise as is. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * Writes a whole file atomically (a temporary file renamed over it), creating missing parent folders,
 * so an interrupted command never leaves half a CSV where the previous one was.
 */
export async function writeOutputFile(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/**
 * Runs `read` on the text of a file named by a flag. A topk error raised while reading it (a malformed
 * CSV, a wrong header) becomes a {@link UsageError} naming the flag and the file.
 */
export async function readFlagFile<T>(
  flag: string,
  path: string,
  cwd: string,
  read: (text: string) => T | Promise<T>,
): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${displayPath(cwd, path)}: ${(error as Error).message}`, { hint: false });
  }
  return rethrowAsUsage(flag, path, cwd, () => read(text));
}

/** Runs `work`; a topk error it throws becomes a {@link UsageError} naming `flag` and `path`. */
export async function rethrowAsUsage<T>(
  flag: string,
  path: string,
  cwd: string,
  work: () => T | Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TopkError && !(error instanceof UsageError)) {
      throw new UsageError(`${flag} ${displayPath(cwd, path)}: ${error.message}`, {
        hint: false,
        cause: error,
      });
    }
    throw error;
  }
}
