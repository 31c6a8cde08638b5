import { classificationReport, countOutcomes } from '@topk/thresholding';
import { describe, expect, it } from 'vitest';
import { type HtmlReportInput, renderHtmlReport } from './html-report.js';

const classes = ['<script>alert(1)</script>', 'b&"c'];
const input: HtmlReportInput = {
  title: 'report <x>',
  sources: { predictions: 'p<.csv' },
  multiLabel: false,
  rows: 3,
  classes,
  metrics: [{ key: 'accuracy', name: 'accuracy', value: 2 / 3 }],
  classificationReport: classificationReport(countOutcomes([0, 1, 1], [0, 1, 0], 2), classes),
  confusion: [1, 0, 1, 1],
  mostConfused: [{ actual: classes[1]!, predicted: classes[0]!, count: 1 }],
  topLosses: [
    { id: 'img"<1>', actual: classes[1]!, predicted: classes[0]!, probability: 0.25, loss: Math.log(4) },
    {
      id: 'img2',
      actual: classes[0]!,
      predicted: classes[0]!,
      probability: 0.9,
      loss: 0.1,
      thumbnail: 'data:image/png;base64,AAAA',
    },
  ],
};

describe('renderHtmlReport', () => {
  it('escapes every name, id and path', () => {
    const html = renderHtmlReport(input);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('img"<1>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('b&#38;&#34;c');
    expect(html.match(/<script>/g)).toHaveLength(1); // only the page's own toggle script
  });

  it('lays out the confusion matrix with counts and row shares, and the top losses', () => {
    const html = renderHtmlReport(input);
    const cells = [
      ...html.matchAll(/<td class="cm-cell( diagonal)?" data-count="(\d+)" data-row-share="([\d.]+)"/g),
    ].map((m) => [Boolean(m[1]), Number(m[2]), Number(m[3])]);
    expect(cells).toEqual([
      [true, 1, 1],
      [false, 0, 0],
      [false, 1, 0.5],
      [true, 1, 0.5],
    ]);
    expect(html.match(/<figure class="loss">/g)).toHaveLength(2);
    expect(html).toContain('<div class="missing">no image</div>');
    expect(html).toContain('<img class="thumb" src="data:image/png;base64,AAAA"');
    expect(html).toContain('p(actual) 0.250 · loss 1.386');
    expect(html).toContain('No run history');
  });

  it('leaves out the confusion matrix and most-confused list when not given', () => {
    const { confusion: _c, mostConfused: _m, ...rest } = input;
    const html = renderHtmlReport({ ...rest, multiLabel: true, decisionRule: 'p >= 0.5' });
    expect(html).not.toContain('id="confusion"');
    expect(html).not.toContain('id="most-confused"');
    expect(html).toContain('highest mean binary cross-entropy');
    expect(html).toContain('p &#62;= 0.5');
  });
});
