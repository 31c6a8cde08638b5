import { displayPath, rethrowAsUsage, writeOutputFile } from '../cli-files.js';
import { defineCommand } from '../command.js';
import { existingPath, integerValue, listFlag, outputPath, switchFlag, valueFlag } from '../flags.js';
import { loadDataset } from '../load-dataset.js';
import { UsageError } from '../usage-error.js';

async function readEmbeddingsFlag(flag: string, path: string, cwd: string) {
  // Loaded on use: @topk/cluster brings in bullmq, which other commands do not need.
  const { readEmbeddingsFile } = await import('@topk/cluster');
  return rethrowAsUsage(flag, path, cwd, () => readEmbeddingsFile(path));
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** `topk retrieve`: top-k nearest references of each query by cosine similarity. */
export const retrieveCommand = defineCommand({
  name: 'retrieve',
  summary: 'top-k nearest references of each query embedding by cosine similarity, with MAP@k given labels',
  description:
    "Reads two embeddings files (topk embed writes them; the layout is in the README) and searches each query among the references exactly (blocked SIMD matrix product). With --labels covering the references and the queries, prints MAP@k (Kaggle), precision@1 and MAP@R; a reference is relevant when it has the query's label.",
  flags: {
    index: valueFlag(existingPath('file'), {
      valueName: 'FILE',
      required: true,
      description: 'reference embeddings (.bin)',
    }),
    query: valueFlag(existingPath('file'), {
      valueName: 'FILE',
      required: true,
      description: 'query embeddings (.bin); may be the index itself with --exclude-self',
    }),
    k: valueFlag(integerValue({ min: 1, max: 100_000 }), {
      valueName: 'N',
      default: '20',
      description: 'neighbours per query',
    }),
    labels: listFlag(existingPath('any'), {
      valueName: 'D',
      description: 'labels of the ids (class folders, or CSV id,label), one or more sources merged',
    }),
    excludeSelf: switchFlag("skip each query's own id among the references"),
    out: valueFlag(outputPath(), {
      valueName: 'FILE',
      description: 'write the neighbours as CSV query,rank,reference,score[,label]',
    }),
    json: switchFlag('print metrics (and the neighbours without --out) as JSON on stdout'),
  },
  examples: [
    'topk retrieve --index train.bin --query test.bin --k 20 --out neighbours.csv',
    'topk retrieve --index train.bin --query train.bin --exclude-self --k 5 --labels train.csv',
  ],
  async run(flags, { io }) {
    const { CosineKnnIndex, evaluateRetrieval } = await import('@topk/ensembling');
    const references = await readEmbeddingsFlag('--index', flags.index, io.cwd);
    const queries = await readEmbeddingsFlag('--query', flags.query, io.cwd);
    if (references.ids.length === 0)
      throw new UsageError(`--index ${displayPath(io.cwd, flags.index)}: holds no embeddings`, {
        hint: false,
      });
    if (queries.dim !== references.dim) {
      throw new UsageError(
        `--query ${displayPath(io.cwd, flags.query)}: vectors of dimension ${queries.dim}, but --index has ${references.dim}`,
        { hint: false },
      );
    }
    const labelOf = new Map<string, string>();
    for (const path of flags.labels ?? []) {
      const { dataset } = await loadDataset(path, { flag: '--labels', cwd: io.cwd });
      const names = dataset.vocabulary?.names;
      if (names === undefined || dataset.multiLabel) {
        throw new UsageError(
          `--labels ${displayPath(io.cwd, path)}: needs one label per id (id,label or class folders)`,
          { hint: false },
        );
      }
      for (const item of dataset.items) {
        const name = names[item.label!]!;
        const previous = labelOf.get(item.id);
        if (previous !== undefined && previous !== name) {
          throw new UsageError(
            `--labels: id ${JSON.stringify(item.id)} is labelled both ${JSON.stringify(previous)} and ${JSON.stringify(name)}`,
            { hint: false },
          );
        }
        labelOf.set(item.id, name);
      }
    }
    const index = new CosineKnnIndex(references);
    const result = index.search(queries, { k: flags.k, excludeSameId: flags.excludeSelf });
    const referenceLabels = flags.labels ? references.ids.map((id) => labelOf.get(id)) : undefined;
    const queryLabels = flags.labels ? queries.ids.map((id) => labelOf.get(id)) : undefined;
    const unlabelledRefs = referenceLabels?.filter((l) => l === undefined).length ?? 0;
    const unlabelledQueries = queryLabels?.filter((l) => l === undefined).length ?? 0;
    if (flags.labels && unlabelledRefs > 0) {
      const first = references.ids.find((id) => !labelOf.has(id));
      throw new UsageError(
        `--labels: no label for ${unlabelledRefs} of the ${references.ids.length} --index ids (${JSON.stringify(first)}, ...)`,
        { hint: false },
      );
    }
    const metrics =
      queryLabels && referenceLabels && unlabelledQueries === 0 && result.k > 0
        ? evaluateRetrieval(index, queries, queryLabels as string[], referenceLabels as string[], {
            k: result.k,
            excludeSameId: flags.excludeSelf,
          })
        : undefined;

    const neighbours = queries.ids.map((_query, q) =>
      Array.from({ length: result.k }, (_, r) => {
        const ref = result.indices[q * result.k + r]!;
        const id = references.ids[ref]!;
        const label = referenceLabels?.[ref];
        return {
          id,
          score: Number(result.scores[q * result.k + r]!.toPrecision(7)),
          ...(label !== undefined ? { label } : {}),
        };
      }),
    );
    if (flags.out !== undefined) {
      const lines = [`query,rank,reference,score${referenceLabels ? ',label' : ''}`];
      neighbours.forEach((list, q) => {
        list.forEach((n, r) => {
          const fields = [csvField(queries.ids[q]!), String(r + 1), csvField(n.id), n.score.toFixed(6)];
          if (referenceLabels) fields.push(csvField(n.label!));
          lines.push(fields.join(','));
        });
      });
      await writeOutputFile(flags.out, `${lines.join('\n')}\n`);
    }
    const summary = {
      queries: queries.ids.length,
      references: references.ids.length,
      dim: references.dim,
      k: result.k,
      excludeSelf: flags.excludeSelf,
      kernel: index.kernel,
    };
    if (flags.json) {
      const json = {
        ...summary,
        ...(metrics ? { metrics } : {}),
        ...(flags.labels && !metrics
          ? { note: `${unlabelledQueries} query ids have no label: no metrics` }
          : {}),
        ...(flags.out !== undefined
          ? { out: displayPath(io.cwd, flags.out) }
          : { neighbours: queries.ids.map((query, q) => ({ query, neighbours: neighbours[q]! })) }),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    const lines = [
      `${summary.queries} queries against ${summary.references} references (dim ${summary.dim}), top ${summary.k}${flags.excludeSelf ? ', own id excluded' : ''}`,
    ];
    if (metrics) {
      lines.push(
        `MAP@${metrics.k}        ${metrics.mapAtK.toFixed(4)}`,
        `precision@1   ${metrics.precisionAt1.toFixed(4)}`,
        `MAP@R         ${metrics.mapAtR === null ? 'n/a' : metrics.mapAtR.toFixed(4)}`,
        `queries scored ${metrics.queries}, without any relevant reference ${metrics.queriesWithoutMatch}`,
      );
    } else if (flags.labels) lines.push(`no metrics: ${unlabelledQueries} query ids have no label`);
    if (flags.out !== undefined) lines.push(`written ${displayPath(io.cwd, flags.out)}`);
    else {
      neighbours.forEach((list, q) => {
        const shown = list.map(
          (n) => `${n.id}${n.label !== undefined ? ` [${n.label}]` : ''} ${n.score.toFixed(4)}`,
        );
        lines.push(`${queries.ids[q]}: ${shown.join(', ')}`);
      });
    }
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
