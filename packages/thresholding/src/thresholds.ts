import type { PredictionTable } from '@topk/core';
import { checkBoolean, checkOptions, checkPredictionTable, InvalidArgumentError } from '@topk/core';
import { argmaxAt } from './validate.js';

/**
 * One decision threshold per class, matched to table columns by class name. A class is predicted when its
 * probability is at least its threshold (`p >= t`).
 */
export interface ClassThresholds {
  /** Class names, unique. */
  readonly classes: readonly string[];
  /** Threshold of each class, in [0, 1]. */
  readonly thresholds: readonly number[];
  /**
   * Whether a row with no class above its threshold falls back to its most probable class, so every row
   * gets at least one label.
   */
  readonly atLeastOne: boolean;
}

/** Plain-JSON form of {@link ClassThresholds}, as written to a thresholds file. */
export interface ClassThresholdsJSON {
  readonly format: 'topk-thresholds';
  readonly version: 1;
  readonly classes: readonly string[];
  readonly thresholds: readonly number[];
  readonly atLeastOne: boolean;
}

/** Options of {@link createClassThresholds}. */
export interface CreateClassThresholdsOptions {
  /**
   * Give every row at least one label (its most probable class) when none passes its threshold.
   * @defaultValue false
   */
  readonly atLeastOne?: boolean;
}

/** Options of {@link applyThresholds}. */
export interface ApplyThresholdsOptions {
  /**
   * Give every row at least one label (its most probable class, first on ties) when none passes. Defaults
   * to the thresholds' own `atLeastOne` when they are {@link ClassThresholds}, else to false.
   */
  readonly atLeastOne?: boolean;
}

function build(
  fn: string,
  argument: string,
  classes: unknown,
  thresholds: unknown,
  atLeastOne: unknown,
): ClassThresholds {
  if (!Array.isArray(classes) || classes.length === 0) {
    throw new InvalidArgumentError(fn, `${argument}classes`, 'a non-empty array of class names', classes);
  }
  const seen = new Map<string, number>();
  classes.forEach((name: unknown, j) => {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(fn, `${argument}classes[${j}]`, 'a non-empty string', name);
    }
    const previous = seen.get(name);
    if (previous !== undefined) {
      throw new InvalidArgumentError(
        fn,
        `${argument}classes[${j}]`,
        `unique (it repeats classes[${previous}])`,
        name,
      );
    }
    seen.set(name, j);
  });
  if (!Array.isArray(thresholds) && !(ArrayBuffer.isView(thresholds) && !(thresholds instanceof DataView))) {
    throw new InvalidArgumentError(fn, `${argument}thresholds`, 'an array of numbers', thresholds);
  }
  const values = Array.from(thresholds as ArrayLike<unknown>);
  if (values.length !== classes.length) {
    throw new InvalidArgumentError(
      fn,
      `${argument}thresholds`,
      `of the same length as classes (${classes.length})`,
      thresholds,
    );
  }
  values.forEach((t, j) => {
    if (typeof t !== 'number' || !(t >= 0 && t <= 1)) {
      throw new InvalidArgumentError(fn, `${argument}thresholds[${j}]`, 'a number in [0, 1]', t);
    }
  });
  checkBoolean(fn, `${argument}atLeastOne`, atLeastOne);
  return Object.freeze({
    classes: Object.freeze([...(classes as string[])]),
    thresholds: Object.freeze(values as number[]),
    atLeastOne: atLeastOne as boolean,
  });
}

/**
 * Builds {@link ClassThresholds}, checking names and values.
 * @param classes - class names, unique.
 * @param thresholds - one threshold in [0, 1] per class.
 */
export function createClassThresholds(
  classes: readonly string[],
  thresholds: ArrayLike<number>,
  options: CreateClassThresholdsOptions = {},
): ClassThresholds {
  const fn = 'createClassThresholds';
  const { atLeastOne = false } = checkOptions<CreateClassThresholdsOptions>(fn, options);
  return build(fn, '', classes, thresholds, atLeastOne);
}

/**
 * The plain-JSON form of thresholds; `JSON.stringify` it to save them.
 * @param thresholds - the thresholds to save.
 */
