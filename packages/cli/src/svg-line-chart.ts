/** One line of a {@link lineChartSvg}. */
export interface ChartSeries {
  readonly name: string;
  /** `[x, y]` points in x order; a non-finite y breaks the line. */
  readonly points: readonly (readonly [number, number])[];
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  /** @defaultValue 'epoch' */
  readonly xLabel?: string;
  /** @defaultValue 540 */
  readonly width?: number;
  /** @defaultValue 300 */
  readonly height?: number;
  /** Draw the y axis on a log scale (learning rates). @defaultValue false */
  readonly logY?: boolean;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Round tick step (1, 2 or 5 × 10^n) giving about `count` ticks over `span`. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
}

function formatTick(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 1e4 || abs < 1e-3 ? value.toExponential(0) : String(Number(value.toPrecision(4)));
}

/**
 * A line chart as a standalone SVG element (no script, no external resource): axes with round ticks,
 * one coloured line per series with a dot per point (hover shows the value), and a legend. Used for
 * training curves in the HTML report.
 */
export function lineChartSvg(options: LineChartOptions): string {
  const { title, series, xLabel = 'epoch', width = 540, height = 300, logY = false } = options;
  const margin = { left: 56, right: 16, top: 40, bottom: 40 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const ty = (y: number) => (logY ? Math.log10(y) : y);
  const usable = series
    .flatMap((s) => s.points)
    .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0));
  let x0 = Math.min(...usable.map(([x]) => x));
  let x1 = Math.max(...usable.map(([x]) => x));
  let y0 = Math.min(...usable.map(([, y]) => ty(y)));
  let y1 = Math.max(...usable.map(([, y]) => ty(y)));
  if (usable.length === 0) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x1 === x0) [x0, x1] = [x0 - 1, x1 + 1];
  if (y1 === y0) [y0, y1] = [y0 - (Math.abs(y0) || 1) * 0.1, y1 + (Math.abs(y1) || 1) * 0.1];
  // Log axes tick whole decades (1e-4, 1e-3, ...); linear axes round steps.
  const yStep = logY ? Math.max(1, Math.round(niceStep(y1 - y0, 5))) : niceStep(y1 - y0, 5);
  y0 = Math.floor(y0 / yStep) * yStep;
  y1 = Math.ceil(y1 / yStep) * yStep;
  const xStep = Math.max(1, niceStep(x1 - x0, 8));
  const px = (x: number) => margin.left + ((x - x0) / (x1 - x0)) * plotW;
  const py = (y: number) => margin.top + plotH - ((ty(y) - y0) / (y1 - y0)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" aria-label="${escapeXml(title)}">`,
    `<title>${escapeXml(title)}</title>`,
    `<text x="${margin.left}" y="22" class="chart-title">${escapeXml(title)}</text>`,
  ];
  for (let v = y0; v <= y1 + yStep / 2; v += yStep) {
    const y = margin.top + plotH - ((v - y0) / (y1 - y0)) * plotH;
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" class="grid"/>`,
      `<text x="${margin.left - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end" class="tick">${formatTick(logY ? 10 ** v : v)}</text>`,
    );
  }
  for (let v = Math.ceil(x0 / xStep) * xStep; v <= x1; v += xStep) {
    parts.push(
      `<text x="${px(v).toFixed(1)}" y="${margin.top + plotH + 16}" text-anchor="middle" class="tick">${formatTick(v)}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" class="frame"/>`,
    `<text x="${margin.left + plotW / 2}" y="${height - 6}" text-anchor="middle" class="axis-label">${escapeXml(xLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length]!;
    const segments: string[][] = [[]];
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y) || (logY && y <= 0)) {
        if (segments.at(-1)!.length > 0) segments.push([]);
        continue;
      }
      segments.at(-1)!.push(`${px(x).toFixed(1)},${py(y).toFixed(1)}`);
    }
    for (const segment of segments.filter((seg) => seg.length > 0)) {
      parts.push(
        `<polyline class="series" data-series="${escapeXml(s.name)}" fill="none" stroke="${color}" stroke-width="2" points="${segment.join(' ')}"/>`,
      );
    }
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y) || (logY && y <= 0)) continue;
      parts.push(
        `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"><title>${escapeXml(s.name)} ${xLabel} ${x}: ${Number(y.toPrecision(5))}</title></circle>`,
      );
    }
    const lx = margin.left + plotW - 150;
    const ly = margin.top + 14 + k * 16;
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="3"/>`,
      `<text x="${lx + 24}" y="${ly}" class="legend">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
