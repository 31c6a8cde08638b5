import { describeValue } from '@topk/core';
import { didYouMean } from './did-you-mean.js';
import { type FlagEnv, type FlagSpecs, type FlagValues, flagName } from './flags.js';
import { UsageError } from './usage-error.js';

/** Raw values after tokenising: strings for value flags, lists for list flags, `true` for switches. */
type RawValues = Map<string, string | string[] | true>;

/** Whether a token is a flag (`--x`, `-h`) rather than a value; `-1.5` is a value. */
function isFlagToken(token: string): boolean {
  return token.startsWith('--') || (token.startsWith('-') && token.length > 1 && !/^-[\d.]/.test(token));
}

/** The result of {@link parseFlags}: the values, or a request for the help. */
export type ParsedFlags<S extends FlagSpecs> =
  | { readonly help: true }
  | { readonly help: false; readonly values: FlagValues<S> };

function tokenize(specs: FlagSpecs, argv: readonly string[]): RawValues | 'help' {
  const byName = new Map(Object.keys(specs).map((key) => [flagName(key), key]));
  const raw: RawValues = new Map();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--help' || token === '-h') return 'help';
    if (!isFlagToken(token)) throw new UsageError(`unexpected argument ${describeValue(token)}`);
    if (!token.startsWith('--')) throw new UsageError(`unknown flag ${token}`);
    const eq = token.indexOf('=');
    const name = eq >= 0 ? token.slice(2, eq) : token.slice(2);
    const inline = eq >= 0 ? token.slice(eq + 1) : undefined;
    const key = byName.get(name);
    if (key === undefined) {
      throw new UsageError(
        `unknown flag --${name}${didYouMean(
          `--${name}`,
          [...byName.keys()].map((known) => `--${known}`),
        )}`,
      );
    }
    const spec = specs[key]!;
    if (spec.kind === 'switch') {
      if (inline !== undefined)
        throw new UsageError(`--${name} takes no value, got ${describeValue(inline)}`);
      raw.set(key, true);
      continue;
    }
    const values: string[] = [];
    if (inline !== undefined) values.push(inline);
    else {
      while (i + 1 < argv.length && !isFlagToken(argv[i + 1]!)) {
        values.push(argv[++i]!);
        if (spec.kind === 'value') break;
      }
    }
    if (values.length === 0) throw new UsageError(`--${name} needs a value`);
    if (spec.kind === 'value') {
      if (raw.has(key)) throw new UsageError(`--${name} is given twice`);
      raw.set(key, values[0]!);
    } else {
      const previous = raw.get(key);
      raw.set(key, [...(Array.isArray(previous) ? previous : []), ...values]);
    }
  }
  return raw;
}

/**
 * Parses a command's argv against its flag specs and validates every value with its zod schema. Any
 * mistake throws a {@link UsageError} whose one-line message names the flag: an unknown flag (with the
 * closest known one), a missing value, a missing required flag, a value that fails its schema
 * (`--k must be an integer >= 1, got "0"`), a stray argument.
 *
 * @param specs - the command's flags.
 * @param argv - the arguments after the command name.
 * @param env - where relative paths are resolved.
 */
export async function parseFlags<S extends FlagSpecs>(
  specs: S,
  argv: readonly string[],
  env: FlagEnv,
): Promise<ParsedFlags<S>> {
  const raw = tokenize(specs, argv);
  if (raw === 'help') return { help: true };
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const name = `--${flagName(key)}`;
    const given = raw.get(key);
    if (spec.kind === 'switch') {
      values[key] = given === true;
      continue;
    }
    const input = given ?? (spec.kind === 'value' ? spec.default : undefined);
    if (input === undefined) {
      if (spec.required) throw new UsageError(`${name} is required`);
      values[key] = undefined;
      continue;
    }
    const items = typeof input === 'string' ? [input] : (input as string[]);
    if (spec.kind === 'list' && items.length < spec.min) {
      throw new UsageError(`${name} needs at least ${spec.min} values, got ${items.length}`);
    }
    const schema = spec.schema(env);
    const parsed: unknown[] = [];
    for (const item of items) {
      const result = await schema.safeParseAsync(item);
      if (!result.success) {
        const message = result.error.issues[0]?.message ?? 'valid';
        throw new UsageError(`${name} must be ${message}, got ${describeValue(item)}`);
      }
      parsed.push(result.data);
    }
    values[key] = spec.kind === 'value' ? parsed[0] : parsed;
  }
  return { help: false, values: values as FlagValues<S> };
}
