import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

/** What a flag's schema sees besides the value: the directory relative paths are resolved against. */
export interface FlagEnv {
  readonly cwd: string;
}

/**
 * A zod schema for one flag value, built per invocation (paths depend on the working directory). Issue
 * messages are the expected value as a phrase ("an integer >= 1"): the CLI prints
 * `--flag must be <message>, got <value>`.
 */
export type FlagSchema<T, In> = (env: FlagEnv) => z.ZodType<T, z.ZodTypeDef, In>;

interface FlagBase {
  readonly description: string;
  /** Placeholder in the help, e.g. `FILE`, `N`. */
  readonly valueName?: string;
}

/** A flag with one value: `--k 20` or `--k=20`. */
export interface ValueFlag<T, Optional extends boolean> extends FlagBase {
  readonly kind: 'value';
  readonly schema: FlagSchema<T, string>;
  readonly required: boolean;
  /** Raw value used when the flag is absent (validated like a given one). */
  readonly default?: string;
  /** Type-level marker: whether the parsed value may be `undefined`. */
  readonly optional?: Optional;
}

/** A flag with one or more values: `--inputs a.csv b.csv` (values run until the next flag). */
export interface ListFlag<T, Optional extends boolean> extends FlagBase {
  readonly kind: 'list';
  /** Schema of each value. */
  readonly schema: FlagSchema<T, string>;
  readonly required: boolean;
  /** Fewest values. @defaultValue 1 */
  readonly min: number;
  readonly optional?: Optional;
}

/** A flag without a value: `--json`. */
export interface SwitchFlag extends FlagBase {
  readonly kind: 'switch';
}

/** Any flag of a command. */
export type FlagSpec = ValueFlag<unknown, boolean> | ListFlag<unknown, boolean> | SwitchFlag;

/** A command's flags, keyed by camelCase name (`topLosses` is `--top-losses`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The parsed value of one flag. */
export type FlagValue<F> =
  F extends ValueFlag<infer T, infer O>
    ? O extends true
      ? T | undefined
      : T
    : F extends ListFlag<infer T, infer O>
      ? O extends true
        ? readonly T[] | undefined
        : readonly T[]
      : F extends SwitchFlag
        ? boolean
        : never;

/** The parsed values of a command's flags. */
export type FlagValues<S extends FlagSpecs> = { readonly [K in keyof S]: FlagValue<S[K]> };

/** `topLosses` → `top-losses`. */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

interface ValueOptions extends FlagBase {
  readonly required?: boolean;
  readonly default?: string;
}

/** A one-value flag; required or with a default it is never `undefined`. */
export function valueFlag<T>(
  schema: FlagSchema<T, string>,
  options: ValueOptions & ({ readonly required: true } | { readonly default: string }),
): ValueFlag<T, false>;
export function valueFlag<T>(schema: FlagSchema<T, string>, options: ValueOptions): ValueFlag<T, true>;
export function valueFlag<T>(schema: FlagSchema<T, string>, options: ValueOptions): ValueFlag<T, boolean> {
  const { required = false, ...rest } = options;
  return { kind: 'value', schema, required, ...rest };
}

interface ListOptions extends FlagBase {
  readonly required?: boolean;
  /** @defaultValue 1 */
  readonly min?: number;
}

/** A flag taking one or more values. */
export function listFlag<T>(
  schema: FlagSchema<T, string>,
  options: ListOptions & { readonly required: true },
): ListFlag<T, false>;
export function listFlag<T>(schema: FlagSchema<T, string>, options: ListOptions): ListFlag<T, true>;
export function listFlag<T>(schema: FlagSchema<T, string>, options: ListOptions): ListFlag<T, boolean> {
  const { required = false, min = 1, ...rest } = options;
  return { kind: 'list', schema, required, min, ...rest };
}

/** A flag without a value, `false` when absent. */
export function switchFlag(description: string): SwitchFlag {
  return { kind: 'switch', description };
}

