import { InvalidArgumentError } from './errors.js';

/** Plain-JSON form of a {@link ClassVocabulary}: class names in index order. */
export interface ClassVocabularyJSON {
  readonly classes: readonly string[];
}

/** Options of the {@link ClassVocabulary} constructor. */
export interface ClassVocabularyOptions {
  /**
   * Sort the names by UTF-16 code units, so the same set of names always gets the same indices whatever
   * order it was found in. Turn off to keep a given order (e.g. a submission file's column order).
   * @defaultValue true
   */
  readonly sort?: boolean;
}

/**
 * Code-unit order: the same on every machine, unlike `localeCompare`, whose result depends on the
 * runtime's ICU data and locale (and so would make class indices differ between machines).
 */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The mapping between class names and the class indices a model predicts.
 *
 * Indices follow code-unit order of the names by default, so two runs that see the same classes in a
 * different order agree. Save it with the model (`toJSON`) and restore it with {@link ClassVocabulary.fromJSON},
 * which keeps the saved order exactly.
 *
 * @example
 * ```ts
 * const vocab = ClassVocabulary.fromLabels(['dog', 'cat', 'dog']);
 * vocab.names; // ['cat', 'dog']
 * vocab.encode(['dog', 'cat']); // Int32Array [1, 0]
 * ```
 */
export class ClassVocabulary {
  readonly #names: readonly string[];
  readonly #index: ReadonlyMap<string, number>;

  /**
   * @param names - unique, non-empty class names; at least one.
   */
  constructor(names: Iterable<string>, options: ClassVocabularyOptions = {}) {
    const fn = 'new ClassVocabulary';
    if (!isIterable(names)) throw new InvalidArgumentError(fn, 'names', 'an iterable of strings', names);
    const { sort = true } = options;
    if (typeof sort !== 'boolean') throw new InvalidArgumentError(fn, 'options.sort', 'a boolean', sort);
    const list: string[] = [];
    const firstIndex = new Map<string, number>();
    for (const name of names as Iterable<unknown>) {
      const i = list.length;
      if (typeof name !== 'string' || name.length === 0) {
        throw new InvalidArgumentError(fn, `names[${i}]`, 'a non-empty string', name);
      }
      const previous = firstIndex.get(name);
      if (previous !== undefined) {
        throw new InvalidArgumentError(fn, `names[${i}]`, `unique (it repeats names[${previous}])`, name);
      }
      firstIndex.set(name, i);
      list.push(name);
    }
    if (list.length === 0) throw new InvalidArgumentError(fn, 'names', 'at least one class name', names);
    if (sort) list.sort(compareCodeUnits);
    this.#names = Object.freeze(list);
    this.#index = new Map(list.map((name, i) => [name, i]));
  }

  /**
   * Builds a sorted vocabulary from per-sample labels, repeats allowed: each label is a class name
   * (single-label) or a list of class names (multi-label).
   * @param labels - the labels of a dataset.
   */
  static fromLabels(labels: Iterable<string | readonly string[]>): ClassVocabulary {
    const fn = 'ClassVocabulary.fromLabels';
    if (!isIterable(labels)) throw new InvalidArgumentError(fn, 'labels', 'an iterable of labels', labels);
    const seen = new Set<string>();
    let i = 0;
    for (const label of labels as Iterable<unknown>) {
      const names: unknown[] = Array.isArray(label) ? label : [label];
      for (const name of names) {
        if (typeof name !== 'string' || name.length === 0) {
          throw new InvalidArgumentError(fn, `labels[${i}]`, 'a non-empty string or an array of them', label);
        }
        seen.add(name);
      }
      i++;
    }
    if (seen.size === 0) throw new InvalidArgumentError(fn, 'labels', 'at least one class name', labels);
    return new ClassVocabulary(seen);
  }

  /**
   * Restores a vocabulary saved with {@link ClassVocabulary.toJSON}, keeping its order (and so its indices).
   * @param json - `{ classes: string[] }`, e.g. from `JSON.parse`.
   */
  static fromJSON(json: unknown): ClassVocabulary {
    const classes = (json as { classes?: unknown } | null)?.classes;
    if (typeof json !== 'object' || json === null || !Array.isArray(classes)) {
      throw new InvalidArgumentError(
        'ClassVocabulary.fromJSON',
        'json',
        'an object { classes: string[] }',
        json,
      );
    }
    return new ClassVocabulary(classes as string[], { sort: false });
  }

