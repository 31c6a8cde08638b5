import { Rng } from '@topk/core';
import { ImageDecodeError, type QuarantineCode } from './image-decode-error.js';
import type { ChannelCount, ImageDecoder } from './image-decoder.js';
import { applyAffine } from './normalize-pixels.js';
import { readRawRecord, readSourceBytes } from './read-source.js';
import type { ResolvedResizeOptions } from './resize-plan.js';
import type { BoundingBox, DecodedImage, ImageSource } from './types.js';

/** What a decode task hands back: normalised floats, raw bytes, a JPEG file's bytes, or only the size. */
export type TaskOutput =
  | {
      readonly kind: 'float32';
      /** Per channel: `x = pixel * scale[c] + offset[c]`. */
      readonly scale: readonly number[];
      readonly offset: readonly number[];
    }
  | { readonly kind: 'uint8' }
  | { readonly kind: 'jpeg'; readonly quality: number }
  | { readonly kind: 'none' };

/**
 * One image to read, decode, resize and convert: plain data, so it can be posted to a worker thread.
 * This is the protocol between the pipeline and a {@link DecodePool}; build it with the pipeline's
 * functions rather than by hand.
 */
export interface DecodeTask {
  readonly source: ImageSource;
  readonly channels: ChannelCount;
  readonly resize?: ResolvedResizeOptions;
  readonly box?: BoundingBox;
  /** Seed of the per-image {@link Rng} of random resize modes. */
  readonly seed?: number;
  readonly limitInputPixels: number;
  readonly autoOrient: boolean;
  readonly output: TaskOutput;
}

/** The result of a {@link DecodeTask}: the pixels, or why the image is quarantined. */
export type TaskOutcome =
  | {
      readonly ok: true;
      readonly data: Float32Array | Uint8Array | undefined;
      readonly height: number;
      readonly width: number;
      readonly channels: number;
    }
  | { readonly ok: false; readonly code: QuarantineCode; readonly reason: string };

/** Loads the input of a task: bytes for files and encoded buffers, pixels for the rest. */
async function loadInput(source: ImageSource): Promise<Uint8Array | DecodedImage> {
  if (typeof source === 'string') return readSourceBytes(source);
  if (source instanceof Uint8Array) return source;
  if ('kind' in source) return readRawRecord(source);
  return source;
}

/**
 * Runs one task with `decoder`. Never throws: every failure becomes a quarantine outcome, so that one bad
 * file cannot stop a stream. Options are checked before tasks are made, so failures here are the data's.
 */
export async function runTask(task: DecodeTask, decoder: ImageDecoder): Promise<TaskOutcome> {
  try {
    const input = await loadInput(task.source);
    const image = await decoder.decode(input, {
      channels: task.channels,
      ...(task.resize ? { resize: task.resize } : {}),
      ...(task.box ? { box: task.box } : {}),
      ...(task.seed !== undefined ? { rng: new Rng(task.seed) } : {}),
      limitInputPixels: task.limitInputPixels,
      autoOrient: task.autoOrient,
    });
    const { height, width, channels } = image;
    const { output } = task;
    switch (output.kind) {
      case 'float32': {
        const data = new Float32Array(image.data.length);
        applyAffine(
          image.data,
          channels,
          { scale: Float64Array.from(output.scale), offset: Float64Array.from(output.offset) },
          data,
        );
        return { ok: true, data, height, width, channels };
      }
      case 'uint8':
        return { ok: true, data: image.data, height, width, channels };
      case 'jpeg': {
        if (decoder.encodeJpeg === undefined) {
          throw new ImageDecodeError('decode-error', `decoder "${decoder.name}" cannot encode JPEG`);
        }
        return { ok: true, data: await decoder.encodeJpeg(image, output.quality), height, width, channels };
      }
      case 'none':
        return { ok: true, data: undefined, height, width, channels };
    }
  } catch (error) {
    if (error instanceof ImageDecodeError)
      return { ok: false, code: error.quarantineCode, reason: error.message };
    return {
      ok: false,
      code: 'decode-error',
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

/** A copy of `bytes` that owns its whole buffer, so posting it does not clone a larger backing buffer. */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/** `task` ready for `postMessage`: views into large buffers (IDX files, pooled Buffers) are copied out. */
export function postableTask(task: DecodeTask): DecodeTask {
  const { source } = task;
  if (source instanceof Uint8Array) return { ...task, source: ownBuffer(source) };
  if (typeof source === 'object' && !('kind' in source)) {
    return { ...task, source: { ...source, data: ownBuffer(source.data) } };
  }
  return task;
}
