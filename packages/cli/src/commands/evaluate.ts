import { basename } from 'node:path';
import { alignLabels } from '../align-labels.js';
import { displayPath, readFlagFile, writeOutputFile } from '../cli-files.js';
import { defineCommand } from '../command.js';
import { existingPath, integerValue, outputPath, switchFlag, valueFlag } from '../flags.js';
import type { ReportExample, ReportMetric } from '../html-report.js';
import { loadDataset } from '../load-dataset.js';
import { readPredictionFile } from '../prediction-file.js';
import { createProgressBar } from '../progress-bar.js';
import { type HistoryRow, readHistory } from '../read-history.js';
import { UsageError } from '../usage-error.js';

/** `topk evaluate`: metrics, a classification report and an HTML report for a prediction CSV. */
export const evaluateCommand = defineCommand({
  name: 'evaluate',
  summary: 'metrics and classification report of a prediction CSV; optional self-contained HTML report',
  description:
    'Single-label labels (class folders or CSV id,label): accuracy, top-5 accuracy, log-loss, macro-F1, the classification report (as scikit-learn prints it), the confusion matrix, the most confused pairs and the top losses. Multi-label labels (CSV id,labels): decisions p >= threshold (0.5, or per class from --thresholds), micro- and macro-F1, binary log-loss and the report. --report writes one HTML file with the training curves (--run), the confusion matrix, per-class metrics and the top losses with thumbnails.',
  flags: {
    preds: valueFlag(existingPath('file'), {
      valueName: 'CSV',
      required: true,
      description: 'predictions (id,<class 1>,...)',
    }),
    labels: valueFlag(existingPath('any'), {
      valueName: 'D',
      required: true,
      description:
        'the true labels: a folder of class folders, or a CSV id,label / id,labels (ids as in --preds)',
    }),
    root: valueFlag(existingPath('directory'), {
      valueName: 'DIR',
      description:
        "CSV --labels: the folder image paths are relative to, for thumbnails (default: the CSV's folder)",
    }),
    thresholds: valueFlag(existingPath('file'), {
      valueName: 'FILE',
      description: 'multi-label: per-class thresholds from topk thresholds',
    }),
    report: valueFlag(outputPath(), { valueName: 'FILE', description: 'write a self-contained HTML report' }),
    run: valueFlag(existingPath('directory'), {
      valueName: 'RUN_DIR',
      description: "a training run: its history.jsonl gives the report's training curves",
    }),
    topLosses: valueFlag(integerValue({ min: 0, max: 1000 }), {
      valueName: 'N',
      default: '16',
      description: 'rows listed as top losses',
    }),
    json: switchFlag('print the metrics as JSON on stdout'),
  },
  examples: [
    'topk evaluate --preds preds.csv --labels data/valid',
    'topk evaluate --preds preds.csv --labels data/valid --run runs/resnet34 --report report.html',
    'topk evaluate --preds valid-preds.csv --labels valid.csv --thresholds thresholds.json --json',
  ],
  async run(flags, { io }) {
    const th = await import('@topk/thresholding');
    const table = await readPredictionFile('--preds', flags.preds, io.cwd);
    const loaded = await loadDataset(flags.labels, {
      flag: '--labels',
      cwd: io.cwd,
      ...(flags.root !== undefined ? { root: flags.root } : {}),
    });
    const aligned = alignLabels(table, loaded, { preds: '--preds', labels: '--labels' }, io.cwd);
    if (flags.thresholds !== undefined && !aligned.multiLabel) {
      throw new UsageError('--thresholds applies to multi-label --labels (CSV id,labels)');
    }
    const history: HistoryRow[] | undefined =
      flags.run !== undefined ? await readHistory(flags.run, displayPath(io.cwd, flags.run)) : undefined;
    const n = table.ids.length;
    const c = table.classes.length;
    const classes = table.classes;

    const metrics: ReportMetric[] = [];
    let report: ReturnType<typeof th.classificationReport>;
    let confusion: Float64Array | undefined;
    let mostConfused: ReturnType<typeof th.mostConfused> | undefined;
    let losses: Omit<ReportExample, 'thumbnail'>[];
    let rows: readonly number[];
    let decisionRule: string | undefined;
    if (aligned.labels !== undefined) {
      const labels = aligned.labels;
      const predicted = th.predictedClasses(table);
      const outcomes = th.countOutcomes(labels, predicted, c);
      report = th.classificationReport(outcomes, classes);
      metrics.push({ key: 'accuracy', name: 'accuracy', value: th.accuracy(table, labels) });
      if (c > 5)
        metrics.push({
          key: 'top5Accuracy',
          name: 'top-5 accuracy',
          value: th.topKAccuracy(table, labels, 5),
        });
      metrics.push(
        { key: 'logLoss', name: 'log-loss', value: th.logLoss(table, labels) },
        { key: 'macroF1', name: 'macro F1', value: report.macroAvg.f1 },
      );
      confusion = th.confusionMatrix(labels, predicted, c).values;
      mostConfused = th.mostConfused(table, labels).slice(0, 20);
      const top = th.topLosses(table, labels, { k: Math.min(flags.topLosses, n) });
      rows = top.map((t) => t.row);
      losses = top.map((t) => ({
        id: t.id,
        actual: t.actual,
        predicted: t.predicted,
        probability: t.actualProbability,
        loss: t.loss,
      }));
    } else {
      const rule =
        flags.thresholds !== undefined
          ? await readFlagFile('--thresholds', flags.thresholds, io.cwd, (text) => {
              let json: unknown;
              try {
                json = JSON.parse(text);
              } catch (error) {
                throw new UsageError(
                  `--thresholds ${displayPath(io.cwd, flags.thresholds!)}: not JSON (${(error as Error).message})`,
                  { hint: false },
                );
              }
              return th.thresholdsFromJSON(json);
            })
          : 0.5;
      decisionRule =
        typeof rule === 'number'
          ? 'A class is predicted when its probability is at least 0.5.'
          : `Per-class thresholds from ${basename(flags.thresholds!)}${rule.atLeastOne ? ', at least one label per row' : ''}.`;
      const decisions = th.applyThresholds(table, rule);
      const outcomes = th.countMultiLabelOutcomes(aligned.targets, decisions, c);
      report = th.classificationReport(outcomes, classes);
      metrics.push(
        { key: 'microF1', name: 'micro F1', value: th.f1Score(outcomes, 'micro') },
        { key: 'macroF1', name: 'macro F1', value: th.f1Score(outcomes, 'macro') },
        { key: 'binaryLogLoss', name: 'binary log-loss', value: th.binaryLogLoss(table, aligned.targets) },
      );
      // Per-row mean binary cross-entropy, clipped as binaryLogLoss clips.
      const eps = 1e-15;
      const rowLoss = Float64Array.from({ length: n }, (_, i) => {
        let sum = 0;
        for (let j = 0; j < c; j++) {
          const p = Math.min(1 - eps, Math.max(eps, table.probs[i * c + j]!));
          sum -= aligned.targets[i * c + j] ? Math.log(p) : Math.log(1 - p);
        }
        return sum / c;
      });
      rows = Array.from({ length: n }, (_, i) => i)
        .sort((a, b) => rowLoss[b]! - rowLoss[a]! || a - b)
        .slice(0, flags.topLosses);
      const names = (i: number, values: ArrayLike<number>) =>
        classes.filter((_, j) => values[i * c + j]! > 0).join(' ') || '(none)';
      losses = rows.map((i) => {
        let p = 0;
        for (let j = 0; j < c; j++)
          p += aligned.targets[i * c + j] ? table.probs[i * c + j]! : 1 - table.probs[i * c + j]!;
        return {
          id: table.ids[i]!,
          actual: names(i, aligned.targets),
          predicted: names(i, decisions),
          probability: p / c,
          loss: rowLoss[i]!,
        };
      });
    }

    if (flags.report !== undefined) {
      const { renderHtmlReport } = await import('../html-report.js');
      const { thumbnailDataUri } = await import('../thumbnail.js');
      const bar = createProgressBar(io.stderr, { label: 'thumbnails', total: rows.length, now: io.now });
      const examples: ReportExample[] = [];
      for (const [k, row] of rows.entries()) {
        const thumbnail = await thumbnailDataUri(aligned.sources[row]!);
        examples.push({ ...losses[k]!, ...(thumbnail !== undefined ? { thumbnail } : {}) });
        bar.update(k + 1);
      }
      bar.finish();
      const html = renderHtmlReport({
        title: `topk evaluate: ${basename(flags.preds)}`,
        sources: {
          predictions: displayPath(io.cwd, flags.preds),
          labels: displayPath(io.cwd, flags.labels),
          ...(flags.run !== undefined ? { run: displayPath(io.cwd, flags.run) } : {}),
        },
        multiLabel: aligned.multiLabel,
        rows: n,
        classes,
        metrics,
        classificationReport: report,
        ...(confusion ? { confusion } : {}),
        ...(mostConfused ? { mostConfused } : {}),
        ...(history ? { history } : {}),
        topLosses: examples,
        ...(decisionRule ? { decisionRule } : {}),
      });
      await writeOutputFile(flags.report, html);
    }

    if (flags.json) {
      const json = {
        predictions: displayPath(io.cwd, flags.preds),
        labels: displayPath(io.cwd, flags.labels),
        rows: n,
        classes,
        multiLabel: aligned.multiLabel,
        unpredictedLabels: aligned.unpredicted,
        metrics: Object.fromEntries(metrics.map((m) => [m.key, m.value])),
        classificationReport: report,
        ...(confusion
          ? {
              confusionMatrix: Array.from({ length: c }, (_, i) =>
                Array.from(confusion.subarray(i * c, (i + 1) * c)),
              ),
            }
          : {}),
        ...(mostConfused ? { mostConfused } : {}),
        topLosses: losses,
        ...(flags.report !== undefined ? { report: displayPath(io.cwd, flags.report) } : {}),
      };
      io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      return 0;
    }
    const width = Math.max(...metrics.map((m) => m.name.length));
    const lines = [
      `${displayPath(io.cwd, flags.preds)}: ${n} rows, ${c} classes, ${aligned.multiLabel ? 'multi-label' : 'single-label'}`,
      ...metrics.map((m) => `${m.name.padEnd(width)}  ${m.value.toFixed(4)}`),
    ];
    if (decisionRule) lines.push(decisionRule);
    lines.push('', th.formatClassificationReport(report, { digits: 4 }).trimEnd());
    if (confusion && c <= 20) {
      lines.push('', 'confusion matrix (rows: actual, columns: predicted):');
      lines.push(
        th.formatConfusionMatrix({ numClasses: c, normalize: 'none', values: confusion }, classes).trimEnd(),
      );
    }
    if (mostConfused && mostConfused.length > 0) {
      lines.push('', 'most confused (actual -> predicted: count):');
      for (const pair of mostConfused.slice(0, 10))
        lines.push(`  ${pair.actual} -> ${pair.predicted}: ${pair.count}`);
    }
    if (losses.length > 0) {
      lines.push('', 'top losses:');
      for (const l of losses.slice(0, 10)) {
        lines.push(
          `  ${l.loss.toFixed(3)}  ${l.id}  actual ${l.actual}, predicted ${l.predicted}, p(actual) ${l.probability.toFixed(3)}`,
        );
      }
    }
    if (aligned.unpredicted > 0)
      lines.push('', `note: ${aligned.unpredicted} labelled ids have no prediction`);
    if (flags.report !== undefined) lines.push('', `report written to ${displayPath(io.cwd, flags.report)}`);
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
});
