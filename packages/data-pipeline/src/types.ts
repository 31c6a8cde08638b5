import type { ClassVocabulary } from '@topk/core';

/**
 * A decoded image: 8-bit pixels in row-major HWC order (`data[(y * width + x) * channels + c]`), the
 * currency between decoding, resizing and batching.
 */
export interface DecodedImage {
  /** `height × width × channels` bytes. */
  readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
  /** 1 (grey), 3 (RGB) or 4 (RGBA). */
  readonly channels: number;
}

/** One image stored as raw bytes at a known offset of a shard file, as written by {@link writeCache}. */
export interface RawRecordSource {
  readonly kind: 'raw-record';
  /** The shard file. */
  readonly path: string;
  /** Byte offset of the record; the record is `height × width × channels` bytes long. */
  readonly offset: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * Where an item's pixels come from: a file path (a URL in a browser), encoded bytes (a JPEG, PNG, …
 * file held in memory), already decoded pixels (IDX files, in-memory arrays), or a record of a raw cache
 * shard.
 */
export type ImageSource = string | Uint8Array | DecodedImage | RawRecordSource;

/** An axis-aligned box in source-image pixels (after EXIF orientation); may be fractional. */
export interface BoundingBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** One listed sample of a {@link Dataset}. */
export interface DatasetItem {
  /** Unique within the dataset; carried into batches, reports and prediction tables. */
  readonly id: string;
  readonly source: ImageSource;
  /** Single-label datasets: the class index into the dataset's vocabulary. */
  readonly label?: number;
  /** Multi-label datasets: class indices, ascending and unique (possibly empty). */
  readonly labels?: readonly number[];
  /**
   * What the image belongs to when several images share one identity (a product with 1–4 photos, one
   * whale): group-aware splits keep a group on one side, batches carry it.
   */
  readonly group?: string;
  /** A region to crop to before resizing (e.g. a detector's box around the object). */
  readonly box?: BoundingBox;
}

/**
 * A listing of samples with their labels: what sources produce and splits, filters, samplers, checks,
 * caches and batch streams consume. Holding a dataset holds paths and labels, never pixels (except for
 * sources that are pixels already, like IDX files).
 */
export interface Dataset {
  readonly items: readonly DatasetItem[];
  /** The class names behind label indices; absent for unlabelled data (a test set). */
  readonly vocabulary?: ClassVocabulary;
  /** Whether items carry `labels` (multi-label) rather than `label`. */
  readonly multiLabel: boolean;
}
