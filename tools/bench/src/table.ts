import type { BenchResult, Ratio } from './types.js';

/** How a column lines up its cells. */
export type Align = 'left' | 'right';

/**
 * A Markdown table whose columns are padded to line up in a terminal too. `align` defaults to left for
 * every column.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const widths = headers.map((header, c) =>
    Math.max(header.length, ...rows.map((row) => (row[c] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${widths
      .map((width, c) => {
        const cell = cells[c] ?? '';
        return align[c] === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(' | ')} |`;
  const rule = `|${widths.map((width, c) => (align[c] === 'right' ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/**
 * A figure with three significant digits, whole numbers from 100 up: 5.57, 42.1, 1234, 0.0123.
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 99.95) return Math.round(value).toString();
  return Number(value.toPrecision(3)).toString();
}

/** A ratio as `0.42×`, marked `✓` where it meets its goal. */
export function formatRatio(ratio: Ratio): string {
  const met = ratio.goal !== undefined && ratio.ratio >= ratio.goal ? ' ✓' : '';
  return `${formatNumber(ratio.ratio)}×${met}`;
}

/**
 * The table `npm run bench` prints: one row per result, with PyTorch's figure, the topk/torch ratio and the
 * goal beside it where there is one.
 */
export function formatResultsTable(results: readonly BenchResult[], ratios: readonly Ratio[]): string {
  const rows = results.map((result) => {
    const ratio = ratios.find(
      (r) => r.bench === result.bench && r.backend === result.backend && r.metric === result.metric,
    );
    return [
      result.bench,
      result.backend,
      result.metric,
      formatNumber(result.value),
      result.unit,
      String(result.iterations),
      ratio === undefined ? '—' : formatNumber(ratio.torch),
      ratio === undefined ? '—' : formatRatio(ratio),
      ratio?.goal === undefined ? '—' : `≥ ${formatNumber(ratio.goal)}×`,
    ];
  });
  return formatTable(
    ['bench', 'backend', 'metric', 'topk', 'unit', 'iters', 'torch', 'topk/torch', 'goal'],
    rows,
    ['left', 'left', 'left', 'right', 'left', 'right', 'right', 'right', 'right'],
  );
}
