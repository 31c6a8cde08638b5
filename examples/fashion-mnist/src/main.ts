/**
 * The full competition recipe on Fashion-MNIST: per-image augmentation, mixup, one-cycle or SGDR, three
 * members on two backbones, flip TTA and a mean ensemble. Run with `npm start` in this folder (flags after
 * `--`, see `--help`).
 */
import { pathToFileURL } from 'node:url';
import { type CliOptions, parseArgs, USAGE } from './args.js';
import { loadFashionMnist } from './data.js';
import { runRecipe } from './pipeline.js';
import { resolveMembers } from './recipe.js';

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    // A bad flag is the user's mistake, not a crash: the message and the usage, no stack.
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
  } else {
    const data = await loadFashionMnist(options.dataDir, options.limit, options.seed);
    await runRecipe({
      data,
      members: resolveMembers(options.members),
      ...(options.epochs === undefined ? {} : { epochs: options.epochs }),
      size: options.size,
      batchSize: options.batchSize,
      seed: options.seed,
      out: options.out,
    });
  }
}
