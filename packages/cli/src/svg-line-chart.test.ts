import { describe, expect, it } from 'vitest';
import { lineChartSvg } from './svg-line-chart.js';

function attribute(svg: string, element: string, name: string): string[] {
  return [...svg.matchAll(new RegExp(`<${element} [^>]*${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);
}

describe('lineChartSvg', () => {
  it('maps points into the plot area: x over the epochs, y over round ticks', () => {
    // Plot area: x 56..524 (width 540 - 56 - 16), y 40..260 (height 300 - 40 - 40).
    // y values 0.5..1.0 span 0.5 → step 0.1 (niceStep(0.5, 5)), axis 0.5..1.0.
    const svg = lineChartSvg({
      title: 'Loss',
      series: [
        {
          name: 'loss',
          points: [
            [1, 1],
            [2, 0.75],
            [3, 0.5],
          ],
        },
      ],
    });
    expect(
      svg.startsWith(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="540" height="300"',
      ),
    ).toBe(true);
    expect(attribute(svg, 'polyline', 'points')).toEqual(['56.0,40.0 290.0,150.0 524.0,260.0']);
    expect(attribute(svg, 'circle', 'cx')).toEqual(['56.0', '290.0', '524.0']);
    const ticks = [...svg.matchAll(/class="tick">([^<]*)</g)].map((m) => m[1]);
    expect(ticks).toEqual(['0.5', '0.6', '0.7', '0.8', '0.9', '1', '1', '2', '3']);
  });

  it('breaks a line at non-finite values and keeps one legend entry per series', () => {
    const svg = lineChartSvg({
      title: 'Loss',
      series: [
        {
          name: 'loss',
          points: [
            [1, 2],
            [2, 1],
            [3, 0.5],
          ],
        },
        {
          name: 'val_loss',
          points: [
            [1, 2],
            [2, Number.NaN],
            [3, 1],
            [4, 0.5],
          ],
        },
      ],
    });
    expect(attribute(svg, 'polyline', 'data-series')).toEqual(['loss', 'val_loss', 'val_loss']);
    expect(attribute(svg, 'circle', 'cx')).toHaveLength(6);
    expect(svg.match(/class="legend"/g)).toHaveLength(2);
  });

  it('ticks whole decades on a log axis and escapes names', () => {
    const svg = lineChartSvg({
      title: 'LR <&>',
      series: [
        {
          name: 'lr"x',
          points: [
            [1, 1e-4],
            [2, 3e-3],
            [3, 5e-4],
          ],
        },
      ],
      logY: true,
    });
    const ticks = [...svg.matchAll(/class="tick">([^<]*)</g)].map((m) => m[1]);
    expect(ticks.slice(0, 3)).toEqual(['1e-4', '0.001', '0.01']);
    expect(svg).toContain('LR &#60;&#38;&#62;');
    expect(svg).toContain('data-series="lr&#34;x"');
    expect(svg).not.toContain('<&>');
  });

  it('draws an empty frame for series without finite points', () => {
    const svg = lineChartSvg({ title: 'empty', series: [{ name: 'x', points: [[1, Number.NaN]] }] });
    expect(svg).toContain('class="frame"');
    expect(svg).not.toContain('<polyline');
  });
});
