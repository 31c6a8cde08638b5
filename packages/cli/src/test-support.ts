// Helpers for this package's tests (not exported): run the CLI in-process with captured output, and
// make tiny datasets on disk.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

/** What a CLI run printed and returned. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link captureIo}. */
export interface CaptureOptions {
  /** Pretend stderr is a terminal. @defaultValue false */
  readonly tty?: boolean;
  readonly env?: Readonly<Record<string, string>>;
  /** A fake clock. @defaultValue performance.now */
  readonly now?: () => number;
}

/** A {@link CliIo} writing into strings. */
export function captureIo(cwd: string, options: CaptureOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (chunk: string) => out.push(chunk), isTTY: false },
    stderr: { write: (chunk: string) => err.push(chunk), isTTY: options.tty ?? false },
    cwd,
    env: options.env ?? {},
    now: options.now ?? (() => performance.now()),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

/** Runs `topk argv` in-process in `cwd`. */
export async function topk(
  argv: readonly string[],
  cwd: string,
  options: CaptureOptions = {},
): Promise<CliResult> {
  const captured = captureIo(cwd, options);
  const code = await runCli(argv, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

/**
 * Asserts a usage error: exit code 2, nothing on stdout, exactly one line on stderr containing every
 * fragment.
 */
export function expectUsageError(result: CliResult, ...fragments: string[]): void {
  expect(result.stdout).toBe('');
  expect(result.stderr.endsWith('\n')).toBe(true);
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  for (const fragment of fragments) expect(result.stderr).toContain(fragment);
  expect(result.code).toBe(2);
}

/**
 * Runs `topk args` in `cwd` for each `[args, fragment]` case, one after the other, and asserts each is a
 * usage error ({@link expectUsageError}) whose line contains the fragment.
 */
export async function expectUsageErrors(
  cwd: string,
  cases: readonly (readonly [readonly string[], string])[],
): Promise<void> {
  for (const [args, fragment] of cases) expectUsageError(await topk(args, cwd), fragment);
}

/** A fresh temporary folder and a function removing it. */
export async function tempDir(
  prefix = 'topk-cli-',
): Promise<{ readonly dir: string; readonly remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a file, creating its folders. */
export async function put(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/** A `width × height` PNG of one colour. */
export async function solidPng(
  width: number,
  height: number,
  rgb: readonly [number, number, number],
): Promise<Uint8Array> {
  const { default: sharp } = await import('sharp');
  const [r, g, b] = rgb;
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
      .png()
      .toBuffer(),
  );
}

/** Class colours of {@link writeClassFolders}. */
export const CLASS_COLORS: Readonly<Record<string, readonly [number, number, number]>> = {
  cat: [200, 50, 50],
  dog: [50, 200, 50],
  fox: [50, 50, 200],
};

/**
 * `root/<class>/<i>.png` for classes cat, dog and fox, `perClass` solid 40 × 30 images each; returns the
 * ids (`cat/0.png`, ...), in listing order.
 */
export async function writeClassFolders(root: string, perClass = 3): Promise<string[]> {
  const ids: string[] = [];
  for (const [name, rgb] of Object.entries(CLASS_COLORS)) {
    for (let i = 0; i < perClass; i++) {
      await put(join(root, name, `${i}.png`), await solidPng(40, 30, rgb));
      ids.push(`${name}/${i}.png`);
    }
  }
  return ids;
}

/**
 * Predictions for the 9 images of `writeClassFolders(root, 3)`, columns cat, dog, fox. Argmax: 6 of 9
 * right (cat/1 → dog, dog/2 → cat, fox/2 → dog); the probability of the true class per row is
 * 0.7, 0.2, 0.6, 0.8, 0.4, 0.4, 0.8, 0.6, 0.3.
 */
export const PREDICTIONS_A = `id,cat,dog,fox
cat/0.png,0.7,0.2,0.1
cat/1.png,0.2,0.7,0.1
cat/2.png,0.6,0.3,0.1
dog/0.png,0.1,0.8,0.1
dog/1.png,0.3,0.4,0.3
dog/2.png,0.5,0.4,0.1
fox/0.png,0.1,0.1,0.8
fox/1.png,0.2,0.2,0.6
fox/2.png,0.1,0.6,0.3
`;

/** A second model on the same 9 images, columns in another order (fox, cat, dog); every argmax right. */
export const PREDICTIONS_B = `id,fox,cat,dog
cat/0.png,0.1,0.5,0.4
cat/1.png,0.1,0.6,0.3
cat/2.png,0.2,0.4,0.4
dog/0.png,0.1,0.2,0.7
dog/1.png,0.2,0.2,0.6
dog/2.png,0.2,0.3,0.5
fox/0.png,0.6,0.2,0.2
fox/1.png,0.5,0.3,0.2
fox/2.png,0.5,0.2,0.3
`;