  /** Number of classes. */
  get size(): number {
    return this.#names.length;
  }

  /** Class names in index order (frozen). */
  get names(): readonly string[] {
    return this.#names;
  }

  /** Whether `name` is a known class. */
  has(name: string): boolean {
    return this.#index.has(name);
  }

  /**
   * The index of a class; throws with the closest known names when it is unknown.
   * @param name - a known class name.
   */
  indexOf(name: string): number {
    return this.#lookup('ClassVocabulary.indexOf', 'name', name);
  }

  /**
   * The name of class `i`.
   * @param i - an integer in [0, size).
   */
  nameOf(i: number): string {
    return this.#nameAt('ClassVocabulary.nameOf', 'i', i);
  }

  /**
   * Class indices of `names`, e.g. to build an int32 label tensor.
   * @param names - known class names.
   */
  encode(names: readonly string[]): Int32Array {
    const fn = 'ClassVocabulary.encode';
    if (!Array.isArray(names)) throw new InvalidArgumentError(fn, 'names', 'an array of class names', names);
    return Int32Array.from(names, (name, k) => this.#lookup(fn, `names[${k}]`, name));
  }

  /**
   * Class names of `indices`.
   * @param indices - integers in [0, size).
   */
  decode(indices: ArrayLike<number>): string[] {
    const fn = 'ClassVocabulary.decode';
    if (!Array.isArray(indices) && !(ArrayBuffer.isView(indices) && !(indices instanceof DataView))) {
      throw new InvalidArgumentError(fn, 'indices', 'an array of class indices', indices);
    }
    return Array.from(indices, (i, k) => this.#nameAt(fn, `indices[${k}]`, i));
  }

  /**
   * A multi-hot target of length `size`: 1 at each named class, 0 elsewhere. Repeats are allowed and an
   * empty list gives all zeros.
   * @param names - known class names.
   */
  multiHot(names: readonly string[]): Float32Array {
    const fn = 'ClassVocabulary.multiHot';
    if (!Array.isArray(names)) throw new InvalidArgumentError(fn, 'names', 'an array of class names', names);
    const target = new Float32Array(this.size);
    names.forEach((name, k) => {
      target[this.#lookup(fn, `names[${k}]`, name)] = 1;
    });
    return target;
  }

  /** The plain-JSON form, class names in index order. */
  toJSON(): { classes: string[] } {
    return { classes: [...this.#names] };
  }

  #nameAt(fn: string, argument: string, i: number): string {
    const name = Number.isInteger(i) ? this.#names[i] : undefined;
    if (name === undefined)
      throw new InvalidArgumentError(fn, argument, `an integer in [0, ${this.size})`, i);
    return name;
  }

  #lookup(fn: string, argument: string, name: string): number {
    const index = typeof name === 'string' ? this.#index.get(name) : undefined;
    if (index !== undefined) return index;
    if (typeof name !== 'string') throw new InvalidArgumentError(fn, argument, 'a class name string', name);
    throw new InvalidArgumentError(fn, argument, this.#describeKnown(name), name);
  }

  /** "one of the N known classes" plus the closest names, for the unknown-class message. */
  #describeKnown(name: string): string {
    const lower = name.toLowerCase();
    const budget = Math.max(2, Math.floor(name.length / 3));
    const close = this.#names
      .map((known) => {
        const knownLower = known.toLowerCase();
        // Case-only and substring differences are the common typos; rank them first.
        const contains =
          Math.min(lower.length, knownLower.length) >= 3 &&
          (knownLower.includes(lower) || lower.includes(knownLower));
        const distance = knownLower === lower ? 0 : contains ? 1 : editDistance(lower, knownLower);
        return { known, distance };
      })
      .filter(({ distance }) => distance <= budget)
      .sort((x, y) => x.distance - y.distance || compareCodeUnits(x.known, y.known))
      .slice(0, 3)
      .map(({ known }) => JSON.stringify(known));
    const count = `one of the ${this.size} known class${this.size === 1 ? '' : 'es'}`;
    if (close.length > 0) return `${count} (did you mean ${close.join(', ')}?)`;
    if (this.size <= 10) return `${count}: ${this.#names.map((known) => JSON.stringify(known)).join(', ')}`;
    return `${count} (none is close)`;
  }
}
