import { InvalidArgumentError, Rng } from '@topk/core';
import { describe, expect, it } from 'vitest';
import { formatCsv, formatCsvField, parseCsv, recordsToCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks', () => {
    const text = 'id,name\r\n"a,1","say ""hi"""\n"multi\nline",plain\n';
    expect(parseCsv(text)).toEqual([
      ['id', 'name'],
      ['a,1', 'say "hi"'],
      ['multi\nline', 'plain'],
    ]);
  });

  it('drops a byte-order mark and empty lines but keeps empty fields', () => {
    expect(parseCsv('\ufeffa,b\n\n,\n""\nx,\n')).toEqual([['a', 'b'], ['', ''], [''], ['x', '']]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('a')).toEqual([['a']]);
  });

  it.each([
    ['an unclosed quote', 'a,"b\nc', 'the quoted field starting on line 1 is never closed'],
    ['a quote inside a field', 'a,b"c', 'a quote inside an unquoted field on line 1'],
    ['text after a closing quote', 'x\n"a"b,c', 'text after a closing quote on line 2'],
  ])('rejects %s', (_, text, problem) => {
    expect(() => parseCsv(text)).toThrow(InvalidArgumentError);
    expect(() => parseCsv(text)).toThrow(`Error in parseCsv: text must be valid CSV (${problem})`);
  });
});

describe('formatCsv', () => {
  it('quotes only the fields that need it', () => {
    expect(formatCsvField('plain')).toBe('plain');
    expect(formatCsvField('a,b')).toBe('"a,b"');
    expect(formatCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(formatCsvField('two\nlines')).toBe('"two\nlines"');
    expect(
      formatCsv([
        ['a', 'b,c'],
        ['', 'd'],
      ]),
    ).toBe('a,"b,c"\n,d\n');
  });

  it('round-trips random fields through parseCsv', () => {
    const rng = new Rng(1);
    const alphabet = ['a', 'b', ',', '"', '\n', '\r\n', ' ', 'é', '1'];
    for (let trial = 0; trial < 50; trial++) {
      const width = rng.int(1, 5);
      const records = Array.from({ length: rng.int(1, 6) }, () =>
        Array.from({ length: width }, () =>
          Array.from({ length: rng.int(1, 6) }, () => rng.choice(alphabet)).join(''),
        ),
      );
      expect(parseCsv(formatCsv(records))).toEqual(records);
    }
  });

  it('rejects non-string fields', () => {
    expect(() => formatCsv([['a', 1 as never]])).toThrow(
      'Error in formatCsv: records[0][1] must be a string, got 1',
    );
  });
});

describe('recordsToCsv', () => {
  it('writes a header from the first record, or the given columns', () => {
    const records = [
      { id: 'a,1', score: 0.5, ok: true, note: null },
      { id: 'b', score: 2, ok: false, note: 'x' },
    ];
    expect(recordsToCsv(records)).toBe('id,score,ok,note\n"a,1",0.5,true,\nb,2,false,x\n');
    expect(recordsToCsv(records, { columns: ['score', 'id'] })).toBe('score,id\n0.5,"a,1"\n2,b\n');
    expect(recordsToCsv([])).toBe('');
    expect(recordsToCsv([], { columns: ['id'] })).toBe('id\n');
  });

  it('rejects nested values', () => {
    expect(() => recordsToCsv([{ a: [1] as never }])).toThrow(
      'Error in recordsToCsv: records[0].a must be a string',
    );
  });
});
