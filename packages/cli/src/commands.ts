import type { Command } from './command.js';
import { checkDataCommand } from './commands/check-data.js';
import { ensembleCommand } from './commands/ensemble.js';
import { evaluateCommand } from './commands/evaluate.js';
import { retrieveCommand } from './commands/retrieve.js';
import { thresholdsCommand } from './commands/thresholds.js';

/**
 * Every `topk` subcommand, in the order `topk` lists them. A new command is one file under
 * `src/commands/` exporting a {@link defineCommand} result, plus its line here.
 */
export const COMMANDS: readonly Command[] = Object.freeze([
  checkDataCommand,
  evaluateCommand,
  ensembleCommand,
  thresholdsCommand,
  retrieveCommand,
]);