export function thresholdsToJSON(thresholds: ClassThresholds): ClassThresholdsJSON {
  const t = build(
    'thresholdsToJSON',
    'thresholds.',
    thresholds?.classes,
    thresholds?.thresholds,
    thresholds?.atLeastOne,
  );
  return {
    format: 'topk-thresholds',
    version: 1,
    classes: [...t.classes],
    thresholds: [...t.thresholds],
    atLeastOne: t.atLeastOne,
  };
}

/**
 * Restores thresholds saved with {@link thresholdsToJSON}, checking every field.
 * @param json - the parsed JSON document (e.g. `JSON.parse(text)`).
 */
export function thresholdsFromJSON(json: unknown): ClassThresholds {
  const fn = 'thresholdsFromJSON';
  const doc = json as Partial<ClassThresholdsJSON> | null;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new InvalidArgumentError(fn, 'json', 'an object from thresholdsToJSON', json);
  }
  if (doc.format !== 'topk-thresholds') {
    throw new InvalidArgumentError(fn, 'json.format', '"topk-thresholds"', doc.format);
  }
  if (doc.version !== 1) throw new InvalidArgumentError(fn, 'json.version', '1', doc.version);
  return build(fn, 'json.', doc.classes, doc.thresholds, doc.atLeastOne);
}

/** The threshold of each table column, matching classes by name. */
function columnThresholds(fn: string, table: PredictionTable, thresholds: ClassThresholds): Float64Array {
  const byName = new Map(thresholds.classes.map((name, j) => [name, thresholds.thresholds[j]!]));
  const missing = table.classes.filter((name) => !byName.has(name));
  const known = new Set(table.classes);
  const extra = thresholds.classes.filter((name) => !known.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0)
      parts.push(
        `missing ${missing
          .slice(0, 5)
          .map((x) => JSON.stringify(x))
          .join(', ')}`,
      );
    if (extra.length > 0)
      parts.push(
        `unknown ${extra
          .slice(0, 5)
          .map((x) => JSON.stringify(x))
          .join(', ')}`,
      );
    throw new InvalidArgumentError(
      fn,
      'thresholds.classes',
      `the same classes as table.classes (${parts.join('; ')})`,
      thresholds.classes,
    );
  }
  return Float64Array.from(table.classes, (name) => byName.get(name)!);
}

/**
 * Multi-label decisions: 1 where a class's probability is at least its threshold, as a row-major
 * `rows × classes` Uint8Array in the table's column order.
 *
 * @param table - the predictions.
 * @param thresholds - one global threshold in [0, 1] for every class, or per-class thresholds (matched by
 *   class name, in any order).
 */
export function applyThresholds(
  table: PredictionTable,
  thresholds: number | ClassThresholds,
  options: ApplyThresholdsOptions = {},
): Uint8Array {
  const fn = 'applyThresholds';
  checkPredictionTable(fn, 'table', table);
  const opts = checkOptions<ApplyThresholdsOptions>(fn, options);
  const c = table.classes.length;
  let perColumn: Float64Array;
  let defaultAtLeastOne = false;
  if (typeof thresholds === 'number') {
    if (!(thresholds >= 0 && thresholds <= 1)) {
      throw new InvalidArgumentError(fn, 'thresholds', 'a number in [0, 1] or ClassThresholds', thresholds);
    }
    perColumn = new Float64Array(c).fill(thresholds);
  } else {
    const t = build(fn, 'thresholds.', thresholds?.classes, thresholds?.thresholds, thresholds?.atLeastOne);
    perColumn = columnThresholds(fn, table, t);
    defaultAtLeastOne = t.atLeastOne;
  }
  const atLeastOne = opts.atLeastOne ?? defaultAtLeastOne;
  checkBoolean(fn, 'options.atLeastOne', atLeastOne);
  return decide(table.probs, table.ids.length, c, perColumn, atLeastOne);
}

/** Thresholding with the optional fallback (shared with the threshold search). */
export function decide(
  probs: Float32Array,
  rows: number,
  c: number,
  thresholds: ArrayLike<number>,
  atLeastOne: boolean,
): Uint8Array {
  const out = new Uint8Array(rows * c);
  for (let i = 0; i < rows; i++) {
    const start = i * c;
    let any = false;
    for (let j = 0; j < c; j++) {
      if (probs[start + j]! >= thresholds[j]!) {
        out[start + j] = 1;
        any = true;
      }
    }
    if (!any && atLeastOne) out[start + argmaxAt(probs, start, c)] = 1;
  }
  return out;
}