/** Any string, e.g. a name. */
export function stringValue(): FlagSchema<string, string> {
  return () => z.string().min(1, 'a non-empty string');
}

/** An integer in `[min, max]`. */
export function integerValue(
  options: { readonly min?: number; readonly max?: number } = {},
): FlagSchema<number, string> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const expected =
    max === Number.MAX_SAFE_INTEGER
      ? min === Number.MIN_SAFE_INTEGER
        ? 'an integer'
        : `an integer >= ${min}`
      : `an integer in [${min}, ${max}]`;
  return () =>
    z
      .string()
      .regex(/^\s*[+-]?\d+\s*$/, expected)
      .transform(Number)
      .refine((n) => n >= min && n <= max, expected);
}

/** A finite number in `[min, max]` (or `(min, max]` with `exclusiveMin`). */
export function numberValue(
  options: { readonly min?: number; readonly max?: number; readonly exclusiveMin?: boolean } = {},
): FlagSchema<number, string> {
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY, exclusiveMin = false } = options;
  const low = Number.isFinite(min) ? `${exclusiveMin ? '(' : '['}${min}` : '(-inf';
  const high = Number.isFinite(max) ? `${max}]` : 'inf)';
  const expected = low === '(-inf' && high === 'inf)' ? 'a number' : `a number in ${low}, ${high}`;
  return () =>
    z
      .string()
      .refine((s) => /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(s), expected)
      // + 0 turns -0 into 0.
      .transform((s) => Number(s) + 0)
      .refine((n) => (exclusiveMin ? n > min : n >= min) && n <= max, expected);
}

/** One of a fixed set of words. */
export function choiceValue<const T extends readonly [string, ...string[]]>(
  values: T,
): FlagSchema<T[number], string> {
  const expected = `one of ${values.join(', ')}`;
  return () =>
    z
      .string()
      .refine((s): s is T[number] => (values as readonly string[]).includes(s), expected) as z.ZodType<
      T[number],
      z.ZodTypeDef,
      string
    >;
}

/** What {@link existingPath} accepts. */
export type PathKind = 'file' | 'directory' | 'any';

function absolute(env: FlagEnv, path: string): string {
  return isAbsolute(path) ? path : resolve(env.cwd, path);
}

/** A path that exists (a file, a directory or either), resolved to an absolute path. */
export function existingPath(kind: PathKind): FlagSchema<string, string> {
  const expected = { file: 'an existing file', directory: 'an existing directory', any: 'an existing path' }[
    kind
  ];
  return (env) =>
    z
      .string()
      .min(1, expected)
      .transform((path) => absolute(env, path))
      .refine(async (path) => {
        const info = await stat(path).catch(() => undefined);
        if (info === undefined) return false;
        return kind === 'any' || (kind === 'file' ? info.isFile() : info.isDirectory());
      }, expected);
}

/**
 * A path to write: anything but an existing directory, resolved to an absolute path. Missing parent
 * folders are created when the file is written.
 */
export function outputPath(): FlagSchema<string, string> {
  const expected = 'a file path to write (not a directory)';
  return (env) =>
    z
      .string()
      .min(1, expected)
      .transform((path) => absolute(env, path))
      .refine(async (path) => !(await stat(path).catch(() => undefined))?.isDirectory(), expected);
}

/** The TensorFlow.js backends `--backend` accepts (`auto`: the order of `selectBackend`). */
export const BACKEND_CHOICES = ['auto', 'cpu', 'wasm', 'webgpu', 'tensorflow', 'tensorflow-gpu'] as const;

/** `--backend B` (default `auto`), the same flag on every command that runs a model. */
export function backendFlag() {
  return valueFlag(choiceValue(BACKEND_CHOICES), {
    valueName: 'B',
    default: 'auto',
    description: 'TensorFlow.js backend',
  });
}

/** `--workers N`: image-decoding threads, 0 to decode on the calling thread. */
export function workersFlag(description = 'decoding threads, 0 for this thread') {
  return valueFlag(integerValue({ min: 0, max: 64 }), { valueName: 'N', description });
}
