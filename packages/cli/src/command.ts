import type { CliIo } from './cli-io.js';
import { type FlagSpecs, type FlagValues, flagName } from './flags.js';
import { parseFlags } from './parse-flags.js';
import { UsageError } from './usage-error.js';

/** What a running command gets besides its flags. */
export interface CommandContext {
  readonly io: CliIo;
}

/** A subcommand of `topk`, one per file under `src/commands/`. */
export interface CommandDefinition<S extends FlagSpecs> {
  /** The word after `topk`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Paragraph(s) for `--help`, after the summary. */
  readonly description?: string;
  readonly flags: S;
  /** Full command lines shown in `--help`. */
  readonly examples: readonly string[];
  /**
   * Checks that involve several flags, after each flag passed its own schema: a returned string is a
   * usage error (`--weights needs one value per input (3), got 2`).
   */
  readonly check?: (values: FlagValues<S>) => string | undefined;
  /** Does the work; resolves to the exit code (0 when nothing is returned). */
  readonly run: (values: FlagValues<S>, context: CommandContext) => Promise<number | undefined>;
}

/** A command with its flag types erased, as held by the registry. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The `--help` text. */
  help(): string;
  /** Parses `argv` (after the command name), then runs; prints the help for `--help`. */
  execute(argv: readonly string[], context: CommandContext): Promise<number>;
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w.length > 0)) {
      if (line.length > 0 && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line);
        line = word;
      } else line = line.length > 0 ? `${line} ${word}` : word;
    }
    lines.push(indent + line);
  }
  return lines.join('\n');
}

/** The `--help` text of a command definition. */
export function formatCommandHelp<S extends FlagSpecs>(definition: CommandDefinition<S>): string {
  const entries = Object.entries(definition.flags);
  const label = (key: string) => {
    const spec = definition.flags[key]!;
    const name = `--${flagName(key)}`;
    if (spec.kind === 'switch') return name;
    const value = spec.valueName ?? 'VALUE';
    return spec.kind === 'list' ? `${name} ${value}...` : `${name} ${value}`;
  };
  const required = entries.filter(([, spec]) => spec.kind !== 'switch' && spec.required);
  const usage = [`topk ${definition.name}`, ...required.map(([key]) => label(key))];
  if (required.length < entries.length) usage.push('[options]');
  const labels = [...entries.map(([key]) => label(key)), '-h, --help'];
  const column = Math.min(28, Math.max(...labels.map((l) => l.length)) + 2);
  const describe = (flagLabel: string, text: string) => {
    const pad =
      flagLabel.length + 2 <= column ? flagLabel.padEnd(column) : `${flagLabel}\n${' '.repeat(2 + column)}`;
    const body = wrap(text, 108, ' '.repeat(2 + column)).trimStart();
    return `  ${pad}${body}`;
  };
  const lines = [`topk ${definition.name}: ${definition.summary}`, '', `Usage: ${usage.join(' ')}`];
  if (definition.description) lines.push('', wrap(definition.description, 108, ''));
  lines.push('', 'Options:');
  for (const [key, spec] of entries) {
    let text = spec.description;
    if (spec.kind !== 'switch' && spec.required) text += ' (required)';
    if (spec.kind === 'value' && spec.default !== undefined) text += ` (default: ${spec.default})`;
    lines.push(describe(label(key), text));
  }
  lines.push(describe('-h, --help', 'show this help'));
  if (definition.examples.length > 0) {
    lines.push('', 'Examples:', ...definition.examples.map((e) => `  ${e}`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Turns a command definition into a {@link Command}: flags parsed and validated with their zod schemas,
 * `--help` generated from the specs, cross-flag checks applied, then `run`.
 */
export function defineCommand<S extends FlagSpecs>(definition: CommandDefinition<S>): Command {
  return {
    name: definition.name,
    summary: definition.summary,
    help: () => formatCommandHelp(definition),
    async execute(argv, context) {
      const parsed = await parseFlags(definition.flags, argv, { cwd: context.io.cwd });
      if (parsed.help) {
        context.io.stdout.write(formatCommandHelp(definition));
        return 0;
      }
      const problem = definition.check?.(parsed.values);
      if (problem !== undefined) throw new UsageError(problem);
      return (await definition.run(parsed.values, context)) ?? 0;
    },
  };
}
