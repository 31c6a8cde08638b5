import type { Command } from './command.js';
import { checkDataCommand } from './commands/check-data.js';
import { demoCommand } from './commands/demo.js';
import { ensembleCommand } from './commands/ensemble.js';
import { evaluateCommand } from './commands/evaluate.js';
import { predictCommand } from './commands/predict.js';
import { retrieveCommand } from './commands/retrieve.js';
import { thresholdsCommand } from './commands/thresholds.js';
import { trainCommand } from './commands/train.js';

/**
 * Every `topk` subcommand, in the order `topk` lists them. A new command is one file under
 * `src/commands/` exporting a {@link defineCommand} result, plus its line here.
 */
export const COMMANDS: readonly Command[] = Object.freeze([
  demoCommand,
  checkDataCommand,
  trainCommand,
  predictCommand,
  evaluateCommand,
  ensembleCommand,
  thresholdsCommand,
  retrieveCommand,
]);
