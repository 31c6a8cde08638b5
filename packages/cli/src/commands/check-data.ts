import { displayPath } from '../cli-files.js';
import { defineCommand } from '../command.js';
import { existingPath, switchFlag, valueFlag, workersFlag } from '../flags.js';
import { loadDataset } from '../load-dataset.js';
import { createProgressBar } from '../progress-bar.js';

/** `topk check-data`: decode every image once and report what is used and what is quarantined. */
export const checkDataCommand = defineCommand({
  name: 'check-data',
  summary: 'decode every image of a dataset once; report used and quarantined files',
  description:
    'Each listed image is decoded fully, so truncated JPEGs, HTML saved as .jpg, empty files and dead links are found before training rather than in the middle of it. Bad files are set aside with a reason (missing, unreadable, empty, not-an-image, truncated, too-large, decode-error), never silently dropped: used + quarantined = listed.',
  flags: {
    data: valueFlag(existingPath('any'), {
      valueName: 'D',
      required: true,
      description:
        'a folder of class folders, a CSV (id,label or id,labels with space-separated labels; ids are image paths) or an IDX images file',
    }),
    root: valueFlag(existingPath('directory'), {
      valueName: 'DIR',
      description: "CSV only: the folder image paths are relative to (default: the CSV's folder)",
    }),
    workers: workersFlag('decoding threads, 0 to decode in this thread (default: cores - 1, at most 4)'),
    strict: switchFlag('exit with code 1 when any file is quarantined'),
    json: switchFlag('print the report as JSON on stdout'),
  },
  examples: [
    'topk check-data --data data/train',
    'topk check-data --data train.csv --root images --json > check.json',
  ],
  async run(flags, { io }) {
    const loaded = await loadDataset(flags.data, {
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    const { dataset } = loaded;
    const { checkDataset } = await import('@topk/data-pipeline');
    const bar = createProgressBar(io.stderr, { label: 'checking', total: dataset.items.length, now: io.now });
    const report = await checkDataset(dataset, {
      onProgress: (done) => bar.update(done),
      ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
    });
    bar.finish();

    const classes = dataset.vocabulary?.names ?? [];
    const perClass = new Array<number>(classes.length).fill(0);
    for (const item of report.dataset.items) {
      for (const label of item.labels ?? (item.label !== undefined ? [item.label] : [])) perClass[label]!++;
    }
    const shownData = displayPath(io.cwd, loaded.path);
    if (flags.json) {
      const json = {
        data: shownData,
        format: loaded.format,
        multiLabel: dataset.multiLabel,
        classes,
        listed: report.listed,
        used: report.used,
        quarantined: report.quarantined,
        counts: report.counts,
        usedPerClass: Object.fromEntries(classes.map((name, i) => [name, perClass[i]!])),
        ignored: loaded.ignored.map((path) => displayPath(io.cwd, path)),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    } else {
      const kind = dataset.vocabulary
        ? `${classes.length} classes, ${dataset.multiLabel ? 'multi-label' : 'single-label'}`
        : 'unlabelled';
      const lines = [
        `${shownData} (${loaded.format}, ${kind})`,
        `listed ${report.listed} images: ${report.used.length} used, ${report.quarantined.length} quarantined`,
      ];
      if (classes.length > 0) {
        const width = Math.max(...classes.map((c) => c.length));
        lines.push('used per class:', ...classes.map((name, i) => `  ${name.padEnd(width)}  ${perClass[i]}`));
      }
      if (report.quarantined.length > 0) {
        const codes = Object.entries(report.counts).filter(([, count]) => count > 0);
        lines.push(`quarantined by reason: ${codes.map(([code, count]) => `${code} ${count}`).join(', ')}`);
        for (const bad of report.quarantined) {
          const where = bad.path !== undefined ? displayPath(io.cwd, bad.path) : bad.id;
          lines.push(`  ${bad.code.padEnd(12)}  ${where}  ${bad.reason}`);
        }
      }
      if (loaded.ignored.length > 0) {
        lines.push(`not listed (not images, or outside class folders): ${loaded.ignored.length}`);
        for (const path of loaded.ignored) lines.push(`  ${displayPath(io.cwd, path)}`);
      }
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return flags.strict && report.quarantined.length > 0 ? 1 : 0;
  },
});
