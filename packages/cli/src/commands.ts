import type { Command } from './command.js';
import { checkDataCommand } from './commands/check-data.js';
import { clusterCommand } from './commands/cluster.js';
import { demoCommand } from './commands/demo.js';
import { embedCommand } from './commands/embed.js';
import { ensembleCommand } from './commands/ensemble.js';
import { evaluateCommand } from './commands/evaluate.js';
import { findLrCommand } from './commands/find-lr.js';
import { predictCommand } from './commands/predict.js';
import { retrieveCommand } from './commands/retrieve.js';
import { thresholdsCommand } from './commands/thresholds.js';
import { trainCommand } from './commands/train.js';
import { workerCommand } from './commands/worker.js';

/**
 * Every `topk` subcommand, in the order `topk` lists them. A new command is one file under
 * `src/commands/` exporting a {@link defineCommand} result, plus its line here.
 */
export const COMMANDS: readonly Command[] = Object.freeze([
  demoCommand,
  checkDataCommand,
  findLrCommand,
  trainCommand,
  predictCommand,
  embedCommand,
  evaluateCommand,
  ensembleCommand,
  thresholdsCommand,
  retrieveCommand,
  workerCommand,
  clusterCommand,
]);
