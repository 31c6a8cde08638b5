import type { ClassificationReport, ClassificationReportRow, ConfusedPair } from '@topk/thresholding';
import type { HistoryRow } from './read-history.js';
import { type ChartSeries, lineChartSvg } from './svg-line-chart.js';

/** A headline number of the report. */
export interface ReportMetric {
  /** Machine name, the key in `--json` output (`accuracy`, `logLoss`, `macroF1`). */
  readonly key: string;
  /** Shown name (`log-loss`). */
  readonly name: string;
  readonly value: number;
}

/** One of the worst-predicted rows, with its image. */
export interface ReportExample {
  readonly id: string;
  /** The true class(es). */
  readonly actual: string;
  /** The predicted class(es). */
  readonly predicted: string;
  /** The probability the model gave the true class (single-label), or the row's mean for multi-label. */
  readonly probability: number;
  readonly loss: number;
  /** A `data:` URI (see {@link thumbnailDataUri}); absent when the image could not be read. */
  readonly thumbnail?: string;
}

/** Everything {@link renderHtmlReport} shows. */
export interface HtmlReportInput {
  readonly title: string;
  /** Where the numbers come from: shown under the title. */
  readonly sources: Readonly<Record<string, string>>;
  readonly multiLabel: boolean;
  readonly rows: number;
  readonly classes: readonly string[];
  readonly metrics: readonly ReportMetric[];
  readonly classificationReport: ClassificationReport;
  /** Single-label: counts, row-major classes × classes, row = true class. */
  readonly confusion?: ArrayLike<number>;
  readonly mostConfused?: readonly ConfusedPair[];
  /** Epochs of the training run, for the curves. */
  readonly history?: readonly HistoryRow[];
  /** Highest-loss rows first. */
  readonly topLosses: readonly ReportExample[];
  /** A line on how multi-label decisions were made (thresholds). */
  readonly decisionRule?: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fixed(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

const STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #f6f7f9; }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 12px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.sources { color: var(--muted); margin: 0; padding: 0; list-style: none; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 140px; }
.card .name { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 22px; font-variant-numeric: tabular-nums; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { background: #fff; border: 1px solid var(--line); border-radius: 6px; }
.chart .grid { stroke: #eceef2; } .chart .frame { fill: none; stroke: #b8bfcc; }
.chart .tick, .chart .legend, .chart .axis-label { font-size: 11px; fill: var(--muted); }
.chart .chart-title { font-size: 14px; font-weight: 600; fill: var(--fg); }
table { border-collapse: collapse; background: #fff; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: right; }
th { background: #eef0f4; font-weight: 600; }
td.name, th.name { text-align: left; }
.bar { display: inline-block; height: 8px; background: var(--accent); border-radius: 2px; vertical-align: middle; }
.scroll { overflow-x: auto; max-width: 100%; }
table.confusion td.cm-cell { min-width: 36px; text-align: center; }
table.confusion th.pred { writing-mode: vertical-rl; transform: rotate(180deg); text-align: left; white-space: nowrap; }
table.confusion th.actual { text-align: left; white-space: nowrap; }
table.confusion td.diagonal { font-weight: 700; }
button { font: inherit; padding: 4px 10px; margin-bottom: 8px; cursor: pointer; }
.losses { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 12px; }
.loss { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; margin: 0; }
.loss img, .loss .missing { display: block; width: 96px; height: 96px; margin: 0 auto 6px; object-fit: contain; image-rendering: pixelated; background: #fafafa; }
.loss .missing { border: 1px dashed var(--line); color: var(--muted); font-size: 11px; text-align: center; padding-top: 38px; }
.loss figcaption { font-size: 12px; overflow-wrap: anywhere; }
.loss .wrong { color: #c0392b; } .muted { color: var(--muted); }
`;

const SCRIPT = `
(function () {
  var button = document.getElementById('cm-toggle');
  if (!button) return;
  var percent = false;
  button.addEventListener('click', function () {
    percent = !percent;
    document.querySelectorAll('td.cm-cell').forEach(function (cell) {
      cell.textContent = percent ? (Number(cell.dataset.rowShare) * 100).toFixed(1) + '%' : cell.dataset.count;
    });
    button.textContent = percent ? 'show counts' : 'show row percentages';
  });
})();
`;

function historyCharts(history: readonly HistoryRow[]): string {
  const keys: string[] = [];
  for (const row of history)
    for (const key of Object.keys(row.values)) if (!keys.includes(key)) keys.push(key);
  const skip = /^(step|steps|time|seconds|duration|elapsed)$|_time$|_seconds$/;
  const isLr = (key: string) => key === 'lr' || key === 'learning_rate' || key.endsWith('_lr');
  const groups = [
    { title: 'Loss', keys: keys.filter((k) => /loss/.test(k)), logY: false },
    { title: 'Metrics', keys: keys.filter((k) => !/loss/.test(k) && !isLr(k) && !skip.test(k)), logY: false },
    { title: 'Learning rate', keys: keys.filter(isLr), logY: true },
  ].filter((g) => g.keys.length > 0);
  return groups
    .map((group) => {
      const series: ChartSeries[] = group.keys.map((key) => ({
        name: key,
        points: history
          .filter((row) => key in row.values)
          .map((row) => [row.epoch, row.values[key]!] as const),
      }));
      return lineChartSvg({ title: group.title, series, logY: group.logY });
    })
    .join('\n');
}

function averageRow(name: string, row: ClassificationReportRow): string {
  return `<tr><th class="name">${escapeHtml(name)}</th><td>${fixed(row.precision)}</td><td>${fixed(row.recall)}</td><td>${fixed(row.f1)}</td><td>${row.support}</td><td></td></tr>`;
}

function confusionTable(classes: readonly string[], counts: ArrayLike<number>): string {
  const c = classes.length;
  const head = classes
    .map((name) => `<th class="pred" title="predicted ${escapeHtml(name)}">${escapeHtml(name)}</th>`)
    .join('');
  const body = classes
    .map((name, i) => {
      let total = 0;
      for (let j = 0; j < c; j++) total += counts[i * c + j]!;
      const cells = classes
        .map((other, j) => {
          const count = counts[i * c + j]!;
          const share = total > 0 ? count / total : 0;
          const rgb = i === j ? '31,119,180' : '214,39,40';
          const alpha = count === 0 ? 0 : 0.08 + 0.82 * share;
          const text = alpha > 0.55 ? ';color:#fff' : '';
          return `<td class="cm-cell${i === j ? ' diagonal' : ''}" data-count="${count}" data-row-share="${share}" title="actual ${escapeHtml(name)}, predicted ${escapeHtml(other)}: ${count}" style="background-color:rgba(${rgb},${alpha.toFixed(3)})${text}">${count}</td>`;
        })
        .join('');
      return `<tr><th class="actual">${escapeHtml(name)}</th>${cells}</tr>`;
    })
    .join('\n');
  return `<button type="button" id="cm-toggle">show row percentages</button>
<div class="scroll"><table class="confusion"><thead><tr><th class="name">actual \\ predicted</th>${head}</tr></thead><tbody>
${body}
</tbody></table></div>`;
}

/**
 * The `topk evaluate --report` page: one self-contained HTML file (inline CSS, inline SVG charts, images
 * as `data:` URIs, one small inline script; no request leaves the page) with the headline metrics, the
 * training curves, the confusion matrix (counts or row percentages), per-class metrics, the most confused
 * pairs and the top losses with thumbnails.
 */
export function renderHtmlReport(input: HtmlReportInput): string {
  const report = input.classificationReport;
  const sections: string[] = [];
  sections.push(
    `<header><h1>${escapeHtml(input.title)}</h1><ul class="sources">${Object.entries(input.sources)
      .map(([name, value]) => `<li>${escapeHtml(name)}: <code>${escapeHtml(value)}</code></li>`)
      .join(
        '',
      )}<li>${input.rows} rows, ${input.classes.length} classes, ${input.multiLabel ? 'multi-label' : 'single-label'}</li></ul>
<div class="cards">${input.metrics
      .map(
        (m) =>
          `<div class="card metric"><div class="name">${escapeHtml(m.name)}</div><div class="value">${fixed(m.value)}</div></div>`,
      )
      .join(
        '',
      )}</div>${input.decisionRule ? `<p class="muted">${escapeHtml(input.decisionRule)}</p>` : ''}</header>`,
  );
  sections.push(
    `<section id="curves"><h2>Training curves</h2>${
      input.history && input.history.length > 0
        ? `<div class="charts">${historyCharts(input.history)}</div>`
        : '<p class="muted">No run history: pass <code>--run RUN_DIR</code> to plot the training curves.</p>'
    }</section>`,
  );
  if (input.confusion) {
    sections.push(
      `<section id="confusion"><h2>Confusion matrix</h2><p class="muted">Rows: true class; columns: predicted class.</p>${confusionTable(input.classes, input.confusion)}</section>`,
    );
  }
  const maxSupport = Math.max(1, ...report.classes.map((c) => c.support));
  const classRows = report.classes
    .map(
      (c) =>
        `<tr class="class-row"><th class="name">${escapeHtml(c.name)}</th><td>${fixed(c.precision)}</td><td>${fixed(c.recall)}</td><td>${fixed(c.f1)}</td><td>${c.support}</td><td class="name"><span class="bar" style="width:${Math.round(c.f1 * 120)}px" title="F1 ${fixed(c.f1)}"></span> <span class="bar" style="width:${Math.round((c.support / maxSupport) * 60)}px;background:#b8bfcc" title="support ${c.support}"></span></td></tr>`,
    )
    .join('\n');
  const averages = [
    report.accuracy !== undefined
      ? `<tr><th class="name">accuracy</th><td></td><td></td><td>${fixed(report.accuracy)}</td><td>${report.samples}</td><td></td></tr>`
      : '',
    report.microAvg ? averageRow('micro avg', report.microAvg) : '',
    averageRow('macro avg', report.macroAvg),
    averageRow('weighted avg', report.weightedAvg),
  ].join('');
  sections.push(
    `<section id="per-class"><h2>Per-class metrics</h2><div class="scroll"><table class="per-class"><thead><tr><th class="name">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th><th class="name">F1 / support</th></tr></thead><tbody>
${classRows}
${averages}
</tbody></table></div></section>`,
  );
  if (input.mostConfused && input.mostConfused.length > 0) {
    sections.push(
      `<section id="most-confused"><h2>Most confused</h2><table><thead><tr><th class="name">actual</th><th class="name">predicted</th><th>count</th></tr></thead><tbody>${input.mostConfused
        .map(
          (p) =>
            `<tr><td class="name">${escapeHtml(p.actual)}</td><td class="name">${escapeHtml(p.predicted)}</td><td>${p.count}</td></tr>`,
        )
        .join('')}</tbody></table></section>`,
    );
  }
  const examples = input.topLosses
    .map((e) => {
      const image = e.thumbnail
        ? `<img class="thumb" src="${escapeHtml(e.thumbnail)}" alt="${escapeHtml(e.id)}">`
        : '<div class="missing">no image</div>';
      const wrong = e.actual !== e.predicted;
      return `<figure class="loss">${image}<figcaption><code>${escapeHtml(e.id)}</code><br>actual <b>${escapeHtml(e.actual)}</b><br>predicted <b class="${wrong ? 'wrong' : ''}">${escapeHtml(e.predicted)}</b><br><span class="muted">p(actual) ${fixed(e.probability, 3)} · loss ${fixed(e.loss, 3)}</span></figcaption></figure>`;
    })
    .join('\n');
  sections.push(
    `<section id="top-losses"><h2>Top losses</h2><p class="muted">${
      input.multiLabel
        ? 'Rows with the highest mean binary cross-entropy.'
        : 'Rows with the highest cross-entropy: label noise or hard cases.'
    }</p><div class="losses">${examples}</div></section>`,
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(input.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${sections.join('\n')}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
