import { readFileSync } from 'node:fs';
import type { CliIo } from './cli-io.js';
import type { Command } from './command.js';
import { COMMANDS } from './commands.js';
import { didYouMean } from './did-you-mean.js';
import { USAGE_EXIT_CODE, UsageError } from './usage-error.js';

function version(): string {
  const json = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return json.version;
}

/** The text `topk` prints without arguments: what it is and the command list. */
export function formatCommandList(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'topk: competition-grade image classification on TensorFlow.js',
    '',
    'Usage: topk <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'topk <command> --help' for a command's options, 'topk --version' for the version.",
    '',
  ].join('\n');
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  /** The commands to dispatch to. @defaultValue {@link COMMANDS} */
  readonly commands?: readonly Command[];
}

/**
 * Runs `topk` with `argv` (without the node and script paths) and resolves to the exit code: 0 on
 * success, 2 for a usage error (bad flag, value, path or input file; one line on stderr naming it), 1
 * for any other failure (one line; the stack too with `TOPK_DEBUG=1`). Never throws, never exits the
 * process.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  options: RunCliOptions = {},
): Promise<number> {
  const { commands = COMMANDS } = options;
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout.write(formatCommandList(commands));
    return 0;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const names = commands.map((c) => c.name);
  if (first === 'help') {
    const target = rest[0];
    if (target === undefined) {
      io.stdout.write(formatCommandList(commands));
      return 0;
    }
    const command = commands.find((c) => c.name === target);
    if (command === undefined) {
      io.stderr.write(
        `topk: unknown command ${JSON.stringify(target)}${didYouMean(target, names)}; run 'topk' for the list\n`,
      );
      return USAGE_EXIT_CODE;
    }
    io.stdout.write(command.help());
    return 0;
  }
  const command = commands.find((c) => c.name === first);
  if (command === undefined) {
    io.stderr.write(
      `topk: unknown command ${JSON.stringify(first)}${didYouMean(first, names)}; run 'topk' for the list\n`,
    );
    return USAGE_EXIT_CODE;
  }
  try {
    return await command.execute(rest, { io });
  } catch (error) {
    if (error instanceof UsageError) {
      const hint = error.hint ? ` (see 'topk ${command.name} --help')` : '';
      io.stderr.write(`topk ${command.name}: ${oneLine(error.message)}${hint}\n`);
      return USAGE_EXIT_CODE;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`topk ${command.name}: ${oneLine(message)}\n`);
    if (io.env.TOPK_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}
